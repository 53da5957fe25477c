"""One controller per feed: each owns its state, starts its workers on the app, and hands
what it gets to the widgets through the Dashboard (metrics, logs, alerts)."""
