"""Screens pushed over the dashboard: `help` (the key bindings), `picker` (fuzzy
multi-select of services or hosts), `time_range` (presets or a custom range) and `silence`
(how long to silence an alert)."""
