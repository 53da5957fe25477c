"""Native histogram samples: the parser of the API's `histograms` (the shapes Prometheus
2.42 answers, copied from a real answer), and their merge onto the heatmap's rows."""

from __future__ import annotations

import math
from array import array

import pytest

from pulse_tui.model.dashboards.definition import GridPos, Panel, Target
from pulse_tui.model.metrics.histogram_sample import HistogramSample
from pulse_tui.model.metrics.native_histogram import native_heatmap
from pulse_tui.model.metrics.signals import QueryWindow, Series
from pulse_tui.sources.buckets import answer_of
from pulse_tui.sources.dashboards import PanelLine, PanelResult
from pulse_tui.sources.prometheus.histograms import (
    MAX_BUCKETS,
    HistogramError,
    parse_histograms,
)
from pulse_tui.sources.prometheus.source import parse_series
from pulse_tui.ui.widgets.dashboards.render import NATIVE_NOTE, render_panel

# `sum(rate(http_request_duration_seconds[1m]))` as Prometheus 2.42 answered it.
MATRIX_ITEM = {
    "metric": {},
    "histograms": [
        [
            1796225350.681,
            {
                "count": "2.0125",
                "sum": "1.4015625",
                "buckets": [[0, "0.25", "0.5", "1.4375"], [0, "1", "2", "0.5750000000000001"]],
            },
        ]
    ],
}
VECTOR_ITEM = {"metric": {"job": "api"}, "histogram": MATRIX_ITEM["histograms"][0]}  # type: ignore[index]


def sample(t: float, *buckets: tuple[float, float, float]) -> HistogramSample:
    flat = array("d", [x for bucket in buckets for x in bucket])
    return HistogramSample(t, sum(b[2] for b in buckets), 0.0, flat)


class TestParse:
    def test_a_range_answer(self) -> None:
        (got,) = parse_histograms(MATRIX_ITEM)
        assert got.timestamp == 1796225350.681
        assert (got.count, got.sum) == (2.0125, 1.4015625)
        assert list(got.buckets()) == [(0.25, 0.5, 1.4375), (1.0, 2.0, 0.5750000000000001)]

    def test_an_instant_answer_and_a_shift(self) -> None:
        (got,) = parse_histograms(VECTOR_ITEM, shift=60)
        assert got.timestamp == 1796225410.681

    def test_a_series_keeps_its_floats_and_its_histograms_apart(self) -> None:
        both = {**MATRIX_ITEM, "values": [[1796225340.681, "1"]]}
        (series,) = parse_series([both], "job")
        assert list(series.values) == [1.0]
        assert len(series.histograms) == 1
        (floats,) = parse_series([{"metric": {"job": "a"}, "values": [[1, "2"]]}], "job")
        assert floats.histograms == ()

    @pytest.mark.parametrize(
        ("body", "words"),
        [
            ({"count": "x", "sum": "1", "buckets": []}, "count is not a number: 'x'"),
            ({"sum": "1", "buckets": []}, "count is not a number"),
            ({"count": "1", "sum": "1", "buckets": [[0, "1", "2"]]}, "bucket 0 is not"),
            ({"count": "1", "sum": "1", "buckets": [[0, "2", "1", "1"]]}, "bounds reversed"),
            ({"count": "1", "sum": "1", "buckets": [[0, "1", "2", None]]}, "count is not"),
            ({"count": "1", "sum": "1", "buckets": "many"}, "buckets are not a list"),
        ],
    )
    def test_garbage_is_rejected_saying_what(self, body: dict[str, object], words: str) -> None:
        with pytest.raises(HistogramError, match=words.replace("(", r"\(")):
            parse_histograms({"metric": {}, "histograms": [[1.0, body]]})

    def test_too_many_buckets_are_refused(self) -> None:
        buckets = [[0, str(i), str(i + 1), "1"] for i in range(MAX_BUCKETS + 1)]
        with pytest.raises(HistogramError, match="more than 10,000"):
            parse_histograms(
                {"histograms": [[1.0, {"count": "1", "sum": "1", "buckets": buckets}]]}
            )


