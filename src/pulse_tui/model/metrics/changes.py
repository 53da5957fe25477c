"""What changed: level shifts per service and signal, found on the series the panels
already fetched, each with its value before and after, when it started and how bad it is.

`detect_changes(results, thresholds)` reads every panel's `SignalResult` (the chart's
series, and the compare overlay as a baseline when the user turned it on) and returns
`Finding`s worst first. No query of its own, no I/O: the dashboard, `summary` and the
automatic alerts all call it on what they have.

What counts (see `change_points.py` for the statistics):

- a level shift of at least half the level (or of the signal's floor, for levels near 0)
  and six noise scales, lasting at least `min_points` (so a one-sample spike, a counter
  reset or a scrape hiccup is not one);
- for error ratio, latency, saturation and queue latency only a rise; for traffic, a fall
  or a surge;
- an abrupt one (a step), or for the signals with thresholds, a slow one that took the
  value from below warn to warn or worse: diurnal traffic drifts, and is not news.

NaN points are gaps and are skipped; a service without traffic has nothing to shift.

Cost: most series of a refresh held their level, and `steady.py` proves that for a whole
panel at once, cheaply, before any series is judged on its own; the proof is a bound, so
it changes no finding.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pulse_tui.model.metrics.change_points import (
    Segment,
    Shift,
    abrupt,
    finite_points,
    median,
    noise_scale,
    onset,
    screen,
    segments,
)
from pulse_tui.model.metrics.signals import QueryWindow, Series, Signal, SignalResult, Thresholds
from pulse_tui.model.metrics.steady import series_proven_steady

#: Worst first: the order of `Finding.severity` values.
SEVERITIES = ("crit", "warn", "info")
#: Change smaller than this fraction of the level (or floor) is never a finding.
RELATIVE = 0.5
#: Noise scales a change must exceed.
SIGMAS = 6.0
#: A level change is measured against at least this level, per signal: 1 % → 1.4 % errors
#: is 40 % more, but not an incident; from 0 errors, 1 point of ratio is.
FLOORS: dict[Signal, float] = {
    Signal.ERRORS: 0.02,
    Signal.LATENCY: 0.1,
    Signal.QUEUE: 0.1,
    Signal.SATURATION: 0.1,
    Signal.TRAFFIC: 1.0,
}
#: Traffic down to this fraction of before is an outage (crit); down by half, warn.
TRAFFIC_GONE = 0.1
#: Traffic up by this factor is a surge worth a warning.
TRAFFIC_SURGE = 3.0


@dataclass(frozen=True, slots=True)
class Finding:
    """One service's signal that changed level at `start`."""

    service: str
    signal: Signal
    #: What within the signal: the queue's name for queue latency, else "".
    detail: str
    unit: str
    #: The level before the change and the level after it (now, if ongoing).
    before: float
    after: float
    #: Unix seconds of the first point of the change (to one step of the chart).
    start: float
    #: When it went back (the first point at the old level); None while ongoing.
    end: float | None
    #: "crit", "warn" or "info": `after` against the warn/crit thresholds (traffic: how
    #: far it fell or rose).
    severity: str
    #: The step of the series it was found on: the precision of `start`.
    step: float

    @property
    def ongoing(self) -> bool:
        return self.end is None

    @property
    def change(self) -> float:
        """How big, relative to before (inf from 0)."""
        if self.before == 0:
            return math.inf if self.after else 0.0
        return abs(self.after - self.before) / abs(self.before)

    def rank(self) -> tuple[int, int, float, float, str, str]:
        """Sort key, worst first: ongoing, severity, size of the change, earliest."""
        return (
            0 if self.ongoing else 1,
            SEVERITIES.index(self.severity),
            -min(self.change, 1e9),
            self.start,
            self.service,
            self.signal.value,
        )


