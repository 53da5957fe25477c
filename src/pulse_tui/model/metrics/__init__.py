"""Golden signals: what a signal is, its PromQL, the query step and window, the services
overview.
"""
