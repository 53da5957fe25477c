"""Alerts side of the app: rules on fetched series, log rules, error groups, probes,
Prometheus/Alertmanager alerts, silences, toasts, the bell and webhooks.

Everything is evaluated on data the app already has (panel results, arriving log lines);
the only extra requests are PromQL rules, external alert lists and the probes themselves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.widgets import TabbedContent

from pulse_tui.model.alerting.alerts import Alert, AlertBook, AlertEvent
from pulse_tui.model.alerting.error_groups import ErrorGroups
from pulse_tui.model.alerting.fingerprint import pattern_query
from pulse_tui.model.alerting.log_rules import LogRuleEvaluator
from pulse_tui.model.alerting.rules import RuleEvaluator
from pulse_tui.model.alerting.silences import SilenceBook
from pulse_tui.model.core import clock
from pulse_tui.model.core.redact import scrub
from pulse_tui.model.core.sanitize import sanitize
from pulse_tui.model.logs.line import LogLine
from pulse_tui.model.metrics.signals import Signal, SignalResult
from pulse_tui.sources.base import SourceError
from pulse_tui.ui.widgets.alerts_pane import AlertsPane
from pulse_tui.ui.widgets.errors_pane import ErrorsPane
from pulse_tui.ui.widgets.probes_pane import ProbesPane

if TYPE_CHECKING:
    from pulse_tui.sources.webhooks import WebhookNotifier

#: How often Prometheus' and Alertmanager's own alert lists are fetched.
EXTERNAL_INTERVAL = 30.0


class AlertsMixin:
    """Mixed into PulseApp; `self` is the app."""

    def setup_alerts(self) -> None:
        alerts = self.config.alerts
        self.rule_evaluator = RuleEvaluator(alerts.rules)
        self.log_rule_evaluator = LogRuleEvaluator(alerts.log_rules)
        self.silence_book = SilenceBook(alerts.silences)
        self.alert_book = AlertBook(history_size=1000, stale_after=900.0)
        # httpx is imported only when there are webhooks: the demo and most bastion
        # sessions start faster without it.
        self.notifier: WebhookNotifier | None = None
        if alerts.webhooks:
            from pulse_tui.sources.webhooks import WebhookNotifier

            self.notifier = WebhookNotifier(alerts.webhooks)
        self.error_groups = ErrorGroups(max_groups=alerts.max_error_groups)
        self.external_errors: dict[str, str] = {}
        self.probe_statuses: dict[str, object] = {}
        self._probe_down: dict[str, bool] = {}
        self.prober = None

    def start_alerts(self) -> None:
        """Called on mount: background senders, the 1 s tick, external lists, probes."""
        alerts = self.config.alerts
        if self.notifier is not None:
            self.run_worker(self.notifier.run(), group="alerts", exit_on_error=False)
        self.set_interval(1.0, self._alerts_tick)
        if not self.config.demo and (alerts.prometheus_alerts or alerts.alertmanager_url):
            self.fetch_external_alerts()
            self.set_interval(EXTERNAL_INTERVAL, self.fetch_external_alerts)
        if alerts.probes:
            from pulse_tui.sources.probes import Prober

            self.prober = Prober(alerts.probes)
            self.run_worker(self.prober.run(self.on_probe), group="probes", exit_on_error=False)
        self._show_probes()

    # ------------------------------------------------------------- inputs

    def alerts_after_result(self, signal: Signal, result: SignalResult) -> None:
        """Signal rules on the series a panel just fetched (no extra query)."""
        now = clock.now()
        self._emit(self.rule_evaluator.observe(signal, result, now))
        self.alert_book.set_pending("rules", self.rule_evaluator.pending())
        if signal is Signal.TRAFFIC and self.rule_evaluator.query_rules:
            self.run_query_rules(result)
        self._show_alerts()

    @work(exit_on_error=False, group="query-rules", exclusive=True)
    async def run_query_rules(self, traffic: SignalResult) -> None:
        """PromQL rules: one query each per refresh, on the traffic panel's window."""
        query_expr = getattr(self.metrics, "query_expr", None)
        if query_expr is None:
            return
        events: list[AlertEvent] = []
        for rule in self.rule_evaluator.query_rules:
            try:
                series = await query_expr(rule.query, traffic.window)
            except SourceError as exc:
                self.external_errors[f"rule {rule.name}"] = str(exc)
                continue
            self.external_errors.pop(f"rule {rule.name}", None)
            events += self.rule_evaluator.observe_query(
                rule, series, clock.now(), traffic.window.step
            )
        self._emit(events)
        self.alert_book.set_pending("rules", self.rule_evaluator.pending())
        self._show_alerts()

    def alerts_after_lines(self, batches: Sequence[Sequence[LogLine]]) -> None:
        """Every arriving batch feeds log rules and error grouping."""
        for batch in batches:
            self.log_rule_evaluator.observe(batch)
            new = self.error_groups.observe(batch)
            if new and self.config.alerts.new_error_groups:
                # A pattern never seen this session is an info alert; it resolves when the
                # user acknowledges the group (Enter on it in the Errors tab).
                now = clock.now()
                self._emit(
                    [
                        AlertEvent(
                            "firing",
                            Alert(
                                key=f"newerror:{group.fingerprint}",
                                name="New error pattern",
                                source="logs",
                                severity="info",
                                state="firing",
                                service=", ".join(sorted(group.services)),
                                summary=group.fingerprint,
                                started_at=now,
                                fired_at=now,
                            ),
                        )
                        for group in new
                    ]
                )

    def on_probe(self, status: object) -> None:
        """Prober's sink: a probe was checked; alert when it goes down, resolve when up."""
        name: str = status.name  # type: ignore[attr-defined]
        was_down = self._probe_down.get(name, False)
        down = bool(status.down)  # type: ignore[attr-defined]
        self.probe_statuses[name] = status
        self._probe_down[name] = down
        if down != was_down:
            now = clock.now()
            alert = Alert(
                key=f"probe:{name}",
                name=f"{name} down",
                source="probe",
                severity=status.severity,  # type: ignore[attr-defined]
                state="firing" if down else "resolved",
                summary=status.alert_text,  # type: ignore[attr-defined]
                started_at=now,
                fired_at=now,
                resolved_at=None if down else now,
            )
            self._emit([AlertEvent("firing" if down else "resolved", alert)])
        self._show_probes()

    @work(exit_on_error=False, group="external-alerts", exclusive=True)
    async def fetch_external_alerts(self) -> None:
        from pulse_tui.sources.prometheus.external_alerts import (
            fetch_alertmanager_alerts,
            fetch_prometheus_alerts,
        )

        alerts = self.config.alerts
        jobs: list[tuple[str, object]] = []
        if alerts.prometheus_alerts:
            jobs.append(("prometheus", fetch_prometheus_alerts(self.config.prometheus)))
        if alerts.alertmanager_url:
            jobs.append(
                (
                    "alertmanager",
                    fetch_alertmanager_alerts(
                        alerts.alertmanager_url,
                        service_label=self.config.prometheus.service_label,
                    ),
                )
            )
        for source, job in jobs:
            try:
                found: list[Alert] = await job  # type: ignore[misc]
            except SourceError as exc:
                self.external_errors[source] = f"{source}: {exc}"
                continue
            self.external_errors.pop(source, None)
            for event in self.alert_book.merge_external(source, found):
                if event.kind == "firing" and not event.alert.silenced:
                    self._toast(event)
        self._show_alerts()

    # ------------------------------------------------------------- outputs

    def _emit(self, events: Sequence[AlertEvent]) -> None:
        if not events:
            return
        sent = self.alert_book.apply(events, self.silence_book, clock.now())
        # Toast only what is still firing: the first refresh replays the last minutes'
        # history, and an incident already over should not pop up on screen.
        last_kind = {event.alert.key: event.kind for event in sent}
        for event in sent:
            self._send(event)
            if event.kind == "firing" and last_kind[event.alert.key] == "firing":
                self._toast(event)
        self._show_alerts()

    def _send(self, event: AlertEvent) -> None:
        if self.notifier is not None:
            self.notifier.notify(event)

    def _toast(self, event: AlertEvent) -> None:
        alert = event.alert
        title = f"{alert.severity.upper()} firing: {alert.name}"
        body = f"{alert.service + ': ' if alert.service else ''}{alert.summary}"
        self.toast(body, title=title, severity="error" if alert.severity == "page" else "warning")
        if self.config.dashboard.bell:
            self.bell()

    def _alerts_tick(self) -> None:
        now = clock.now()
        self._emit(self.log_rule_evaluator.evaluate(now))
        for event in self.alert_book.refresh_silences(self.silence_book, now):
            self._send(event)
            self._toast(event)
        self._show_alerts()
        self._show_errors()

    def _bottom_tab(self) -> str:
        with contextlib.suppress(Exception):
            return self.query_one("#bottom", TabbedContent).active
        return ""

    def _show_alerts(self) -> None:
        with contextlib.suppress(Exception):  # before mount or while quitting
            current = self.alert_book.current()
            firing = sum(1 for a in current if a.state == "firing" and not a.silenced)
            label = f"Alerts ({firing})" if firing else "Alerts"
            tab = self.query_one("#bottom", TabbedContent).get_tab("tab-alerts")
            if str(tab.label) != label:
                tab.label = label
            if self._bottom_tab() != "tab-alerts":
                return  # the tables are rebuilt only while someone looks at them
            history = [(e.at, e.kind, e.alert) for e in self.alert_book.history]
            errors = list(self.external_errors.values())
            if self.notifier is not None and self.notifier.last_error:
                errors.append(scrub(f"webhook: {self.notifier.last_error}"))
            self.query_one(AlertsPane).show_alerts(current, history, errors)

    def _show_errors(self) -> None:
        if self._bottom_tab() != "tab-errors":
            return
        with contextlib.suppress(Exception):
            since = self.view_state.window_end() - self.view_state.range_seconds
            self.query_one(ErrorsPane).show_groups(
                self.error_groups.groups(since), since, self.error_groups.evicted
            )

    def _show_probes(self) -> None:
        if self._bottom_tab() != "tab-probes" and self.probe_statuses:
            return
        with contextlib.suppress(Exception):
            self.query_one(ProbesPane).show_probes(list(self.probe_statuses.values()))

    # ------------------------------------------------------------- user actions

    def on_alerts_pane_silence_requested(self, event: AlertsPane.SilenceRequested) -> None:
        from pulse_tui.ui.screens.silence import SilenceScreen

        def chosen(seconds: float | None) -> None:
            if seconds is None:
                return
            if seconds == 0:
                self.silence_book.unsilence(event.key)
            else:
                self.silence_book.silence(event.key, clock.now() + seconds)
            for alert in self.alert_book.current():
                if alert.key == event.key:
                    reason = self.silence_book.silenced(alert, clock.now())
                    alert.silenced, alert.silence_reason = reason is not None, reason or ""
            for sent in self.alert_book.refresh_silences(self.silence_book, clock.now()):
                self._send(sent)
            self._show_alerts()

        self.push_screen(SilenceScreen(event.name), chosen)

    def on_errors_pane_group_chosen(self, event: ErrorsPane.GroupChosen) -> None:
        """Filter the log pane to the group's lines and show it; the group is seen now."""
        group = self.error_groups.get(event.fingerprint)
        if group is not None and group.new:
            group.acknowledge()
            key = f"newerror:{event.fingerprint}"
            for alert in self.alert_book.firing():
                if alert.key == key:
                    now = clock.now()
                    resolved = alert.snapshot()
                    resolved.state, resolved.resolved_at = "resolved", now
                    self._emit([AlertEvent("resolved", resolved)])
        panel = self.log_panel
        panel.query_state.set_search(pattern_query(event.fingerprint))
        if not panel.query_state.state.filter_mode:
            panel.query_state.toggle_filter_mode()
        self.action_show_tab("logs")
        panel.update_status()

    def toast(
        self, message: str, *, title: str = "", severity: str = "information", timeout: float = 5
    ) -> None:
        """A notification whose text is data: sanitised, never parsed as markup."""
        self.notify(
            sanitize(message),
            title=sanitize(title),
            severity=severity,  # type: ignore[arg-type]
            timeout=timeout,
            markup=False,
        )

    async def stop_alerts(self) -> None:
        if self.prober is not None:
            with contextlib.suppress(Exception):
                await self.prober.stop()
        if self.notifier is not None:
            with contextlib.suppress(Exception):
                await self.notifier.close()
