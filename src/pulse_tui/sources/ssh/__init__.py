"""Logs over SSH: connections (known hosts, jump hosts), the remote tail script, reconnects,
line reading.
"""
