"""Async data sources (Prometheus, SSH logs, demo generators). Never import Textual."""
