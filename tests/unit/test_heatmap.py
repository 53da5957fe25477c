"""The heatmap's pure parts: the bucket query derived from a panel's template, the
de-cumulation of `le` buckets, the quantiles of summed buckets, and the renderer's rows."""

from __future__ import annotations

import math

import pytest
from rich.text import Text

from pulse_tui.model.metrics.bucket_query import (
    NoHistogram,
    bucket_template,
    build_bucket_query,
)
from pulse_tui.model.metrics.heatmap import decumulate, quantile, quantile_series
from pulse_tui.model.metrics.signals import Series, Signal
from pulse_tui.ui.charts.heatmap import (
    COLOUR_RAMP,
    QuantileLine,
    heatmap_legend,
    level,
    render_heatmap,
)

API_CUMULATIVE = {"0.05": 30, "0.1": 60, "0.25": 120, "0.5": 144, "1": 149, "2.5": 150}


def buckets(cumulative: dict[str, float], stamps: list[float], per: float = 15.0) -> list[Series]:
    """Cumulative bucket rates (per second) of `cumulative` observations every `per` s."""
    return [
        Series("", stamps, [count / per] * len(stamps), {"le": le})
        for le, count in {**cumulative, "+Inf": max(cumulative.values())}.items()
    ]


class TestBucketQuery:
    def test_the_default_latency_template_becomes_one_query_classic_or_native(self) -> None:
        query = build_bucket_query(Signal.LATENCY, services=["api"], window_seconds=120)
        assert not isinstance(query, NoHistogram)
        assert query.expr == (
            'sum by (le) (rate(http_request_duration_seconds_bucket{job="api"}[120s]))'
            ' or sum(rate(http_request_duration_seconds{job="api"}[120s]))'
        )
        assert query.metric == "http_request_duration_seconds_bucket"
        assert query.native == "http_request_duration_seconds"

    def test_the_queue_template_sums_every_queue(self) -> None:
        query = build_bucket_query(Signal.QUEUE, services=["a", "b"], window_seconds=60)
        assert not isinstance(query, NoHistogram)
        assert query.expr == (
            'sum by (le) (rate(queue_processing_latency_seconds_bucket{job=~"a|b"}[60s]))'
            ' or sum(rate(queue_processing_latency_seconds{job=~"a|b"}[60s]))'
        )

    def test_a_custom_template_keeps_its_matchers_function_and_window(self) -> None:
        template = (
            "histogram_quantile($quantile, sum by (le, $service_label) (increase("
            'rpc_seconds_bucket{env="prod",path!~"/health|}",$filter}[$window])))'
        )
        assert bucket_template(template) == (
            'sum by (le) (increase(rpc_seconds_bucket{env="prod",path!~"/health|}",$filter}'
            "[$window]))"
        )

    def test_a_native_histogram_is_summed_with_the_same_function_matchers_and_window(
        self,
    ) -> None:
        template = (
            "histogram_quantile(0.99, sum by ($service_label) "
            '(irate(rpc_seconds{env="prod",$filter}[$window])))'
        )
        assert bucket_template(template) == 'sum(irate(rpc_seconds{env="prod",$filter}[$window]))'
        query = build_bucket_query(Signal.QUEUE, template=template, window_seconds=60)
        assert not isinstance(query, NoHistogram)
        assert query.expr == 'sum(irate(rpc_seconds{env="prod",}[60s]))'
        assert query.no_data_note == "no native histogram samples for rpc_seconds"

    def test_a_rate_outside_a_quantile_is_no_native_histogram(self) -> None:
        template = "sum by ($service_label) (rate(rpc_total{$filter}[$window]))"
        assert isinstance(bucket_template(template), NoHistogram)

    def test_a_template_without_histogram(self) -> None:
        assert isinstance(bucket_template("max by (job) (p99_seconds{$filter})"), NoHistogram)


class TestDecumulate:
    def test_counts_per_bucket_per_step(self) -> None:
        heatmap = decumulate(buckets(API_CUMULATIVE, [60.0, 120.0]), step=60.0)
        assert heatmap.bounds == (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, math.inf)
        expected = [120, 120, 240, 96, 20, 4, 0]
        assert [row[0] for row in heatmap.counts] == pytest.approx(expected)
        assert [row[1] for row in heatmap.counts] == pytest.approx(expected)

    def test_order_of_series_does_not_matter_and_same_bounds_add_up(self) -> None:
        series = buckets({"0.1": 1, "1": 3}, [0.0], per=1.0)
        heatmap = decumulate([*reversed(series), *series], step=1.0)
        assert [row[0] for row in heatmap.counts] == [2.0, 4.0, 0.0]

    def test_a_missing_or_nan_bound_makes_it_and_the_next_unknown(self) -> None:
        low = Series("", [0.0, 1.0], [1.0, math.nan], {"le": "0.1"})
        mid = Series("", [0.0], [3.0], {"le": "0.5"})  # absent at t=1
        inf = Series("", [0.0, 1.0], [4.0, 4.0], {"le": "+Inf"})
        heatmap = decumulate([low, mid, inf], step=1.0)
        assert heatmap.counts == ((1.0, None), (2.0, None), (1.0, None))

    def test_a_negative_difference_is_clamped_and_non_buckets_ignored(self) -> None:
        low = Series("", [0.0], [5.0], {"le": "0.1"})
        high = Series("", [0.0], [4.0], {"le": "+Inf"})
        junk = Series("", [0.0], [9.0], {"le": "abc"})
        assert decumulate([low, high, junk], step=2.0).counts == ((10.0,), (0.0,))


