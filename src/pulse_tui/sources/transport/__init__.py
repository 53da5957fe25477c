"""What every network source shares: one backoff, one TLS setup, one wording of transport errors."""
