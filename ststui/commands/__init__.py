"""The console script's commands, one module each: the TUI, `get`, the demo."""
