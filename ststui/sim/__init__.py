"""ststui's embedded simulated Kubernetes cluster (API server, controllers, scenarios).

Used by `ststui sim`, `ststui --demo` and the test suite; the TUI never imports it
except to start the demo.
"""
