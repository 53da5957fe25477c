"""PrometheusSource: the five panels from a real Prometheus, one range query per panel for
its chart and one for its current values (the last minutes at the scrape step, ending now).

Calls go through prometheus-api-client's blocking `PrometheusConnect`, each in its own
daemon thread (transport/daemon_thread.py: a quit never waits for a hung query). Its own
retries are off; `RetryPolicy` retries overload and outages (429/5xx, refused
connections) with jittered backoff and Retry-After, and never a query Prometheus
rejected (400/422) or gave up evaluating (503 timeout). A Retry-After longer than the
policy waits within a call is carried on the SourceError, for the panel to keep to.

Every answer is bounded: its body by `prometheus.max_body_bytes` (see recorder.py), its
series by `prometheus.max_series` (the top ones by their value now; the result says how
many there were). Prometheus' `limit` parameter is not used: the versions that have it on
range queries cut at an arbitrary series, not the top ones, and would hide the total.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
from prometheus_api_client import PrometheusConnect
from prometheus_api_client.exceptions import PrometheusApiClientException
from urllib3.util.retry import Retry

from pulse_tui.config import Config
from pulse_tui.model.core.redact import display_url
from pulse_tui.model.metrics.promql import PanelQuery, build_query, metric_names
from pulse_tui.model.metrics.promql_complete import LABEL_NAME
from pulse_tui.model.metrics.signals import QueryWindow, Recent, Series, Signal, SignalResult
from pulse_tui.model.metrics.top import top_series
from pulse_tui.sources.base import SourceError
from pulse_tui.sources.prometheus.histograms import HistogramError, parse_histograms
from pulse_tui.sources.prometheus.http import (
    QueryTimedOut,
    RetryPolicy,
    auth_settings,
    base_url,
    build_session,
    status_error,
    transport_error,
)
from pulse_tui.sources.prometheus.native import NativeHistograms
from pulse_tui.sources.prometheus.recorder import (
    AnswerRejected,
    ResponseInfo,
    ResponseRecorder,
    not_the_api,
)
from pulse_tui.sources.prometheus.settled import SettledCharts
from pulse_tui.sources.transport.daemon_thread import in_daemon_thread

#: The current values feed the services table, `summary` and the alert rules, which need
#: every service, not the chart's top few: they are capped this high (or at max_series).
RECENT_SERIES_FLOOR = 1000

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")


class _Attempt(Exception):
    """One failed attempt: the error to show, how long the server asked us to wait, and
    whether to try again within this call (`again`; a retryable error may still not be)."""

    def __init__(self, error: SourceError, retry_after: float | None, again: bool = True) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after
        self.again = again and error.retryable


def parse_series(
    result: list[dict[str, Any]], service_label: str, shift: float = 0.0
) -> tuple[Series, ...]:
    """Range-query matrix -> Series, sorted; NaN/±Inf strings become floats, `shift` moves time.
    Native histogram samples (`histograms`) are kept apart from the floats (`values`); a
    series may have both (`X or vector(1)`)."""
    series = []
    for item in result:
        metric = dict(item.get("metric", {}))
        service = metric.pop(service_label, "")
        metric.pop("__name__", None)
        points = item.get("values", [])
        series.append(
            Series(
                service=service,
                timestamps=[float(ts) + shift for ts, _ in points],
                # float() reads Prometheus' "NaN", "+Inf" and "-Inf" as is.
                values=[float(value) for _, value in points],
                labels=dict(sorted(metric.items())),
                histograms=parse_histograms(item, shift),
            )
        )
    series.sort(key=lambda s: (s.service, tuple(s.labels.items())))
    return tuple(series)


@dataclass(frozen=True, slots=True)
class _Fetched:
    """One range query's series (capped), how many there were, and what came with them."""

    series: tuple[Series, ...]
    total: int
    warnings: tuple[str, ...] = ()
    skew: float | None = None


