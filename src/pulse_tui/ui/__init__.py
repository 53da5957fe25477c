"""Everything Textual: the app and the owners it holds (`dashboard`, `view`, `feeds/`),
its widgets and screens, the charts."""
