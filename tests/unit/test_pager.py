"""kube/pager.py: pages in order, the next one asked for early, a wrong guess never used."""
import json
import threading

from ststui.kube.pager import head_continue, pages


def body(items, token=None, metadata_first=True):
    md = {"resourceVersion": "7", **({"continue": token} if token else {})}
    doc = {"metadata": md, "items": items} if metadata_first else {"items": items, "metadata": md}
    return json.dumps({"kind": "PodList", **doc}).encode()


def test_head_continue_reads_the_token_before_the_items():
    assert head_continue(body([{"a": 1}], "abc-_=")) == (True, "abc-_=")
    assert head_continue(body([{"a": 1}])) == (True, None)


def test_head_continue_does_not_guess_when_metadata_follows_the_items():
    assert head_continue(body([{"metadata": {"continue": "inside-an-item"}}], "real", metadata_first=False)) == (False, None)


def test_head_continue_does_not_guess_an_escaped_token():
    assert head_continue(b'{"metadata":{"continue":"a\\u003db"},"items":[]}') == (False, None)


class Server:
    """Three pages; counts requests by token, can answer with another order of fields."""

    def __init__(self, metadata_first=True, lie=False):
        self.asked: list = []
        self.lock = threading.Lock()
        self.metadata_first, self.lie = metadata_first, lie

    def fetch(self, token):
        with self.lock:
            self.asked.append(token)
        n = {None: 0, "p1": 1, "p2": 2}[token] if token in (None, "p1", "p2") else None
        if n is None:
            raise ValueError(f"bad token {token!r}")
        nxt = {0: "p1", 1: "p2", 2: None}[n]
        data = body([{"n": n}], nxt, self.metadata_first)
        if self.lie and nxt:          # a head that names another token than the parsed one
            data = data.replace(b'"continue": "%s"' % nxt.encode(), b'"continue": "p9"', 1)
            data = data[:-1] + b', "metadata": ' + json.dumps({"continue": nxt}).encode() + b"}"
        return data


def test_pages_come_in_order_and_each_is_asked_for_once():
    s = Server()
    got = [p["items"][0]["n"] for p in pages(s.fetch)]
    assert got == [0, 1, 2]
    assert sorted(s.asked, key=str) == sorted([None, "p1", "p2"], key=str)


def test_the_next_page_is_asked_for_before_this_one_is_consumed():
    s = Server()
    it = pages(s.fetch)
    next(it)
    for _ in range(100):
        with s.lock:
            if "p1" in s.asked:
                break
        threading.Event().wait(0.01)
    assert "p1" in s.asked        # asked while page 0 is still in the caller's hands
    assert [p["items"][0]["n"] for p in it] == [1, 2]


def test_metadata_after_items_still_pages_correctly_without_read_ahead():
    s = Server(metadata_first=False)
    assert [p["items"][0]["n"] for p in pages(s.fetch)] == [0, 1, 2]
    assert s.asked == [None, "p1", "p2"]


def test_a_wrong_guess_is_dropped_and_the_real_token_followed():
    s = Server(lie=True)
    it = pages(s.fetch)
    got = [p["items"][0]["n"] for p in it]
    assert got == [0, 1, 2]
    assert "p1" in s.asked and "p2" in s.asked


def test_a_consumer_that_stops_early_waits_for_the_read_ahead():
    s = Server()
    it = pages(s.fetch)
    next(it)
    it.close()                      # the store failed on page 0
    with s.lock:
        assert "p1" in s.asked      # the read-ahead went out, and has ended by now
    assert threading.active_count() == 1 or all(t.name != "list-read-ahead" for t in threading.enumerate())