class TestQuantiles:
    def test_the_quantiles_of_prometheus(self) -> None:
        # The backfill's api buckets: histogram_quantile gives 0.1375, 0.40625, 0.95.
        heatmap = decumulate(buckets(API_CUMULATIVE, [0.0]), step=15.0)
        counts = [row[0] or 0.0 for row in heatmap.counts]
        assert quantile(heatmap.bounds, counts, 0.5) == pytest.approx(0.1375)
        assert quantile(heatmap.bounds, counts, 0.9) == pytest.approx(0.40625)
        assert quantile(heatmap.bounds, counts, 0.99) == pytest.approx(0.95)

    def test_the_inf_bucket_answers_the_largest_finite_bound(self) -> None:
        assert quantile((0.1, 2.5, math.inf), [0.0, 1.0, 9.0], 0.99) == 2.5

    def test_unknown_and_empty_steps_have_no_quantile(self) -> None:
        low = Series("", [0.0, 1.0], [0.0, math.nan], {"le": "0.1"})
        inf = Series("", [0.0, 1.0], [0.0, 1.0], {"le": "+Inf"})
        assert all(math.isnan(v) for v in quantile_series(decumulate([low, inf], 1.0), 0.5))


def plain(lines: list[Text]) -> list[str]:
    return [line.plain for line in lines]


class TestRenderer:
    def chart(self, shade: bool = False, **kwargs: object):
        stamps = [float(t) for t in range(0, 3600 + 1, 60)]
        heatmap = decumulate(buckets(API_CUMULATIVE, stamps), step=60.0)
        return render_heatmap(
            heatmap,
            width=60,
            height=12,
            start=0.0,
            end=3600.0,
            unit="s",
            shade=shade,
            **kwargs,  # type: ignore[arg-type]
        )

    def test_rows_are_labelled_by_bounds_on_a_log_scale(self) -> None:
        lines = plain(self.chart().lines)
        assert len(lines) == 12 and all(len(line) == 60 for line in lines)
        labels = [line[:7].strip() for line in lines[:-1]]
        assert labels[0] == "+Inf"
        shown = [label for label in labels if label]
        assert shown == ["+Inf", "2.5s", "1s", "500ms", "250ms", "100ms", "50ms"]
        # Log scale: 50ms..100ms (x2) takes fewer rows than 100ms..250ms (x2.5) does not
        # exceed; the decade 100ms..1s takes more rows than the octave 50ms..100ms.
        assert labels.index("100ms") - labels.index("1s") > labels.index("50ms") - labels.index(
            "100ms"
        )

    def test_the_busiest_bucket_gets_the_top_of_the_ramp(self) -> None:
        chart = self.chart()
        assert chart.top == pytest.approx(240.0)
        row_250ms = next(line for line in chart.lines if line.plain.startswith("  250ms"))
        styles = {str(span.style) for span in row_250ms.spans}
        assert f"on {COLOUR_RAMP[-1]}" in styles
        inf_row = chart.lines[0]
        assert inf_row.plain[8:].strip() == ""  # nothing above 2.5s: blank cells

    def test_sixteen_colours_shade_with_characters(self) -> None:
        lines = plain(self.chart(shade=True).lines)
        row_250ms = next(line for line in lines if line.startswith("  250ms"))
        assert set(row_250ms[8:]) == {"█"}
        row_1s = next(line for line in lines if line.startswith("     1s"))
        assert set(row_1s[8:]) == {"░"}  # 20 of 240: the lowest shade, still visible

    def test_quantile_lines_are_drawn_in_their_bucket_rows(self) -> None:
        p99 = QuantileLine("p99", [0.0, 1800.0, 3600.0], [0.95, 0.95, 0.95], "◆", "red")
        lines = plain(self.chart(quantiles=[p99]).lines)
        with_mark = [i for i, line in enumerate(lines) if "◆" in line]
        assert len(with_mark) == 1
        # 0.95 s lies between 500ms and 1s: at or just under the 1s row's label.
        one_second = next(i for i, line in enumerate(lines) if line.startswith("     1s"))
        half = next(i for i, line in enumerate(lines) if line.startswith("  500ms"))
        assert one_second <= with_mark[0] < half

    def test_the_legend_names_the_top_count_and_step(self) -> None:
        legend = heatmap_legend(240.0, 60.0, shade=True, glyphs="braille").plain
        assert legend.startswith("0 ░▒▓█ 240 per 1m")
        assert legend.endswith(" 240 per 1m  ·p50 •p90 ◆p99")

    def test_levels(self) -> None:
        assert level(0.0, 10.0, 4) == 0
        assert level(0.01, 10.0, 4) == 1
        assert level(10.0, 10.0, 4) == 4


class TestDemoBuckets:
    """The demo answers the heatmap's bucket query (and no other PromQL)."""

    async def test_cumulative_per_bound_filtered_by_service(self) -> None:
        from pulse_tui.model.metrics.signals import QueryWindow
        from pulse_tui.sources.demo import DemoMetricsSource, traffic

        source = DemoMetricsSource()
        window = QueryWindow(6000.0, 6600.0, 60.0, 120.0)
        query = build_bucket_query(Signal.LATENCY, service_label="service", services=["api"])
        assert not isinstance(query, NoHistogram)
        series = await source.query_expr(query.expr, window)
        assert [s.labels["le"] for s in series][-2:] == ["10", "+Inf"]
        for i in range(len(window_stamps := series[0].timestamps)):
            column = [s.values[i] for s in series]
            assert column == sorted(column)  # cumulative: never smaller at a higher bound
            assert column[-1] == pytest.approx(traffic("api", window_stamps[i]))
        assert await source.query_expr("sum(rate(http_requests_total[1m]))", window) == []
        queue = build_bucket_query(Signal.QUEUE, service_label="service", services=["api"])
        assert not isinstance(queue, NoHistogram)
        assert await source.query_expr(queue.expr, window) == []  # no queues on api
