"""Fixtures for a real prometheus server (see prometheus_server.py)."""
