"""ststui: a terminal UI for operating Kubernetes StatefulSets."""
__version__ = "0.1.0"
