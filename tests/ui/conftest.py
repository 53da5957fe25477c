"""UI tests run the real app (demo sources) in Textual's headless driver; see harness.py."""
