"""Fixtures for a real OpenSSH sshd (see sshd_server.py)."""
