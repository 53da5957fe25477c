"""Async data sources: what produces data. Never import Textual or Rich.

base        the protocols the UI drives (MetricsSource, LogSource, LogSink) and SourceError
factory     Config -> the sources to run
transport   one backoff, one TLS setup, one wording of transport errors, Retry-After
prometheus  the Prometheus HTTP API (panel queries, PromQL rules) and its and
            Alertmanager's alert lists
ssh         logs over SSH: host-key policy, connections, the remote tail script, line reading
demo, probes, webhooks  the built-in demo, HTTP uptime probes, alert webhooks
"""
