"""What every network source shares: one backoff, one TLS setup, one wording of transport errors.

* `backoff`: `Backoff` / `BackoffPolicy`, the delay before the next try (SSH reconnects,
  Prometheus retries, webhook deliveries); `retry_after`: a server's Retry-After header.
* `tls`: `TlsSettings`, the verify/cert choice for httpx (an `ssl.SSLContext`) and requests.
* `errors`: `describe_transport_error`, the one wording of "no answer at all".

Import the modules themselves; this package re-exports nothing, so loading one piece does
not load the libraries another needs.
"""
