"""The alerting tabs: alerts (ours and external, with silences), error groups, probes."""