def detect_changes(
    results: Mapping[Signal, SignalResult],
    thresholds: Callable[[Signal, str], Thresholds],
) -> list[Finding]:
    """Every finding in the panels' results, worst first (see the module docstring).

    The chart's series find changes over the range. An incident younger than a few of the
    chart's steps, which the chart cannot tell from a blip yet, is found at a long range by
    the young window (the last chart steps at a finer step), and within minutes by the
    recent minutes (`Recent`, one scrape per step). A finer window's finding of the same
    change replaces the chart's (`pinned`: its start to the minute); other ongoing changes
    are taken from either, and the young window's recovered ones too.
    """
    findings: list[Finding] = []
    for signal, result in results.items():
        found = _judge(signal, result.series, result.compare, result, thresholds)
        for finer in (result.young, result.recent):
            if finer is None or finer.error is not None:
                continue
            newer = _judge(signal, finer.series, finer.compare, result, thresholds, finer.window)
            found = [pinned(f, newer) for f in found]
            seen = {(f.service, f.detail, f.start) for f in found}
            ongoing = {(f.service, f.detail) for f in found if f.ongoing}
            found += [
                f
                for f in newer
                if (f.service, f.detail, f.start) not in seen
                and (f.service, f.detail) not in ongoing
                # The recent minutes hold too few points to call a change over; the young
                # window's hour holds as many as a 1 h chart, whose recoveries are shown.
                and (f.ongoing or finer is result.young)
            ]
        findings += found
    findings.sort(key=Finding.rank)
    return findings


def pinned(coarse: Finding, finer: Sequence[Finding]) -> Finding:
    """The same change as `coarse` seen on a finer step, when one of `finer` saw it, else
    `coarse`: at 12 h a chart point is 10 minutes, so the chart alone says "since 09:10"
    of a change that began at 09:00:25, and its newest points, each a 10-minute average,
    put "now" halfway between the old level and the new; the young window's minutes say
    09:01 and the level of the last minutes.

    The same change, not another one of the series: a rate window spans the change, so a
    partly changed point falls on either side of the chart's split, and the finer start
    must lie within one chart step of the chart's (give or take one finer step)."""
    for other in finer:
        if (other.service, other.detail) != (coarse.service, coarse.detail):
            continue
        if other.step >= coarse.step:
            continue
        if abs(other.start - coarse.start) <= coarse.step + other.step:
            return other
    return coarse


def _judge(
    signal: Signal,
    series: Sequence[Series],
    compare: Sequence[Series],
    result: SignalResult,
    thresholds: Callable[[Signal, str], Thresholds],
    window: QueryWindow | None = None,
) -> list[Finding]:
    window = window or result.window
    baselines = {_key(s): s for s in compare}
    min_points = min_length(window.step, window.rate_window)
    judged = [
        item
        for item in series
        if signal is not Signal.LATENCY or item.labels.get("quantile", "p99") == "p99"
    ]
    # Most series held their level: prove that for the whole panel at once and judge only
    # the rest one by one. A series with a baseline from the compare period is judged
    # against it, so it is never skipped.
    steady = series_proven_steady(
        [item.values for item in judged],
        _floor(signal, result.unit),
        relative=RELATIVE,
        min_length=min_points,
    )
    baselined = [bool(baselines) and _key(item) in baselines for item in judged]
    found = []
    for item, proven, has_baseline in zip(judged, steady, baselined, strict=True):
        if proven and not has_baseline:
            continue
        finding = detect_series(
            item,
            signal,
            result.unit,
            thresholds(signal, item.service),
            step=window.step,
            min_points=min_points,
            baseline=baselines.get(_key(item)),
        )
        if finding is not None:
            found.append(finding)
    return found


def min_length(step: float, rate_window: float) -> int:
    """Points a level must hold to count: more than a counter blip disturbs (a rate over
    `rate_window` sees one odd scrape for that long), and never fewer than 3."""
    return max(3, math.ceil(rate_window / step) + 1)


def _key(series: Series) -> tuple[str, tuple[tuple[str, str], ...]]:
    return series.service, tuple(sorted(series.labels.items()))


def _floor(signal: Signal, unit: str) -> float:
    return 10.0 if signal is Signal.SATURATION and unit == "%" else FLOORS[signal]


