"""Native histogram samples in a query answer: `histograms` of a matrix series (range
query), `histogram` of a vector one (instant query), as Prometheus 2.40+ sends them:

    [ts, {"count": "2.01", "sum": "1.40", "buckets": [[0, "0.25", "0.5", "1.43"], ...]}]

Every field is a number written as a string, so nothing needs sanitising; anything else
(a missing field, a bucket that is not four items, a bound that is no number, bounds out
the wrong way round) is rejected as a whole with a `HistogramError` naming what was wrong, and a
sample with more than `MAX_BUCKETS` buckets is too: the answer is bounded before it is
kept (Prometheus' own default limit per sample is 160).
"""

from __future__ import annotations

from array import array
from typing import Any

from pulse_tui.model.metrics.histogram_sample import HistogramSample

#: The most buckets one sample may have (schema 8 over 10 decades is about 8,500).
MAX_BUCKETS = 10_000


class HistogramError(ValueError):
    """A native histogram sample that is not one; `str()` says which part and why."""


def parse_histograms(item: dict[str, Any], shift: float = 0.0) -> tuple[HistogramSample, ...]:
    """The native samples of one result item (matrix or vector), time moved by `shift`."""
    pairs = item.get("histograms")
    if pairs is None:
        single = item.get("histogram")
        pairs = [single] if single is not None else []
    if not isinstance(pairs, list):
        raise HistogramError("'histograms' is not a list")
    return tuple(parse_sample(pair, shift) for pair in pairs)


def _number(value: object, what: str) -> float:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise HistogramError(f"{what} is not a number: {str(value)[:40]!r}")
    try:
        return float(value)
    except ValueError:
        raise HistogramError(f"{what} is not a number: {str(value)[:40]!r}") from None


def parse_sample(pair: object, shift: float = 0.0) -> HistogramSample:
    """`[ts, {count, sum, buckets}]` -> a HistogramSample."""
    if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], dict)):
        raise HistogramError("a native histogram sample is not [time, {count, sum, buckets}]")
    stamp, body = pair
    timestamp = _number(stamp, "a native histogram sample's time") + shift
    count = _number(body.get("count"), "a native histogram's count")
    total = _number(body.get("sum"), "a native histogram's sum")
    raw = body.get("buckets", [])
    if not isinstance(raw, list):
        raise HistogramError("a native histogram's buckets are not a list")
    if len(raw) > MAX_BUCKETS:
        raise HistogramError(
            f"a native histogram sample has {len(raw):,} buckets, more than {MAX_BUCKETS:,}"
        )
    flat = array("d")
    for index, bucket in enumerate(raw):
        try:  # the common case at full speed; anything odd is looked at below
            if type(bucket) is not list or len(bucket) != 4:
                raise TypeError
            lower, upper, n = float(bucket[1]), float(bucket[2]), float(bucket[3])
        except (TypeError, ValueError):
            lower, upper, n = _bucket(bucket, index)
        if not lower <= upper:  # reversed, or NaN
            raise HistogramError(f"native histogram bucket {index} has its bounds reversed")
        flat.extend((lower, upper, n))
    return HistogramSample(timestamp, count, total, flat)


def _bucket(bucket: object, index: int) -> tuple[float, float, float]:
    """The bucket's (lower, upper, count), or the HistogramError saying what is wrong."""
    if not (isinstance(bucket, list) and len(bucket) == 4):
        raise HistogramError(f"native histogram bucket {index} is not [rule, lower, upper, n]")
    return (
        _number(bucket[1], f"bucket {index}'s lower bound"),
        _number(bucket[2], f"bucket {index}'s upper bound"),
        _number(bucket[3], f"bucket {index}'s count"),
    )
