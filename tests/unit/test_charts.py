"""Charts come back as exactly the lines asked for, and draw what the data says.

Small charts are compared cell for cell; bigger ones are checked for size and for
never breaking on NaN, ±Inf, huge or negative values.
"""

from __future__ import annotations

import math
import random
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from rich.text import Text

from pulse_tui.ui.charts import GLYPH_SETS, ChartSeries, plot_points, render_line_chart, sparkline
from pulse_tui.ui.charts.axis import value_axis
from pulse_tui.ui.charts.canvas import glyph_set
from pulse_tui.ui.charts.line_chart import CURSOR_STYLE

END = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Time labels are local time; pin the zone so expected labels are fixed."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def chart(series: list[ChartSeries], **options: object) -> list[Text]:
    """A 20×5 chart over t=0..3 in seconds, unless told otherwise."""
    settings: dict[str, object] = {"width": 20, "height": 5, "start": 0, "end": 3, "unit": "s"}
    settings.update(options)
    return render_line_chart(series, **settings)  # type: ignore[arg-type]


def plain(lines: list[Text]) -> list[str]:
    return [line.plain for line in lines]


def style_at(line: Text, index: int) -> str:
    """The style of the last span covering cell `index` ("" when none)."""
    styles = [str(s.style) for s in line.spans if s.start <= index < s.end]
    return styles[-1] if styles else ""


RISING = ChartSeries("api", [0, 3], [0, 4], "red")


class TestStraightLine:
    """A line from (0, 0) to (3, 4) on a 0..4 axis runs corner to corner."""

    def test_braille(self) -> None:
        assert plain(chart([RISING])) == [
            "     4s┤         ⣀⠔⠊",
            "       │      ⣀⠔⠊   ",
            "     2s┤   ⡠⠔⠉      ",
            "     0s┤⡠⠔⠉         ",
            "       └00:00:00    ",
        ]

    def test_block(self) -> None:
        assert plain(chart([RISING], glyphs="block")) == [
            "     4s┤         ▗▄▀",
            "       │      ▄▞▀▘  ",
            "     2s┤  ▗▄▞▀      ",
            "     0s┤▄▀▘         ",
            "       └00:00:00    ",
        ]

    def test_ascii(self) -> None:
        assert plain(chart([RISING], glyphs="ascii")) == [
            "     4s+         .-'",
            "       |      .-'   ",
            "     2s+   .-'      ",
            "     0s+.-'         ",
            "       +00:00:00    ",
        ]

    def test_cells_carry_the_series_colour_and_the_axis_is_dim(self) -> None:
        lines = chart([RISING])
        assert style_at(lines[3], 8) == "red"  # first plot cell, bottom row
        assert style_at(lines[3], 15) == ""  # empty cell: no colour
        assert style_at(lines[3], 2) == "dim"  # value label
        # The axis style must not leak into plot cells through the Text's own style.
        assert all(str(line.style) == "" for line in lines)