def detect_series(
    series: Series,
    signal: Signal,
    unit: str,
    thresholds: Thresholds,
    *,
    step: float,
    min_points: int,
    baseline: Series | None = None,
) -> Finding | None:
    """The latest change in one series, or None when its level held."""
    times, values = finite_points(series.timestamps, series.values)
    floor = _floor(signal, unit)
    reference: float | None = None
    if baseline is not None:
        _, earlier = finite_points(baseline.timestamps, baseline.values)
        if len(earlier) >= min_points:
            reference = median(earlier)
    if len(values) < 2 * min_points and reference is None:
        return None
    if reference is None:
        screened = screen(values, floor, sigmas=SIGMAS, relative=RELATIVE, min_length=min_points)
        if screened is None:
            return None
        shift = screened
    else:
        shift = Shift(noise_scale(values), floor, SIGMAS, RELATIVE)
    parts = segments(values, shift, min_length=min_points)
    base = parts[0].level if reference is None else reference
    run = _last_run(parts, base, shift, signal)
    if run is None:
        return None
    first, last = run
    head = parts[first]
    if first == 0:
        # Only a baseline from the compare period says the range began changed.
        if reference is None:
            return None
        before, start_index = reference, 0
    else:
        before = parts[first - 1].level
        peak = max(values[head.lo : parts[last].hi])
        if not _counts(values, head, before, peak, thresholds, signal, min_points):
            return None
        margin = max(3 * shift.noise, 0.05 * abs(head.level - before))
        start_index = onset(values, head.lo, parts[first - 1].lo, before, margin)
    tail = parts[last]
    after = median(values[max(tail.lo, tail.hi - 3) : tail.hi])
    end = None if last == len(parts) - 1 else times[parts[last + 1].lo]
    if end is None and not shift.significant(before, after):
        # Back at the old level for fewer points than a segment needs: recovering, not
        # "errors 0.33% → 0.37% since 13:01". Said as recovered once it has held.
        return None
    return Finding(
        service=series.service,
        signal=signal,
        detail=series.labels.get("queue", ""),
        unit=unit,
        before=before,
        after=after,
        start=times[start_index],
        end=end,
        severity=severity(signal, before, after, thresholds),
        step=step,
    )


def _bad(signal: Signal, before: float, level: float) -> bool:
    """Whether a move from `before` to `level` is the kind that matters for `signal`."""
    return signal is Signal.TRAFFIC or level > before


def _last_run(
    parts: Sequence[Segment], base: float, shift: Shift, signal: Signal
) -> tuple[int, int] | None:
    """(first, last) index of the newest run of segments changed from `base` the same way."""
    run: tuple[int, int] | None = None
    index = 0
    while index < len(parts):
        level = parts[index].level
        if shift.significant(base, level) and _bad(signal, base, level):
            up = level > base
            last = index
            while (
                last + 1 < len(parts)
                and shift.significant(base, parts[last + 1].level)
                and (parts[last + 1].level > base) == up
            ):
                last += 1
            run = (index, last)
            index = last + 1
        else:
            index += 1
    return run


def _counts(
    values: Sequence[float],
    head: Segment,
    before: float,
    peak: float,
    thresholds: Thresholds,
    signal: Signal,
    width: int,
) -> bool:
    """A step always counts; a slow change (up to `peak`) only when it crossed from
    below warn into warn or worse."""
    if abrupt(values, head.lo, before, head.level, width):
        return True
    if signal is Signal.TRAFFIC:
        return False
    return thresholds.level(before) in ("ok", "none") and thresholds.level(peak) in (
        "warn",
        "crit",
    )


def severity(signal: Signal, before: float, after: float, thresholds: Thresholds) -> str:
    """How bad: `after` against the thresholds; for traffic, how far it fell or rose."""
    if signal is Signal.TRAFFIC:
        if after <= TRAFFIC_GONE * before:
            return "crit"
        if after <= 0.5 * before or after >= TRAFFIC_SURGE * before:
            return "warn"
        return "info"
    level = thresholds.level(after)
    return level if level in ("crit", "warn") else "info"
