"""Everything Textual: the app, its widgets and screens, the charts."""