class TestSizes:
    @pytest.mark.parametrize("glyphs", GLYPH_SETS)
    @pytest.mark.parametrize(("width", "height"), [(10, 3), (19, 4), (20, 5), (90, 15), (200, 50)])
    def test_exactly_the_size_asked_for(self, glyphs: str, width: int, height: int) -> None:
        values = [math.sin(i / 5) * 1e6 if i % 9 else math.nan for i in range(300)]
        series = [ChartSeries("a", [i * 10.0 for i in range(300)], values, "#5fd7ff")]
        lines = chart(series, width=width, height=height, end=3000, glyphs=glyphs, cursor=1500)
        assert len(lines) == height
        assert [line.cell_len for line in lines] == [width] * height

    @pytest.mark.parametrize(("width", "height"), [(9, 5), (30, 2), (1, 1), (0, 4), (5, 0)])
    def test_too_small_shows_an_ellipsis(self, width: int, height: int) -> None:
        lines = chart([RISING], width=width, height=height)
        assert len(lines) == height
        assert all(line.cell_len == width for line in lines)
        if width and height:
            assert "…" in lines[height // 2].plain

    def test_narrow_chart_drops_value_labels_but_keeps_the_axis(self) -> None:
        lines = plain(chart([RISING], width=12, height=3))
        assert [line[0] for line in lines] == ["┤", "┤", "└"]
        assert "s" not in "".join(line[:1] for line in lines)


class TestGaps:
    def test_nan_and_inf_break_the_line(self) -> None:
        values = [1, 1, math.nan, 1, math.inf, 1, 1]
        series = [ChartSeries("a", list(range(7)), values, "red")]
        assert plain(chart(series, width=24, height=4, end=6)) == [
            "     1s┤⠉⠉⠉     ⠁    ⠉⠉⠉",
            "       │                ",
            "     0s┤                ",
            "       └00:00:00        ",
        ]

    def test_inf_does_not_stretch_the_axis(self) -> None:
        with_inf = ChartSeries("a", [0, 1, 2, 3], [1, math.inf, 2, -math.inf], "red")
        with_nan = ChartSeries("a", [0, 1, 2, 3], [1, math.nan, 2, math.nan], "red")
        assert plain(chart([with_inf])) == plain(chart([with_nan]))

    @pytest.mark.parametrize(
        "series",
        [
            [],
            [ChartSeries("a", [0, 1, 2], [math.nan, math.inf, -math.inf], "red")],
            [ChartSeries("a", [], [], "red")],
            # Finite values, but all outside the time range.
            [ChartSeries("a", [10, 11], [1, 2], "red")],
        ],
    )
    def test_nothing_finite_says_no_data(self, series: list[ChartSeries]) -> None:
        lines = chart(series)
        assert plain(lines) == [" " * 20, " " * 20, "      no data       ", " " * 20, " " * 20]

    def test_a_long_message_is_wrapped_around_the_middle(self) -> None:
        lines = plain(chart([], empty="the p99 of a native histogram", height=7))
        # Two lines from the middle one down (one line stays where "no data" is).
        blank = [" " * 20]
        assert lines == blank * 3 + ["the p99 of a native ", "     histogram      "] + blank * 2
        # A query with no room for its words is cut where it must, and all of it shown.
        message = "set signals.queue.query to histogram_quantile(0.99, sum(rate(x[5m])))"
        lines = plain(chart([], empty=message))
        assert len(lines) == 5 and all(len(line) == 20 for line in lines)
        assert "".join(lines).replace(" ", "") == message.replace(" ", "")

    def test_a_message_longer_than_the_chart_keeps_its_start(self) -> None:
        lines = plain(chart([], empty="word " * 40, height=3))
        assert lines == ["word word word word "] * 3

    def test_empty_time_range_says_no_data(self) -> None:
        assert "no data" in plain(chart([RISING], start=3, end=3))[2]

    def test_a_single_point_is_one_dot(self) -> None:
        lines = plain(chart([ChartSeries("a", [1.5], [2], "red")]))
        assert lines[0] == "     2s┤      ⠁     "
        plot_cells = "".join(line[8:] for line in lines[:-1])
        assert plot_cells.strip() == "⠁"


class TestValueAxis:
    def test_y_min_none_starts_at_the_data(self) -> None:
        series = [ChartSeries("a", [0, 3], [100, 110], "red")]
        labels = [line[:7].strip() for line in plain(chart(series, unit="req/s", y_min=None))]
        assert labels == ["110/s", "", "105/s", "100/s", ""]

    def test_negative_values_extend_below_zero(self) -> None:
        series = [ChartSeries("a", [0, 3], [-2, 2], "red")]
        lines = plain(chart(series))
        assert [line[:7].strip() for line in lines[:4]] == ["2s", "", "0s", "-2s"]
        assert lines[3][8] == "⡠"  # the line starts in the bottom-left corner

    @pytest.mark.parametrize(
        "values", [[1e308, -1e308, 5], [1e300, 1e300], [-5e307, 5e307], [1e-300, 2e-300]]
    )
    def test_huge_and_tiny_values_never_break(self, values: list[float]) -> None:
        series = [ChartSeries("a", [0, 1.5, 3][: len(values)], values, "red")]
        lines = chart(series)
        assert [line.cell_len for line in lines] == [20] * 5
        assert "".join(line[8:] for line in plain(lines)[:-1]).strip()  # something is drawn

    @pytest.mark.parametrize(
        ("low", "high", "y_min", "ticks"),
        [
            (0, 151, 0.0, (0, 50, 100, 150, 200)),
            (3, 3, 0.0, (0, 1, 2, 3)),  # constant: from the floor up to it
            (5, 5, None, (2, 4, 6, 8)),  # constant, no floor: around it
            (0, 0, 0.0, (0, 0.25, 0.5, 0.75, 1)),
            (-3, -1, 0.0, (-3, -2, -1, 0)),
            (0.0001, 0.0123, 0.0, (0, 0.005, 0.01, 0.015)),
        ],
    )
    def test_round_ticks(
        self, low: float, high: float, y_min: float | None, ticks: tuple[float, ...]
    ) -> None:
        axis = value_axis(low, high, y_min=y_min, max_ticks=5)
        assert axis.ticks == pytest.approx(ticks)
        assert axis.low <= low and axis.high >= high


class TestTimeAxis:
    def test_an_hour_is_labelled_every_ten_minutes(self) -> None:
        series = [ChartSeries("a", [END - 3600, END], [1, 2], "red")]
        bottom = chart(series, width=90, height=6, start=END - 3600, end=END)[-1].plain
        assert bottom[:8] == "       └"
        assert bottom[8:].split() == ["21:20", "21:30", "21:40", "21:50", "22:00", "22:10"]

    def test_a_minute_is_labelled_in_seconds(self) -> None:
        series = [ChartSeries("a", [END - 60, END], [1, 2], "red")]
        bottom = chart(series, width=90, height=6, start=END - 60, end=END)[-1].plain
        assert bottom[8:].split()[:2] == ["22:12:20", "22:12:30"]

    def test_days_are_labelled_with_the_date(self) -> None:
        start = END - 3 * 86400
        series = [ChartSeries("a", [start, END], [1, 2], "red")]
        bottom = chart(series, width=90, height=6, start=start, end=END)[-1].plain
        assert bottom[8:].split() == ["11-12", "11-13", "11-14"]


class TestCursor:
    def test_cursor_draws_a_line_through_empty_cells(self) -> None:
        lines = chart([RISING], cursor=1.5)
        assert plain(lines) == [
            "     4s┤      │  ⣀⠔⠊",
            "       │      ⣀⠔⠊   ",
            "     2s┤   ⡠⠔⠉│     ",
            "     0s┤⡠⠔⠉   │     ",
            "       └00:00:00    ",
        ]
        assert style_at(lines[0], 14) == CURSOR_STYLE
        # Where the data is, the data stays visible, with a background behind it.
        assert style_at(lines[1], 14).startswith("red on ")

    @pytest.mark.parametrize("cursor", [-1.0, 4.0, math.nan, None])
    def test_cursor_outside_the_range_is_not_drawn(self, cursor: float | None) -> None:
        assert plain(chart([RISING], cursor=cursor)) == plain(chart([RISING]))


class TestLayers:
    def test_live_series_is_drawn_over_the_compare_overlay(self) -> None:
        live = ChartSeries("now", [0, 3], [2, 2], "red")
        before = ChartSeries("a week ago", [0, 3], [2, 2], "blue", dim=True)
        # The overlay comes last in the list but is still drawn first.
        lines = chart([live, before])
        assert lines[0].plain[8:] == "⠉" * 12  # a flat line at the top of a 0..2 axis
        assert style_at(lines[0], 8) == "red"

    def test_compare_overlay_alone_is_dimmed(self) -> None:
        before = ChartSeries("a week ago", [0, 3], [2, 2], "blue", dim=True)
        assert style_at(chart([before])[0], 8) == "blue dim"

    def test_last_live_series_wins_a_shared_cell(self) -> None:
        first = ChartSeries("a", [0, 3], [2, 2], "red")
        second = ChartSeries("b", [0, 3], [2, 2], "green")
        assert style_at(chart([first, second])[0], 8) == "green"


def test_plot_points_counts_dots_across_the_plot_area() -> None:
    assert plot_points(90) == (90 - 8) * 2
    assert plot_points(90, "block") == (90 - 8) * 2
    assert plot_points(90, "ascii") == 90 - 8
    assert plot_points(12) == (12 - 1) * 2  # narrow: only the axis line is a gutter
    assert plot_points(0) == 1  # never zero: the app divides by it


def test_unknown_glyph_set_names_the_choices() -> None:
    with pytest.raises(ValueError, match="braille, block, ascii"):
        glyph_set("emoji")


class TestSparkline:
    @pytest.mark.parametrize(
        ("values", "width", "expected"),
        [
            ([0, 1, 2, 3, 4, 5, 6, 7], 8, "▁▂▃▄▅▆▇█"),
            ([1, 2, 3, 4], 8, "▃▃▅▅▆▆██"),  # stretched
            (list(range(16)), 4, "▂▄▆█"),  # each cell shows its share's largest value
            ([0, 0, 0, 9, 0, 0, 0, 0], 2, "█▁"),  # a spike is never averaged away
            ([5, 5, 5], 3, "███"),  # steady and non-zero: full, not noise
            ([0, 0], 2, "▁▁"),
            ([1, math.nan, math.inf, 3], 4, "▃  █"),
            ([-1, 0, 1], 3, "▁▅█"),
            ([math.nan, math.nan], 3, "   "),
            ([], 3, "   "),
            ([1, 2], 0, ""),
            ([1e308, -1e308], 2, "█▁"),
        ],
    )
    def test_exact(self, values: list[float], width: int, expected: str) -> None:
        assert sparkline(values, width) == expected

    @pytest.mark.parametrize(
        ("values", "width", "expected"),
        [
            ([28, 29, 30, 31], 4, "▁▃▆█"),  # a steady load's own movement, not full bars
            ([5, 5, 5], 3, "▄▄▄"),  # does not move: a flat middle line
            ([5, math.nan, 5], 3, "▄ ▄"),
            ([0, 0], 2, "▄▄"),
            ([-1, 0, 1], 3, "▁▅█"),
            ([1e308, -1e308], 2, "█▁"),
        ],
    )
    def test_own_range(self, values: list[float], width: int, expected: str) -> None:
        assert sparkline(values, width, own_range=True) == expected


def test_charts_and_units_never_import_textual() -> None:
    code = (
        "import sys, pulse_tui.ui.charts, pulse_tui.model.core.units;"
        "sys.exit('textual' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_random_hostile_input_never_breaks_the_size() -> None:
    """Seeded fuzzing: NaN, ±Inf, 1e308, subnormals, tiny ranges, odd floors and sizes."""
    rng = random.Random(7)
    specials = [math.nan, math.inf, -math.inf, 0.0, 1e308, -1e308, 5e-324, 1e-300]
    for _ in range(400):
        count = rng.randint(0, 30)
        timestamps = sorted(rng.uniform(-10, 110) for _ in range(count))
        values = [
            rng.choice(specials)
            if rng.random() < 0.3
            else rng.uniform(-1, 1) * 10.0 ** rng.randint(-12, 12)
            for _ in range(count)
        ]
        width, height = rng.randint(0, 60), rng.randint(0, 12)
        start = rng.uniform(-5, 50)
        end = start + rng.choice([rng.uniform(0, 100), 1e-9, 1e9])
        lines = render_line_chart(
            [
                ChartSeries("a", timestamps, values, "red"),
                ChartSeries("b", timestamps, values[::-1], "blue", dim=True),
            ],
            width=width,
            height=height,
            start=start,
            end=end,
            unit=rng.choice(["s", "req/s", "ratio", "cores", "bytes", "x"]),
            glyphs=rng.choice(GLYPH_SETS),
            cursor=rng.choice([None, start, (start + end) / 2, math.inf]),
            y_min=rng.choice([0.0, None, -5.0, 1e308, math.nan]),
        )
        assert [line.cell_len for line in lines] == [width] * height
        assert len(sparkline(values, width)) == width
        assert len(sparkline(values, width, own_range=True)) == width
