"""The dashboard's widgets, one per file.

The top: `status_header`. The panels: `signal_panel` (one golden signal; `signal_series`
picks what it draws) and `service_table`. The bottom tabs: `log_panel` (with `log_view`,
the virtualised lines, `log_row`, one line styled, and `log_query`, search and filters),
`alerts_pane`, `error_groups_pane`, `probes_pane`.
The last line: `key_bar`. Shared by them: `palette` (colours) and `strips` (rows painted
without Textual's conversion).
"""
