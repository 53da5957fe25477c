"""Imported Grafana dashboards: a screen per dashboard, its panels and rows."""
