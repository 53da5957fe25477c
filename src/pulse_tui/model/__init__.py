"""Pure-Python data model: series, signals, time ranges, log lines. Never imports Textual."""
