"""Numbers as people read them: "123ms", "1.2k req/s", "1.25%", "1.5 GiB".

Every value shown in pulse-tui (chart axes, table cells, legends) goes through
`format_value`, so one signal reads the same everywhere. Known units get their own
scale; anything else gets an SI suffix followed by the unit as given.
"""

from __future__ import annotations

import math
import re

#: Shown for a missing value (no sample at all).
MISSING = "—"

# Decimal SI prefixes above one; small values of rates and counts stay decimals
# ("0.05 req/s" reads better than "50m req/s").
_SI_UP = ("", "k", "M", "G", "T", "P", "E")
_SI_DOWN = ("m", "µ", "n", "p")
_BINARY = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")

# Seconds are shown in the largest unit that keeps the number at or above one.
_SECOND_SCALES = (
    (86400.0, "d"),
    (3600.0, "h"),
    (60.0, "m"),
    (1.0, "s"),
    (1e-3, "ms"),
    (1e-6, "µs"),
    (1e-9, "ns"),
)


#: The first number in a formatted value: its integer part and its fraction.
_NUMBER = re.compile(r"(\d+)(?:\.(\d+))?")


def format_value(value: float | None, unit: str, *, compact: bool = False) -> str:
    """A value with its unit, scaled for reading.

    `unit` is a signal unit: "s", "ms", "req/s", "ratio" (0..1, shown as percent), "%",
    "cores", "bytes", "bytes/s"; any other unit gets an SI suffix and the unit appended.
    `compact=True` gives two significant digits and short unit names for narrow table
    cells ("123ms", "1.2k/s", "1.3%"). None gives "—"; NaN and ±Inf are shown as such.
    """
    return _format(value, unit, compact=compact, sig=2 if compact else 3, max_decimals=None)


def format_decimals(value: float, unit: str, decimals: int) -> str:
    """A finite value with its unit, scaled as `format_value` scales it, with exactly
    `decimals` digits after the point (Grafana's panel `decimals`: "9.40 req/s", "2.20s")."""
    text = _format(value, unit, compact=False, sig=15, max_decimals=max(0, decimals))
    if decimals <= 0:
        return text
    # _round drops trailing zeros; Grafana keeps them: pad the number's fraction back.
    return _NUMBER.sub(
        lambda m: m.group(1) + "." + (m.group(2) or "").ljust(decimals, "0"), text, 1
    )


def format_tick(value: float, unit: str, step: float) -> str:
    """An axis label for `value` on an axis whose ticks are `step` apart.

    Compact like a table cell, but with enough digits that neighbouring ticks differ
    ("1.02k/s", "1.04k/s" rather than "1k/s" twice).
    """
    if not math.isfinite(value) or not math.isfinite(step) or step <= 0:
        return format_value(value, unit, compact=True)
    biggest = max(abs(value), step)
    # Digits from the leading one of the biggest number down to the step's last one;
    # ticks are 1/2/2.5/5 x 10^k, so 2.5 needs one digit more.
    sig = math.floor(math.log10(biggest)) - math.floor(math.log10(step)) + 1
    mantissa = step / 10 ** math.floor(math.log10(step))
    if not math.isclose(mantissa, round(mantissa)):
        sig += 1
    return _format(value, unit, compact=True, sig=max(2, sig), max_decimals=9)


def _format(
    value: float | None, unit: str, *, compact: bool, sig: int, max_decimals: int | None
) -> str:
    """`format_value` with the precision spelled out (shared with `format_tick`).

    `max_decimals=None` caps decimals per unit for reading (percent: two, one when
    compact; others: three); axis ticks lift the cap so close ticks stay distinct.
    """
    if max_decimals is None:
        max_decimals = 3
        if unit in ("ratio", "%", "percent"):
            max_decimals = 1 if compact else 2
    if value is None:
        return MISSING
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    match unit:
        case "s" | "seconds":
            return _seconds(value, sig, max_decimals)
        case "ms":
            return _seconds(value / 1000, sig, max_decimals)
        case "ratio":
            return _round(value * 100, sig, max_decimals) + "%"
        case "%" | "percent":
            return _round(value, sig, max_decimals) + "%"
        case "req/s":
            number = _decimal(value, sig, max_decimals)
            return f"{number}/s" if compact else f"{number} req/s"
        case "cores":
            number = _decimal(value, sig, max_decimals)
            return f"{number}c" if compact else f"{number} cores"
        case "bytes" | "B":
            return _bytes(value, sig, max_decimals, compact)
        case "bytes/s" | "B/s":
            return _bytes(value, sig, max_decimals, compact) + "/s"
        case _:
            number = _si(value, sig, max_decimals)
            if not unit:
                return number
            if compact:
                # A long unit name would swamp a narrow cell; the column header names it.
                return number + unit if len(unit) <= 3 else number
            return f"{number} {unit}"


