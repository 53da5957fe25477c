"""Root fixtures: the real-server fixtures live in tests/support and register here."""

pytest_plugins = [
    "support.prometheus_fixtures",
    "support.sshd_fixtures",
]
