"""The metrics side: a golden-signal panel (headline, legend, chart) and the services table."""
