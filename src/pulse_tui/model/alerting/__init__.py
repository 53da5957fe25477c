"""Alerting on data already fetched: rule definitions, signal and log rules, the alert book,
silences, error groups and their message fingerprints.
"""
