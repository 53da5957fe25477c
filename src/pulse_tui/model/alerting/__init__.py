"""Alerting on data already fetched: signal and log rules, the alert book, silences, error
groups.
"""
