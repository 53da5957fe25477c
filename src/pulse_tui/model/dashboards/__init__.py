"""Grafana dashboards brought by the user: parsed, laid out and interpolated (no I/O)."""
