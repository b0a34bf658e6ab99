"""Label and field selectors for the simulated API server.

Place in the flow: the server parses the `labelSelector` / `fieldSelector`
query parameters of LIST and WATCH requests with `parse_label_selector` and
`parse_field_selector`, and the controllers turn an object's
`spec.selector` (a metav1.LabelSelector) into a matcher with
`selector_from_object`. All of them return precompiled matchers whose
`matches()` runs once per object per list or watch event, so parsing and
validation happen once and matching is a short loop of closures.

Syntax follows Kubernetes (k8s.io/apimachinery labels.Parse and
fields.ParseSelector):

* label selectors: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`,
  `a` (exists), `!a` (does not exist), `a>1`, `a<1` (integer comparison),
  joined by commas (all must hold); whitespace is ignored; the empty string
  matches everything. Keys must be qualified names and values label values.
* field selectors: `path=value`, `path==value`, `path!=value` joined by
  commas, where path is a dotted path into the object (`metadata.name`,
  `spec.nodeName`, `involvedObject.uid`, ...); `\\,`, `\\=` and `\\\\` escape
  those characters in values; a missing field compares as "".

Bad syntax raises `SelectorError` (a ValueError) carrying one readable
sentence; the server answers it with 400 Bad Request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

__all__ = [
    "SelectorError",
    "Requirement",
    "LabelSelector",
    "FieldSelector",
    "parse_label_selector",
    "selector_from_object",
    "parse_field_selector",
]


class SelectorError(ValueError):
    """A label or field selector that cannot be parsed; the message is one sentence."""


# ---------------------------------------------------------------------------
# Label selectors
# ---------------------------------------------------------------------------

# Operators, spelled as Kubernetes prints them in selector strings.
EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="
IN = "in"
NOT_IN = "notin"
EXISTS = "exists"
DOES_NOT_EXIST = "!"
GREATER_THAN = ">"
LESS_THAN = "<"

_NAME_RE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DNS_SUBDOMAIN_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_INTEGER_RE = re.compile(r"^[+-]?[0-9]+$")


def _key_problem(key: str) -> str | None:
    """Why `key` is not a valid label key (a Kubernetes qualified name), or None."""
    if not key:
        return "a label key must not be empty"
    prefix, slash, name = key.rpartition("/")
    if slash:
        if not prefix:
            return f"label key {key!r} has an empty prefix before '/'"
        if len(prefix) > 253 or not _DNS_SUBDOMAIN_RE.match(prefix):
            return f"label key {key!r} has a prefix that is not a DNS subdomain"
    if not name:
        return f"label key {key!r} has an empty name"
    if len(name) > 63:
        return f"label key {key!r} has a name longer than 63 characters"
    if not _NAME_RE.match(name):
        return (
            f"label key {key!r} must consist of alphanumeric characters, '-', '_' or '.', "
            "and start and end with an alphanumeric character"
        )
    return None


def _value_problem(value: str) -> str | None:
    """Why `value` is not a valid label value, or None (the empty value is valid)."""
    if value == "":
        return None
    if len(value) > 63:
        return f"label value {value!r} is longer than 63 characters"
    if not _NAME_RE.match(value):
        return (
            f"label value {value!r} must consist of alphanumeric characters, '-', '_' or '.', "
            "and start and end with an alphanumeric character"
        )
    return None


@dataclass(frozen=True)
class Requirement:
    """One clause of a label selector: `key`, an operator, and its values (sorted)."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        op = self.operator
        if op == EXISTS:
            return self.key
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({','.join(self.values)})"
        return f"{self.key}{op}{self.values[0] if self.values else ''}"

    def compile(self) -> Callable[[dict], bool]:
        """A function of a labels dict (never None) that says whether this clause holds."""
        key = self.key
        op = self.operator
        if op in (EQUALS, DOUBLE_EQUALS):
            wanted = self.values[0]
            return lambda labels: labels.get(key) == wanted  # absent gives None, never equal
        if op == NOT_EQUALS:
            unwanted = self.values[0]
            return lambda labels: labels.get(key) != unwanted  # absent keys satisfy !=
        if op == IN:
            allowed = frozenset(self.values)
            return lambda labels: key in labels and labels[key] in allowed
        if op == NOT_IN:
            refused = frozenset(self.values)
            return lambda labels: key not in labels or labels[key] not in refused
        if op == EXISTS:
            return lambda labels: key in labels
        if op == DOES_NOT_EXIST:
            return lambda labels: key not in labels
        if op in (GREATER_THAN, LESS_THAN):
            bound = int(self.values[0])
            greater = op == GREATER_THAN

            def compare(labels: dict) -> bool:
                text = labels.get(key)
                if not isinstance(text, str) or not _INTEGER_RE.match(text):
                    return False
                number = int(text)
                return number > bound if greater else number < bound

            return compare
        raise SelectorError(f"unknown label selector operator {op!r}")