class TestNativeHeatmap:
    def test_schema_0_buckets_are_rows_as_they_are_counts_per_step(self) -> None:
        samples = [sample(t, (0.25, 0.5, 50.0), (1.0, 2.0, 20.0)) for t in (60.0, 120.0)]
        merged = native_heatmap([samples], step=60.0)
        heatmap = merged.heatmap
        assert heatmap.timestamps == (60.0, 120.0)
        assert heatmap.bounds == (0.5, 1.0, 2.0)  # no +Inf: a native histogram has none
        assert heatmap.counts == ((3000.0, 3000.0), (0.0, 0.0), (1200.0, 1200.0))
        # p50 of 70/s: rank 35 of api's 50 in (0.25, 0.5]; p99: 19.3 of checkout's 20.
        assert merged.quantiles[0.5] == pytest.approx((0.425, 0.425))
        assert merged.quantiles[0.99] == pytest.approx((1.965, 1.965))

    def test_fine_buckets_merge_onto_a_coarser_schema_without_splitting(self) -> None:
        # Schema 3 (factor 2^(1/8)) from 2^-4 to 2^4: 64 buckets, one observation each.
        base = 2 ** (1 / 8)
        fine = [(base ** (i - 1), base**i, 1.0) for i in range(-31, 33)]
        merged = native_heatmap([[sample(0.0, *fine)]], step=1.0, max_buckets=10)
        heatmap = merged.heatmap
        # Schema 0 needs 8 rows (2^-3 .. 2^4): the finest that fits in 10.
        assert heatmap.bounds == tuple(2.0**k for k in range(-3, 5))
        assert [row[0] for row in heatmap.counts] == [8.0] * 8
        assert math.fsum(row[0] for row in heatmap.counts) == 64.0  # nothing lost

    def test_the_zero_bucket_counts_in_the_lowest_row_and_negatives_are_said(self) -> None:
        got = native_heatmap(
            [[sample(0.0, (-4.0, -2.0, 3.0), (-1e-9, 1e-9, 5.0), (1.0, 2.0, 7.0))]], step=1.0
        )
        assert got.heatmap.bounds == (2.0,)
        assert got.heatmap.counts == ((12.0,),)
        assert got.negative == 3.0

    def test_two_series_are_added_at_each_step_and_a_rate_stays_a_rate(self) -> None:
        one = [sample(10.0, (0.5, 1.0, 2.0))]
        two = [sample(10.0, (0.5, 1.0, 1.0), (2.0, 4.0, 4.0))]
        got = native_heatmap([one, two], step=10.0, per_step=False).heatmap
        assert got.bounds == (1.0, 2.0, 4.0)
        assert got.counts == ((3.0,), (0.0,), (4.0,))

    def test_no_samples_is_empty(self) -> None:
        assert native_heatmap([[]], step=1.0).heatmap.empty


class TestAnswer:
    """What the latency panel's heatmap gets from the classic-or-native query's answer."""

    def test_native_alone_is_drawn_with_its_own_quantiles(self) -> None:
        native = Series("", [], [], histograms=[sample(60.0, (0.25, 0.5, 2.0))])
        answer = answer_of([native], 60.0)
        assert answer is not None and answer.heatmap is not None
        assert answer.heatmap.bounds == (0.5,)
        assert answer.quantiles is not None and answer.quantiles[0.5] == (0.375,)
        assert answer.caveat is None

    def test_classic_and_native_together_draw_the_classic_and_say_so(self) -> None:
        classic = [Series("", [60.0], [1.0], {"le": le}) for le in ("0.5", "+Inf")]
        native = Series("", [], [], histograms=[sample(60.0, (0.25, 0.5, 2.0))])
        answer = answer_of([*classic, native], 60.0)
        assert answer is not None and answer.heatmap is not None
        assert answer.heatmap.bounds == (0.5, math.inf)
        assert answer.caveat == "native histogram samples not drawn"
        assert answer.quantiles is None

    def test_negative_observations_are_said_not_drawn(self) -> None:
        native = Series("", [], [], histograms=[sample(1.0, (-2.0, -1.0, 1.0), (1.0, 2.0, 1.0))])
        answer = answer_of([native], 1.0)
        assert answer is not None and answer.caveat == "negative observations not drawn"

    def test_nothing_is_none(self) -> None:
        assert answer_of([], 60.0) is None


class TestOtherPanels:
    """A panel other than a heatmap draws no line from native samples and says why."""

    def result(self, *lines: PanelLine) -> PanelResult:
        return PanelResult(window=QueryWindow(0.0, 600.0, 60.0, 120.0), lines=lines)

    def panel(self, kind: str) -> Panel:
        return Panel(1, kind, "p", GridPos(0, 0, 24, 8), targets=(Target("A", "x"),))

    def test_native_only_is_the_sentence_not_no_data(self) -> None:
        native = Series("", [], [], histograms=[sample(60.0, (0.25, 0.5, 2.0))])
        text = " ".join(
            line.plain
            for line in render_panel(
                self.panel("timeseries"), self.result(PanelLine("", native, "A")), 80, 8
            )
        )
        assert " ".join(text.split()) == NATIVE_NOTE
        assert "no data" not in text

    def test_next_to_float_series_it_counts_them_and_draws_the_floats(self) -> None:
        native = Series("", [], [], histograms=[sample(60.0, (0.25, 0.5, 2.0))])
        floats = Series("api", [60.0, 120.0], [3.0, 4.0])
        lines = render_panel(
            self.panel("stat"),
            self.result(PanelLine("api", floats, "A"), PanelLine("", native, "A")),
            80,
            8,
            glyphs="ascii",  # the value in plain digits, not big ones
        )
        text = " ".join(" ".join(line.plain for line in lines).split())
        assert f"1 series: {NATIVE_NOTE}" in text
        assert text.startswith("4 ")  # the float series' value, drawn