def _round(value: float, sig: int, max_decimals: int) -> str:
    """`value` to `sig` significant digits (never dropping integer digits), no trailing zeros.

    A non-zero value that would round to zero is shown as "<0.01" (the smallest step
    shown) so a tiny error rate never reads as none at all.
    """
    if value == 0:
        return "0"
    if not math.isfinite(value):
        # A finite value scaled past the float range (1e308 as a ratio, times 100).
        return "+Inf" if value > 0 else "-Inf"
    if abs(value) >= 1e15:
        return _scientific(value, sig)
    digits = math.floor(math.log10(abs(value))) + 1
    decimals = min(max(sig - digits, 0), max_decimals)
    text = f"{value:.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".")
    if text in ("0", "-0"):
        smallest = f"{10**-decimals:.{decimals}f}" if decimals else "1"
        return ("<" if value > 0 else ">-") + smallest
    return text


def _scientific(value: float, sig: int) -> str:
    """Scientific notation without padding: "1e300", "-1.7e308"."""
    mantissa, exponent = f"{value:.{max(sig - 1, 0)}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def _scaled(value: float, scales: tuple[tuple[float, str], ...], sig: int, decimals: int) -> str:
    """`value` in the first scale (largest first) that keeps it at or above one.

    Rounding can carry a number up to the next scale (999.7 -> "1000"), so the choice
    is made on the rounded text rather than the raw value.
    """
    magnitude = abs(value)
    if magnitude >= scales[0][0] * 1000:
        # Past the largest prefix: scientific notation in the base unit ("1e300s").
        base = next((suffix for size, suffix in scales if size == 1.0), "")
        return _scientific(value, sig) + base
    for index, (size, suffix) in enumerate(scales):
        if magnitude >= size or index == len(scales) - 1:
            text = _round(value / size, sig, decimals)
            if index > 0 and abs(float(text.lstrip("<>"))) >= scales[index - 1][0] / size:
                size, suffix = scales[index - 1]
                text = _round(value / size, sig, decimals)
            return text + suffix
    raise AssertionError("unreachable: the last scale always matches")


def _seconds(value: float, sig: int, max_decimals: int) -> str:
    if value == 0:
        return "0s"
    return _scaled(value, _SECOND_SCALES, sig, max_decimals)


def _decimal(value: float, sig: int, max_decimals: int) -> str:
    """Plain decimals below one thousand, SI suffixes (k, M, ...) above."""
    if abs(value) < 1:
        return _round(value, sig, min(max_decimals, 3))
    return _si(value, sig, max_decimals)


def _si(value: float, sig: int, max_decimals: int) -> str:
    """SI suffixes both ways: "1.2k", "15", "250m", "3µ"."""
    scales = tuple((1000.0**i, p) for i, p in reversed(list(enumerate(_SI_UP))))
    if value != 0 and abs(value) < 1:
        scales += tuple((1000.0 ** -(i + 1), p) for i, p in enumerate(_SI_DOWN))
    return _scaled(value, scales, sig, max_decimals)


def _bytes(value: float, sig: int, max_decimals: int, compact: bool) -> str:
    scales = tuple((1024.0**i, p) for i, p in reversed(list(enumerate(_BINARY))))
    text = _scaled(value, scales, sig, max_decimals)
    if compact:
        return text
    # "1.5 GiB": split the number from its unit for the long form.
    number = text.rstrip("BKMGTPEi")
    return f"{number} {text[len(number) :]}"