class LabelSelector:
    """A precompiled label selector; `matches(labels)` is true when every requirement holds.

    `LabelSelector.everything()` (no requirements) matches any labels, including none;
    `LabelSelector.nothing()` matches no object at all (a nil metav1.LabelSelector).
    """

    __slots__ = ("requirements", "matches_nothing", "_checks")

    def __init__(self, requirements: Iterable[Requirement] = (), *, matches_nothing: bool = False):
        self.requirements: tuple[Requirement, ...] = tuple(requirements)
        self.matches_nothing = matches_nothing
        self._checks = tuple(requirement.compile() for requirement in self.requirements)

    @classmethod
    def everything(cls) -> "LabelSelector":
        return cls()

    @classmethod
    def nothing(cls) -> "LabelSelector":
        return cls(matches_nothing=True)

    def matches_everything(self) -> bool:
        """True when no label can fail this selector (no requirements, and not `nothing()`)."""
        return not self.matches_nothing and not self.requirements

    def matches(self, labels: dict | None) -> bool:
        if self.matches_nothing:
            return False
        if labels is None:
            labels = {}
        for check in self._checks:
            if not check(labels):
                return False
        return True

    def __str__(self) -> str:
        """The selector as Kubernetes prints it (requirements sorted by key), e.g. for Scale.status.selector.

        A selector that matches nothing prints as "" (as in Kubernetes); check `matches_nothing`.
        """
        ordered = sorted(self.requirements, key=lambda requirement: requirement.key)
        return ",".join(str(requirement) for requirement in ordered)

    def __repr__(self) -> str:
        if self.matches_nothing:
            return "LabelSelector.nothing()"
        return f"LabelSelector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LabelSelector):
            return NotImplemented
        return self.matches_nothing == other.matches_nothing and sorted(
            self.requirements, key=str
        ) == sorted(other.requirements, key=str)

    def __hash__(self) -> int:
        return hash((self.matches_nothing, tuple(sorted(str(r) for r in self.requirements))))


def _make_requirement(key: str, operator: str, values: Iterable[str], source: str) -> Requirement:
    """Validate one clause the way Kubernetes does and build it."""
    problem = _key_problem(key)
    if problem:
        raise SelectorError(f"invalid label selector {source!r}: {problem}")
    values = tuple(sorted(set(values)))
    if operator in (IN, NOT_IN):
        if not values:
            raise SelectorError(
                f"invalid label selector {source!r}: '{operator}' needs at least one value for {key!r}"
            )
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(values) != 1:
            raise SelectorError(
                f"invalid label selector {source!r}: '{operator}' needs exactly one value for {key!r}"
            )
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if values:
            raise SelectorError(
                f"invalid label selector {source!r}: an existence test on {key!r} takes no values"
            )
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(values) != 1 or not _INTEGER_RE.match(values[0]):
            raise SelectorError(
                f"invalid label selector {source!r}: '{operator}' needs one integer value for {key!r}"
            )
    else:
        raise SelectorError(f"invalid label selector {source!r}: unknown operator {operator!r}")
    if operator not in (GREATER_THAN, LESS_THAN):
        for value in values:
            problem = _value_problem(value)
            if problem:
                raise SelectorError(f"invalid label selector {source!r}: {problem}")
    return Requirement(key, operator, values)


# Tokens: the special symbols of the selector grammar, or a run of anything else.
_LABEL_TOKEN_RE = re.compile(r"\s*(?:(==|!=|=|!|\(|\)|,|<|>)|([^\s=!(),<>]+))")
_END = ("end", "")


