"""Pure-Python data model, by domain. Never imports Textual.

core      clock, units, durations, fuzzy matching, the sanitiser, the secrets registry,
          time ranges, view state
logs      the log line, batches, the packed ring buffer, the time merge, journald,
          and `logs.parse` (timestamps, levels, fields)
search    log queries and filters, the scanners over packed blocks, navigation
metrics   the golden signals, their PromQL, the query step, the services overview
alerting  signal and log rules, the alert book, silences, error groups
"""
