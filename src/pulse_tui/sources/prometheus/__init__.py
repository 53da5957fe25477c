"""The Prometheus HTTP API (and Alertmanager's): range queries for the panels, alert lists."""
