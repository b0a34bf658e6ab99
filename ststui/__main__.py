"""`python -m ststui`: the same as the `ststui` console script."""
from ststui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
