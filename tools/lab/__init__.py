"""The incident lab's pieces (tools/incident_lab.py runs them): metrics, logs, servers."""
