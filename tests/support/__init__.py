"""Shared test helpers: real servers (prometheus, sshd) started by fixtures."""
