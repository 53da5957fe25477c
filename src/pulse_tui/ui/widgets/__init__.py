"""The dashboard's widgets, by the area of the screen they fill.

metrics/   `signal_panel` (one golden signal; `signal_series` picks what it draws) and
           `service_table`
logs/      `log_panel` (with `log_view`, the virtualised lines, `log_row`, one line styled,
           and `log_query`, search and filters)
alerting/  the bottom tabs beside the logs: `alerts_pane`, `error_groups_pane`, `probes_pane`
Here: `status_header` (the top line), `key_bar` (the last line), and what they all share:
`palette` (colours) and `strips` (rows painted without Textual's conversion).
"""