class PrometheusSource:
    """A `MetricsSource` over the Prometheus HTTP API, configured by `config.prometheus`.

    `requests_made` counts HTTP attempts (retries included) and `bytes_received` the bytes
    of response bodies as sent on the wire, for benchmarks and the status line.

    `keep_settled_charts` (on unless switched off): a panel's chart answer asked for once
    its window can no longer change is kept, and while the window stays a call with
    `recent` asks only for the current values (settled.py). Every call still asks the
    server something, so an outage, a refusal or a clock gone wrong shows at once: a call
    without `recent` always asks for the chart.
    """

    def __init__(
        self,
        config: Config,
        *,
        retry: RetryPolicy | None = None,
        keep_settled_charts: bool = True,
    ) -> None:
        self.config = config
        self.prom = config.prometheus
        #: The URL as the header and every message show it: password masked.
        self.label = display_url(self.prom.url)
        #: Where requests go: no credentials in it (they go as basic auth).
        self._url = base_url(self.prom)
        self.service_label = self.prom.service_label
        self.retry = retry or RetryPolicy()
        self.recorder = ResponseRecorder(self.label, self.prom.max_body_bytes)
        self.requests_made = 0
        self._count_lock = threading.Lock()
        self._client: PrometheusConnect | None = None
        self._client_lock = threading.Lock()
        #: Which metrics are native histograms, asked when a panel's own query is empty.
        self.native_histograms = NativeHistograms(self._instant_answers)
        #: Final chart answers by panel (None: every call asks for the chart).
        self._settled: SettledCharts[tuple[_Fetched, _Fetched | None]] | None = (
            SettledCharts(self.prom.scrape_interval) if keep_settled_charts else None
        )

    @property
    def bytes_received(self) -> int:
        return self.recorder.bytes_received

    # ------------------------------------------------------------------ public API

    def panel_query(
        self, signal: Signal, window: QueryWindow, services: Sequence[str] = ()
    ) -> PanelQuery:
        """The query a panel sends (also shown by the app's "show query" view)."""
        settings = self.config.signals[signal]
        try:
            return build_query(
                signal,
                template=settings.query,
                unit=settings.unit,
                limit_template=settings.limit_query,
                service_label=self.service_label,
                status_label=self.prom.status_label,
                window_seconds=window.rate_window,
                services=services,
            )
        except ValueError as exc:
            raise SourceError(str(exc), retryable=False) from exc

    async def query_signal(
        self,
        signal: Signal,
        window: QueryWindow,
        services: Sequence[str] = (),
        *,
        compare_offset: float | None = None,
        recent: QueryWindow | None = None,
        young: QueryWindow | None = None,
    ) -> SignalResult:
        """One panel: a single range query for every (selected) service, and with `recent`
        one more over the last minutes at the scrape step, with `young` one more over the
        last few chart steps at a finer step (all at once).

        `compare_offset` fetches the same window shifted back by that many seconds and moves
        the answer forward onto the current timestamps. Shifting the window instead of adding
        PromQL `offset` works with any user template (no rewriting of selectors) and gives
        the same numbers, because every selector in a query shares the evaluation time.
        """
        panel = self.panel_query(signal, window, services)
        what = f"{signal.value} query"
        cap = self.prom.max_series
        key = (panel.expr, window, compare_offset, cap)
        # A kept chart is only ever shown beside a fresh answer from the server in the
        # same call (the current values): a call that would ask nothing would show an
        # outage as a panel "updated just now" (test_goes_down_mid_session_and_recovers).
        kept = None
        if self._settled is not None and recent is not None:
            kept = self._settled.get(what, key)
        # What changed's few steps are asked at every call, as before (failure kept).
        young_call = self._maybe_recent(signal, young, services, compare_offset, "what changed")
        latest: Recent | None
        if kept is not None and recent is not None:
            # The chart cannot change: only the current values (and what changed's steps)
            # are asked for, and the current values' failure is the panel's (the answer
            # would otherwise say nothing new). The server's clock is read off their
            # answer, not the kept one's.
            fetched, compare = kept
            (latest, skew), younger = await _gather(
                self._recent_or_raise(signal, recent, services, compare_offset, "current values"),
                young_call,
            )
        else:
            asked_at = time.time()
            chart = self._series(panel.expr, window, what, compare_offset, cap)
            (fetched, compare), (latest, younger) = await _gather(
                chart,
                _gather(
                    self._maybe_recent(signal, recent, services, compare_offset, "current values"),
                    young_call,
                ),
            )
            skew = fetched.skew
            if self._settled is not None:
                # A partial answer (warnings) may be whole when asked again.
                final = not _merged(fetched, compare) and self._settled.settled(
                    window.end, asked_at, fetched.skew
                )
                self._settled.offer(what, key, (fetched, compare), final=final)
        series = fetched.series
        note = hint = None
        if not series and not (latest and latest.series):
            # At the newest instant looked at: the chart's end is floored to its step.
            at = latest.window.end if latest else window.end
            note, hint = await self.native_histograms.explain(panel, self.service_label, at)
        return SignalResult(
            signal=signal,
            series=series,
            unit=panel.unit,
            fetched_at=time.time(),
            window=window,
            compare=compare.series if compare else (),
            note=note,
            hint=hint,
            recent=latest,
            young=younger,
            series_total=fetched.total,
            warnings=_merged(fetched, compare),
            clock_skew=skew,
        )

    async def _instant_answers(self, expr: str, at: float) -> bool:
        """Whether the instant query `expr` at `at` returns any series."""
        result, _ = await self._call(
            "native histogram check",
            lambda client: client.custom_query(expr, params={"time": f"{at:.3f}"}),
        )
        return bool(result)

    async def _series(
        self,
        expr: str,
        window: QueryWindow,
        what: str,
        compare_offset: float | None,
        cap: int,
    ) -> tuple[_Fetched, _Fetched | None]:
        """`expr` over `window`, and over it shifted back by `compare_offset` if set."""
        answer = self._range(expr, window, what, cap)
        if not compare_offset:
            return await answer, None
        back = compare_offset
        shifted = replace(window, start=window.start - back, end=window.end - back)
        return await _gather(
            answer, self._range(expr, shifted, f"{what} (compare)", cap, shift=back)
        )

    async def _maybe_recent(
        self,
        signal: Signal,
        window: QueryWindow | None,
        services: Sequence[str],
        compare_offset: float | None,
        purpose: str,
    ) -> Recent | None:
        """The current values' query (or the young window's, for what changed): the
        panel's PromQL over `window` with its own rate window; None when not asked. Its
        failure is kept, not raised: the panel still has its chart."""
        if window is None:
            return None
        try:
            recent, _ = await self._recent_or_raise(
                signal, window, services, compare_offset, purpose
            )
        except SourceError as exc:
            return Recent(window, error=str(exc))
        return recent

    async def _recent_or_raise(
        self,
        signal: Signal,
        window: QueryWindow,
        services: Sequence[str],
        compare_offset: float | None,
        purpose: str,
    ) -> tuple[Recent, float | None]:
        """`_maybe_recent`'s query, raising its failure, and the server's clock skew its
        answer gave."""
        cap = max(self.prom.max_series, RECENT_SERIES_FLOOR)
        expr = self.panel_query(signal, window, services).expr
        fetched, compare = await self._series(
            expr, window, f"{signal.value} query ({purpose})", compare_offset, cap
        )
        return Recent(window, fetched.series, compare.series if compare else ()), fetched.skew

    async def query_expr(
        self, expr: str, window: QueryWindow, *, what: str = "alert rule query"
    ) -> list[Series]:
        """Any PromQL over the window (PromQL alert rules, imported dashboards), with the
        panels' client and retries; one series per label set, the service taken from
        `service_label`. `what` names the query in its errors.

        Not cut: a rule must judge every series (the body cap still bounds memory)."""
        return list((await self._range(expr, window, what, sys.maxsize)).series)

    async def query_expr_top(
        self, expr: str, window: QueryWindow, limit: int, *, what: str = "dashboard query"
    ) -> tuple[list[Series], int]:
        """`query_expr` cut to the `limit` series with the highest value now, as the panels
        cut to `max_series` (in the call's thread, so a 50,000-series answer never
        reaches the event loop), and how many series it answered."""
        fetched = await self._range(expr, window, what, limit)
        return list(fetched.series), fetched.total

    async def services(self) -> list[str]:
        """Services with traffic in the last dashboard range (at least an hour), sorted."""
        traffic = self.config.signals[Signal.TRAFFIC].query or ""
        names = metric_names(traffic) if traffic else ("http_requests_total",)
        now = time.time()
        params: dict[str, Any] = {"start": now - max(self.config.dashboard.range, 3600), "end": now}
        if names:
            params["match[]"] = names[0]
        values, _ = await self._call(
            "service list",
            lambda client: client.get_label_values(label_name=self.service_label, params=params),
        )
        return sorted(str(v) for v in values)

    async def label_names(
        self, match: Sequence[str], start: float, end: float, limit: int
    ) -> list[str]:
        """`/api/v1/labels`: the label names of the series `match` selects (all series
        when empty) between `start` and `end`; at most `limit` + 1 asked for (`limit` is
        honoured by Prometheus 2.51+, others send all: the caller cuts)."""
        params = _label_params(match, start, end, limit)
        names, _ = await self._call(
            "label names", lambda client: client.get_label_names(params=params)
        )
        return [str(name) for name in names]

    async def label_values(
        self, label: str, match: Sequence[str], start: float, end: float, limit: int
    ) -> list[str]:
        """`/api/v1/label/<label>/values` (`__name__`: the metric names), as `label_names`.
        `label` goes into the URL's path: only a plain label name is sent."""
        if not LABEL_NAME.match(label):
            raise SourceError(f"not a label name: {label!r}", retryable=False)
        params = _label_params(match, start, end, limit)
        values, _ = await self._call(
            f"values of label {label}",
            lambda client: client.get_label_values(label_name=label, params=params),
        )
        return [str(value) for value in values]

    async def probe(self) -> str:
        """One line for `pulse-tui check`: "Prometheus 2.42.0 at URL, 4 services".

        Proven with a query (`vector(1)`), which every Prometheus-API backend answers, as
        the panels need; the build info only names the version where there is one
        (VictoriaMetrics answers it with empty data, Thanos and Mimir not at all).
        """

        def query_then_name(client: PrometheusConnect) -> str:
            result = client.custom_query("vector(1)")
            if float(result[0]["value"][1]) != 1:  # anything else: not the API (ValueError)
                raise ValueError(f"vector(1) answered {result!r}")
            return self._backend_name(client)

        name, _ = await self._call("test query", query_then_name)
        count = len(await self.services())
        return f"{name} at {self.label}, {count} service{'s' if count != 1 else ''}"

    def _backend_name(self, client: PrometheusConnect) -> str:
        """ "Prometheus 2.42.0" from the build info, else "Prometheus API" (whatever else
        speaks it); the query has already shown the API works, so a failure here is no
        failure of the check."""
        try:
            # The library has no build-info call; its own session keeps auth and TLS, and
            # verify/cert are passed as the library passes them, so `check` trusts exactly
            # what the panels trust (never REQUESTS_CA_BUNDLE instead of ca_file).
            response = client._session.get(
                f"{self._url}/api/v1/status/buildinfo",
                headers=client.headers,
                auth=client.auth,
                timeout=self.prom.timeout,
                verify=client._session.verify,
                cert=client._session.cert,
            )
            version = response.json()["data"]["version"] if response.status_code == 200 else ""
        except (requests.RequestException, KeyError, TypeError, ValueError):
            version = ""
        return f"Prometheus {version}" if isinstance(version, str) and version else "Prometheus API"

    async def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------ calls

    async def _range(
        self, expr: str, window: QueryWindow, what: str, cap: int, shift: float = 0.0
    ) -> _Fetched:
        def call(client: PrometheusConnect) -> tuple[tuple[Series, ...], int]:
            raw = client.custom_query_range(
                expr,
                start_time=datetime.fromtimestamp(window.start, UTC),
                end_time=datetime.fromtimestamp(window.end, UTC),
                step=f"{window.step:g}",
                # Prometheus stops evaluating too, instead of burning CPU for nobody.
                params={"timeout": f"{self.prom.timeout:g}s"},
            )
            # Parsed and capped here, in the call's thread: 50,000 series take seconds
            # of CPU, which the event loop must not spend. A matrix that is not one
            # (KeyError, TypeError, ValueError) is reported by _attempt as not the API.
            return top_series(parse_series(raw, self.service_label, shift), cap)

        (kept, total), info = await self._call(what, call)
        if info is None:
            return _Fetched(kept, total)
        return _Fetched(kept, total, info.warnings, info.clock_skew)

    async def _call(
        self, what: str, fn: Callable[[PrometheusConnect], T]
    ) -> tuple[T, ResponseInfo | None]:
        """`fn(client)` in a daemon thread, retried per the policy, with the last response
        the hook saw; raises SourceError."""
        attempt = 1
        while True:
            try:
                return await in_daemon_thread(
                    lambda: self._attempt(what, fn), name=f"prometheus {what}"
                )
            except _Attempt as failed:
                error = failed.error
                if not failed.again or attempt >= self.retry.attempts:
                    raise error from None
                delay = self.retry.delay(attempt, failed.retry_after)
                if delay is None:
                    message = f"{error} (server asks to retry after {failed.retry_after:g}s)"
                    raise SourceError(
                        message, retry_after=failed.retry_after, status=error.status
                    ) from None
                await asyncio.sleep(delay)
                attempt += 1

    def _attempt(
        self, what: str, fn: Callable[[PrometheusConnect], T]
    ) -> tuple[T, ResponseInfo | None]:
        """One try, in a worker thread; failures become `_Attempt` carrying a SourceError."""
        client = self._connect()
        with self._count_lock:
            self.requests_made += 1
        self.recorder.reset()
        try:
            return fn(client), self.recorder.last()
        except AnswerRejected as exc:  # the hook would not have it: too big, not JSON
            raise _Attempt(exc.error, None) from exc
        except requests.RequestException as exc:
            if isinstance(exc, requests.exceptions.JSONDecodeError):
                raise _Attempt(self._not_json(), None) from exc
            error = transport_error(
                exc, self.label, self.prom.timeout, client_certificate=bool(self.prom.cert_file)
            )
            # A server that hung once hangs again: waiting `attempts` timeouts would only
            # freeze the panel longer. The next refresh tries again anyway.
            hung = isinstance(exc, requests.exceptions.ReadTimeout)
            raise _Attempt(error, None, again=not hung) from exc
        except PrometheusApiClientException as exc:
            info = self.recorder.last()
            if info is None:  # cannot happen with our session; keep the library's words
                raise _Attempt(SourceError(f"{what} failed: {exc}"), None) from exc
            error, retry_after = status_error(
                info,
                self.label,
                what,
                # A user:password in the URL is configured credentials too.
                token_configured=bool(
                    self.prom.token or self.prom.username or self._url != self.prom.url
                ),
            )
            # Sent again as it is, a query Prometheus gave up on times out again.
            again = not isinstance(error, QueryTimedOut)
            raise _Attempt(error, retry_after, again=again) from exc
        except HistogramError as exc:
            # The API, but a native histogram in it that is not one: said as it is.
            error = SourceError(
                f"{what}: {self.label} answered a malformed native histogram: {exc}",
                retryable=False,
            )
            raise _Attempt(error, None) from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # 200 with a body that is not the API (or a result that is not a matrix)
            raise _Attempt(self._not_json(), None) from exc

    def _not_json(self) -> SourceError:
        return not_the_api(self.recorder.last(), self.label)

    def _connect(self) -> PrometheusConnect:
        with self._client_lock:
            if self._client is None:
                headers, auth = auth_settings(self.prom)
                self._client = PrometheusConnect(
                    url=self._url,
                    headers=headers,
                    auth=auth,
                    session=build_session(self.prom, self.recorder),
                    timeout=self.prom.timeout,
                    # Its default Retry would retry 5xx itself, hiding them from our policy.
                    retry=Retry(total=0, read=False),
                )
            return self._client


async def _gather(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Both at once; when one fails the other is cancelled, not left sending requests
    for an answer nobody reads."""
    one, two = asyncio.ensure_future(first), asyncio.ensure_future(second)
    try:
        return await asyncio.gather(one, two)
    except BaseException:
        one.cancel()
        two.cancel()
        raise


def _label_params(match: Sequence[str], start: float, end: float, limit: int) -> dict[str, Any]:
    params: dict[str, Any] = {"start": f"{start:.3f}", "end": f"{end:.3f}", "limit": limit + 1}
    if match:
        params["match[]"] = list(match)
    return params


def _merged(chart: _Fetched, compare: _Fetched | None) -> tuple[str, ...]:
    """The warnings of the chart's answers, each once."""
    found = list(chart.warnings) + (list(compare.warnings) if compare else [])
    return tuple(dict.fromkeys(found))
