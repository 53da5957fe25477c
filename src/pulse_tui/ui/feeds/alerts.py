"""The alerts feed: rules on fetched series, log rules, error groups, probes,
Prometheus/Alertmanager alerts, silences, toasts, the bell and webhooks.

Everything is evaluated on data the app already has (panel results, arriving log lines);
the only extra requests are PromQL rules, external alert lists and the probes themselves.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Awaitable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.notifications import SeverityLevel

from pulse_tui.config import Config
from pulse_tui.model.alerting.alerts import Alert, AlertBook, AlertEvent
from pulse_tui.model.alerting.error_groups import ErrorGroups
from pulse_tui.model.alerting.log_rules import LogRuleEvaluator
from pulse_tui.model.alerting.rules import RuleEvaluator, query_rule_window
from pulse_tui.model.alerting.silences import SilenceBook
from pulse_tui.model.core import clock
from pulse_tui.model.core.redact import scrub
from pulse_tui.model.logs.buffer import LogBuffer
from pulse_tui.model.logs.line import LogLine
from pulse_tui.model.metrics.changes import Finding
from pulse_tui.model.metrics.signals import Signal, SignalResult
from pulse_tui.sources.base import MetricsSource, SourceError
from pulse_tui.ui.dashboard import Dashboard
from pulse_tui.ui.feeds.worker import start_worker
from pulse_tui.ui.toast import toast
from pulse_tui.ui.view import ViewController

if TYPE_CHECKING:
    # Both import httpx, which only a config with webhooks or probes needs at start-up.
    from pulse_tui.sources.probes import Prober, ProbeStatus
    from pulse_tui.sources.webhooks import WebhookNotifier

#: How often Prometheus' and Alertmanager's own alert lists are fetched.
EXTERNAL_INTERVAL = 30.0


class AlertsFeed:
    """Owns the session's alerting: evaluators, the alert book, silences, the notifier,
    error groups, external alert lists and probes; fills the alerts, error-groups and probes tabs.

    The metrics feed hands it each panel's result (`after_result`), the log feed each
    flush's batches (`after_lines`); the prober its checks (`on_probe`).
    """

    def __init__(
        self,
        app: App[Any],
        config: Config,
        metrics: MetricsSource,
        view: ViewController,
        dashboard: Dashboard,
    ) -> None:
        alerts = config.alerts
        self._app = app
        self._config = config
        self._metrics = metrics
        self._view = view
        self._dashboard = dashboard
        #: Signal rules (on the panels' series), change rules (on what changed; the
        #: automatic ones when the config has no rules) and PromQL rules (queried here).
        self.rules = RuleEvaluator(alerts.rules_in_force)
        self.log_rules = LogRuleEvaluator(alerts.log_rules)
        self.silences = SilenceBook(alerts.silences)
        #: Every alert of the session, from every source, and its history.
        self.book = AlertBook(history_size=1000, stale_after=900.0)
        self.notifier: WebhookNotifier | None = None
        if alerts.webhooks:
            from pulse_tui.sources.webhooks import WebhookNotifier

            self.notifier = WebhookNotifier(alerts.webhooks)
        #: Warn-or-worse lines by fingerprint and line time; lines stamped before the
        #: session started are history (never NEW).
        self.error_groups = ErrorGroups(max_groups=alerts.max_error_groups, live_from=clock.now())
        #: The log buffer, whose evictions error groups follow (`follow_buffer`), and how
        #: many lines it had evicted when they last did.
        self._buffer: LogBuffer | None = None
        self._buffer_evicted = 0
        #: What failed last time, by source ("prometheus", "rule <name>"), for the pane.
        self.external_errors: dict[str, str] = {}
        #: Each probe's latest check, by name.
        self.probe_statuses: dict[str, ProbeStatus] = {}
        self._probe_down: dict[str, bool] = {}
        self._prober: Prober | None = None

    def start(self) -> None:
        """Called on mount: background senders, the 1 s tick, external lists, probes."""
        app, alerts = self._app, self._config.alerts
        if self.notifier is not None:
            app.run_worker(self.notifier.run(), group="alerts", exit_on_error=False)
        app.set_interval(1.0, self._tick)
        # Prometheus' own alerts only where Prometheus was asked for (`--logs` alone: not).
        prometheus_alerts = alerts.prometheus_alerts and self._config.metrics_wanted
        if not self._config.demo and (prometheus_alerts or alerts.alertmanager_url):
            self._fetch_external()
            app.set_interval(EXTERNAL_INTERVAL, self._fetch_external)
        if alerts.probes:
            from pulse_tui.sources.probes import Prober

            self._prober = Prober(alerts.probes)
            app.run_worker(self._prober.run(self.on_probe), group="probes", exit_on_error=False)
        self._show_probes()

    async def stop(self) -> None:
        """Stop probing and flush the notifier (on quit)."""
        if self._prober is not None:
            with contextlib.suppress(Exception):
                await self._prober.stop()
        if self.notifier is not None:
            with contextlib.suppress(Exception):
                await self.notifier.close()

    def follow_buffer(self, buffer: LogBuffer) -> None:
        """Error groups count what `buffer` holds: lines it evicts are forgotten (each
        tick). Every line reaches the groups through `after_lines` first."""
        self._buffer = buffer
        self._buffer_evicted = buffer.rotated_out

    # ------------------------------------------------------------- inputs

    def after_result(self, signal: Signal, result: SignalResult) -> None:
        """Signal rules on the series a panel just fetched (no extra query)."""
        self._emit(self.rules.observe(signal, result, clock.now()))
        self.book.set_pending("rules", self.rules.pending())
        if signal is Signal.TRAFFIC and self.rules.query_rules:
            start_worker(
                self._app,
                partial(self._run_query_rules, result),
                name="run_query_rules",
                group="query-rules",
                exclusive=True,
            )
        self._show_alerts()

    def after_findings(
        self, results: Mapping[Signal, SignalResult], findings: Sequence[Finding]
    ) -> None:
        """Change rules on what changed, once per round of results (the metrics feed
        judges the changes after painting, and hands them here)."""
        events = self.rules.observe_changes(results, findings)
        self._emit(events)
        self.book.set_pending("rules", self.rules.pending())
        if not events:
            self._show_alerts()  # pending ones come and go without events

    async def _run_query_rules(self, traffic: SignalResult) -> None:
        """PromQL rules: one query each per refresh, up to the traffic panel's current
        values at their step (`query_rule_window`), so they too judge now at any range."""
        events: list[AlertEvent] = []
        window = query_rule_window(traffic)
        for rule in self.rules.query_rules:
            try:
                series = await self._metrics.query_expr(rule.query or "", window)
            except SourceError as exc:
                self.external_errors[f"rule {rule.name}"] = str(exc)
                continue
            self.external_errors.pop(f"rule {rule.name}", None)
            events += self.rules.observe_query(rule, series, clock.now(), window.step)
        self._emit(events)
        self.book.set_pending("rules", self.rules.pending())
        self._show_alerts()

    def after_history(self, batches: Sequence[Sequence[LogLine]]) -> None:
        """Lines of a past window fetched on demand: the error groups count them; the
        log rules do not (they judge rates as lines arrive, and these are old)."""
        for batch in batches:
            self.error_groups.observe(batch)
            # A group thought new whose older lines just came was not new after all.
            self._end_new_alerts(self.error_groups.take_unflagged())

    def after_lines(self, batches: Sequence[Sequence[LogLine]]) -> None:
        """Every arriving batch feeds log rules and error grouping."""
        for batch in batches:
            self.log_rules.observe(batch)
            new = self.error_groups.observe(batch)
            # A group thought new whose older lines just arrived (a late host's history)
            # was not new after all: its alert ends.
            self._end_new_alerts(self.error_groups.take_unflagged())
            if new and self._config.alerts.new_error_groups:
                # A pattern never seen this session is an info alert; it resolves when the
                # user acknowledges the group (Enter on it in the error-groups tab).
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

    def on_probe(self, status: ProbeStatus) -> None:
        """Prober's sink: a probe was checked; alert when it goes down, resolve when up."""
        name = status.name
        was_down = self._probe_down.get(name, False)
        self.probe_statuses[name] = status
        self._probe_down[name] = status.down
        if status.down != was_down:
            now = clock.now()
            alert = Alert(
                key=f"probe:{name}",
                name=f"{name} down",
                source="probe",
                severity=status.severity,  # type: ignore[arg-type]  # validated by the config
                state="firing" if status.down else "resolved",
                summary=status.alert_text,
                started_at=now,
                fired_at=now,
                resolved_at=None if status.down else now,
            )
            self._emit([AlertEvent("firing" if status.down else "resolved", alert)])
        self._show_probes()

    def _fetch_external(self) -> None:
        start_worker(
            self._app,
            self._fetch_external_now,
            name="fetch_external_alerts",
            group="external-alerts",
            exclusive=True,
        )

    async def _fetch_external_now(self) -> None:
        from pulse_tui.sources.prometheus.external_alerts import (
            fetch_alertmanager_alerts,
            fetch_prometheus_alerts,
        )

        alerts, prometheus = self._config.alerts, self._config.prometheus
        jobs: list[tuple[str, Awaitable[list[Alert]]]] = []
        if alerts.prometheus_alerts and self._config.metrics_wanted:
            jobs.append(("prometheus", fetch_prometheus_alerts(prometheus)))
        if alerts.alertmanager_url:
            jobs.append(
                (
                    "alertmanager",
                    fetch_alertmanager_alerts(
                        alerts.alertmanager_url, service_label=prometheus.service_label
                    ),
                )
            )
        for source, job in jobs:
            try:
                found = await job
            except SourceError as exc:
                self.external_errors[source] = f"{source}: {exc}"
                continue
            self.external_errors.pop(source, None)
            for event in self.book.merge_external(source, found):
                if event.kind == "firing" and not event.alert.silenced:
                    self._toast(event)
        self._show_alerts()

    # ------------------------------------------------------------- user actions

    def silence(self, key: str, name: str) -> None:
        """Ask for how long (or to lift it), then silence the alert with `key`."""
        from pulse_tui.ui.screens.silence import SilenceScreen

        def chosen(seconds: float | None) -> None:
            if seconds is None:
                return
            now = clock.now()
            if seconds == 0:
                self.silences.unsilence(key)
            else:
                self.silences.silence(key, now + seconds)
            self.book.mark_silence(key, self.silences, now)
            for sent in self.book.refresh_silences(self.silences, now):
                self._send(sent)
            self._show_alerts()

        self._app.push_screen(SilenceScreen(name), chosen)

    def acknowledge_group(self, fingerprint: str) -> None:
        """The user looked at this error group: it is not new any more (its alert ends)."""
        group = self.error_groups.get(fingerprint)
        if group is None or not group.new:
            return
        group.acknowledge()
        self._end_new_alerts([fingerprint])

    def _end_new_alerts(self, fingerprints: Sequence[str]) -> None:
        if not fingerprints:
            return
        keys = {f"newerror:{fp}" for fp in fingerprints}
        now = clock.now()
        firing = self.book.firing()
        self._emit([AlertEvent("resolved", a.resolved(now)) for a in firing if a.key in keys])

    # ------------------------------------------------------------- outputs

    def _emit(self, events: Sequence[AlertEvent]) -> None:
        if not events:
            return
        sent = self.book.apply(events, self.silences, clock.now())
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
        severity: SeverityLevel = "error" if alert.severity == "page" else "warning"
        toast(self._app, body, title=title, severity=severity)
        if self._config.dashboard.bell:
            self._app.bell()

    def _tick(self) -> None:
        now = clock.now()
        self._forget_evicted()
        self._emit(self.log_rules.evaluate(now))
        for event in self.book.refresh_silences(self.silences, now):
            self._send(event)
            self._toast(event)
        self._show_alerts()
        self._show_error_groups()

    def show_pane(self, tab: str) -> None:
        """Bring a bottom tab up to date as it is shown (hidden ones are not kept current)."""
        if tab == "alerts":
            self._show_alerts()
        elif tab == "error-groups":
            self._show_error_groups()
        elif tab == "probes":
            self._show_probes()

    def _show_alerts(self) -> None:
        dashboard = self._dashboard
        with contextlib.suppress(Exception):  # before mount or while quitting
            current = self.book.current()
            firing = sum(1 for a in current if a.state == "firing" and not a.silenced)
            dashboard.set_tab_label("alerts", f"Alerts ({firing})" if firing else "Alerts")
            if dashboard.active_tab != "alerts":
                return  # the tables are rebuilt only while someone looks at them
            history = [(e.at, e.kind, e.alert) for e in self.book.history]
            errors = list(self.external_errors.values())
            if self.notifier is not None and self.notifier.last_error:
                errors.append(scrub(f"webhook: {self.notifier.last_error}"))
            dashboard.alerts_pane.show_alerts(current, history, errors)

    def _forget_evicted(self) -> None:
        """Lines the buffer evicted leave the error groups' counts too."""
        buffer = self._buffer
        if buffer is None or buffer.rotated_out == self._buffer_evicted or not len(buffer):
            return
        self._buffer_evicted = buffer.rotated_out
        self.error_groups.forget_before(buffer[0].timestamp)

    def _show_error_groups(self) -> None:
        if self._dashboard.active_tab != "error-groups":
            return
        with contextlib.suppress(Exception):  # while quitting
            state = self._view.state
            end = state.window_end(clock.now())
            since = end - state.range_seconds
            # Live, the range reaches whatever arrives (a host's clock a little ahead);
            # a past range ends where it ends.
            until = math.inf if state.end is None else end
            self._dashboard.error_groups_pane.show_groups(self.error_groups, since, until, end)

    def _show_probes(self) -> None:
        if self._dashboard.active_tab != "probes" and self.probe_statuses:
            return
        with contextlib.suppress(Exception):  # before mount or while quitting
            self._dashboard.probes_pane.show_probes(list(self.probe_statuses.values()))