def _tokenize_label_selector(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    length = len(text)
    while position < length:
        match = _LABEL_TOKEN_RE.match(text, position)
        if match is None or match.end() == position:
            # Only trailing whitespace is left.
            if text[position:].strip() == "":
                break
            raise SelectorError(f"invalid label selector {text!r}: cannot read {text[position:]!r}")
        position = match.end()
        symbol, word = match.group(1), match.group(2)
        if symbol is not None:
            tokens.append(("sym", symbol))
        elif word is not None:
            tokens.append(("word", word))
    tokens.append(_END)
    return tokens


def _describe(token: tuple[str, str]) -> str:
    return "the end of the selector" if token == _END else repr(token[1])


def parse_label_selector(text: str) -> LabelSelector:
    """Parse a label selector string (the `labelSelector` query parameter).

    The empty (or blank) string gives a selector that matches everything.
    """
    if text is None or text.strip() == "":
        return LabelSelector.everything()
    tokens = _tokenize_label_selector(text)
    position = 0

    def peek() -> tuple[str, str]:
        return tokens[position]

    def take() -> tuple[str, str]:
        nonlocal position
        token = tokens[position]
        if token != _END:
            position += 1
        return token

    def fail(expected: str, found: tuple[str, str]) -> SelectorError:
        return SelectorError(
            f"invalid label selector {text!r}: expected {expected}, found {_describe(found)}"
        )

    requirements: list[Requirement] = []
    while True:
        token = take()
        if token == ("sym", "!"):
            key_token = take()
            if key_token[0] != "word":
                raise fail("a label key after '!'", key_token)
            requirements.append(_make_requirement(key_token[1], DOES_NOT_EXIST, (), text))
        elif token[0] == "word":
            key = token[1]
            following = peek()
            if following == _END or following == ("sym", ","):
                requirements.append(_make_requirement(key, EXISTS, (), text))
            elif following[0] == "sym" and following[1] in ("=", "==", "!=", ">", "<"):
                operator = take()[1]
                value_token = peek()
                if value_token == _END or value_token == ("sym", ","):
                    value = ""  # `a=` selects the empty value, as in Kubernetes
                elif value_token[0] == "word":
                    value = take()[1]
                else:
                    raise fail("a value after " + repr(operator), value_token)
                requirements.append(_make_requirement(key, operator, (value,), text))
            elif following[0] == "word" and following[1] in (IN, NOT_IN):
                operator = take()[1]
                opening = take()
                if opening != ("sym", "("):
                    raise fail(f"'(' after '{operator}'", opening)
                values = _parse_value_list(take, fail)
                requirements.append(_make_requirement(key, operator, values, text))
            else:
                raise fail("an operator (=, ==, !=, in, notin, >, <), ',' or the end", following)
        else:
            raise fail("a label key or '!'", token)

        separator = take()
        if separator == _END:
            break
        if separator != ("sym", ","):
            raise fail("',' or the end of the selector", separator)
        if peek() == _END:
            raise fail("a requirement after ','", peek())
    return LabelSelector(requirements)


def _parse_value_list(take: Callable[[], tuple[str, str]], fail) -> list[str]:
    """Values of `in (...)` / `notin (...)` up to and including ')'; empty slots are "" (as in Kubernetes)."""
    values: list[str] = []
    expecting_value = True
    while True:
        token = take()
        if token == ("sym", ")"):
            if expecting_value:
                values.append("")
            return values
        if token == ("sym", ","):
            if expecting_value:
                values.append("")
            expecting_value = True
            continue
        if token[0] == "word" and expecting_value:
            values.append(token[1])
            expecting_value = False
            continue
        raise fail("a value, ',' or ')'", token)


_EXPRESSION_OPERATORS = {
    "In": IN,
    "NotIn": NOT_IN,
    "Exists": EXISTS,
    "DoesNotExist": DOES_NOT_EXIST,
}


def selector_from_object(sel: dict | None, *, none_matches_everything: bool = False) -> LabelSelector:
    """Build a matcher from a metav1.LabelSelector (`matchLabels`, `matchExpressions`).

    Semantics, as metav1.LabelSelectorAsSelector:
    * `{}` (no matchLabels and no matchExpressions) matches everything;
    * `None` (the field is absent) matches nothing: a StatefulSet, a Service
      or a ControllerRevision lookup with no selector selects no pods.
    Pass `none_matches_everything=True` where Kubernetes treats a missing
    selector as "no constraint", e.g. a PersistentVolumeClaim's
    `spec.selector` when binding volumes.
    """
    if sel is None:
        return LabelSelector.everything() if none_matches_everything else LabelSelector.nothing()
    if not isinstance(sel, dict):
        raise SelectorError("a label selector must be an object with matchLabels and/or matchExpressions")
    source = "matchLabels/matchExpressions"
    requirements: list[Requirement] = []
    match_labels = sel.get("matchLabels") or {}
    if not isinstance(match_labels, dict):
        raise SelectorError("matchLabels must be an object of label keys to values")
    for key, value in match_labels.items():
        if not isinstance(value, str):
            raise SelectorError(f"matchLabels value for {key!r} must be a string")
        requirements.append(_make_requirement(key, EQUALS, (value,), source))
    expressions = sel.get("matchExpressions") or []
    if not isinstance(expressions, list):
        raise SelectorError("matchExpressions must be a list")
    for expression in expressions:
        if not isinstance(expression, dict):
            raise SelectorError("each matchExpressions entry must be an object with key and operator")
        key = expression.get("key")
        if not isinstance(key, str):
            raise SelectorError("each matchExpressions entry needs a string key")
        operator_name = expression.get("operator")
        operator = _EXPRESSION_OPERATORS.get(operator_name)
        if operator is None:
            raise SelectorError(
                f"matchExpressions operator {operator_name!r} for key {key!r} is not one of "
                "In, NotIn, Exists, DoesNotExist"
            )
        values = expression.get("values") or []
        if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
            raise SelectorError(f"matchExpressions values for key {key!r} must be a list of strings")
        requirements.append(_make_requirement(key, operator, values, source))
    return LabelSelector(requirements)


# ---------------------------------------------------------------------------
# Field selectors
# ---------------------------------------------------------------------------


def _field_text(value: object) -> str:
    """A field's value as Kubernetes renders it for field selectors; missing fields are ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return ""


@dataclass(frozen=True)
class FieldRequirement:
    """One clause of a field selector: a dotted path, `=` / `==` / `!=`, and a value."""

    path: str
    operator: str
    value: str

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")
        return f"{self.path}{self.operator}{escaped}"

    def compile(self) -> Callable[[dict], bool]:
        parts = tuple(self.path.split("."))
        wanted = self.value
        equal = self.operator != NOT_EQUALS

        if len(parts) == 2:
            outer, inner = parts

            def read(obj: dict) -> str:
                child = obj.get(outer)
                return _field_text(child.get(inner)) if isinstance(child, dict) else ""

        else:

            def read(obj: dict) -> str:
                current: object = obj
                for part in parts:
                    if not isinstance(current, dict):
                        return ""
                    current = current.get(part)
                return _field_text(current)

        if equal:
            return lambda obj: read(obj) == wanted
        return lambda obj: read(obj) != wanted


class FieldSelector:
    """A precompiled field selector; `matches(obj)` is true when every requirement holds."""

    __slots__ = ("requirements", "_checks")

    def __init__(self, requirements: Iterable[FieldRequirement] = ()):
        self.requirements: tuple[FieldRequirement, ...] = tuple(requirements)
        self._checks = tuple(requirement.compile() for requirement in self.requirements)

    def matches_everything(self) -> bool:
        """True when the selector has no requirements."""
        return not self.requirements

    def matches(self, obj: dict) -> bool:
        for check in self._checks:
            if not check(obj):
                return False
        return True

    def required_value(self, path: str) -> str | None:
        """The value `path` must equal (from a `=` or `==` clause), or None.

        Lets the server narrow a LIST to one name or namespace before matching.
        """
        for requirement in self.requirements:
            if requirement.path == path and requirement.operator in (EQUALS, DOUBLE_EQUALS):
                return requirement.value
        return None

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)

    def __repr__(self) -> str:
        return f"FieldSelector({str(self)!r})"


def _split_unescaped(text: str, separator: str) -> list[str]:
    """Split on `separator` where it is not preceded by an escaping backslash."""
    parts: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _split_field_term(term: str) -> tuple[str, str, str] | None:
    """Find the first unescaped operator (!=, ==, =) in a term: (path, operator, raw value)."""
    escaped = False
    for index, char in enumerate(term):
        if escaped:
            escaped = False
            continue
        if char == "\\":
            escaped = True
            continue
        for operator in (NOT_EQUALS, DOUBLE_EQUALS, EQUALS):
            if term.startswith(operator, index):
                return term[:index], operator, term[index + len(operator):]
    return None


def _unescape_field_value(raw: str, source: str) -> str:
    out: list[str] = []
    escaped = False
    for char in raw:
        if escaped:
            if char not in "\\,=":
                raise SelectorError(
                    f"invalid field selector {source!r}: '\\{char}' is not a valid escape "
                    "(only \\\\, \\, and \\= are)"
                )
            out.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "=":
            raise SelectorError(
                f"invalid field selector {source!r}: an '=' inside a value must be written '\\='"
            )
        else:
            out.append(char)
    if escaped:
        raise SelectorError(f"invalid field selector {source!r}: it ends with a lone backslash")
    return "".join(out)


def parse_field_selector(text: str) -> FieldSelector:
    """Parse a field selector string (the `fieldSelector` query parameter).

    Any dotted path into the object is accepted; the empty string matches everything.
    """
    if text is None or text.strip() == "":
        return FieldSelector()
    requirements: list[FieldRequirement] = []
    for term in _split_unescaped(text, ","):
        if term.strip() == "":
            raise SelectorError(f"invalid field selector {text!r}: it has an empty requirement")
        split = _split_field_term(term)
        if split is None:
            raise SelectorError(
                f"invalid field selector {text!r}: {term.strip()!r} has no operator (=, == or !=)"
            )
        path, operator, raw_value = split
        path = path.strip()
        if not path:
            raise SelectorError(f"invalid field selector {text!r}: {term.strip()!r} has no field path")
        if any(part == "" for part in path.split(".")) or any(c.isspace() for c in path):
            raise SelectorError(f"invalid field selector {text!r}: {path!r} is not a dotted field path")
        value = _unescape_field_value(raw_value.strip(), text)
        requirements.append(FieldRequirement(path, operator, value))
    return FieldSelector(requirements)
