"""The log pane: the panel (status line, search prompt), the virtualised view and its rows."""
