"""Textual widgets, one per file, grouped by the area of the screen they fill."""
