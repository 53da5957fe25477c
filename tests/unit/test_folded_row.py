"""The top row of a short signal panel (ui/widgets/metrics/folded_row.py): the headline
never gives way, the status comes next, the legend takes what room is left."""

from __future__ import annotations

from rich.text import Text

from pulse_tui.model.metrics.signals import Series
from pulse_tui.ui.widgets.metrics.folded_row import compact_names, folded_row, short_legend

HEADLINE = Text("2.5s  p99 checkout")
STATUS = Text("updated just now · step 30s")


def p99(service: str) -> Series:
    return Series(service, [0.0], [1.0], {"quantile": "p99"})


def test_the_shared_last_word_is_said_once_by_the_headline() -> None:
    assert compact_names([p99("api"), p99("checkout")]) == ["api", "checkout"]
    # One service focused: its quantiles, the service said by the headline.
    quantiles = [Series("api", [], [], {"quantile": q}) for q in ("p50", "p90", "p99")]
    assert compact_names(quantiles) == ["p50", "p90", "p99"]
    # Nothing shared, or one line alone: the names as the full legend has them.
    queues = [Series("worker", [], [], {"queue": "emails"}), Series("mailer", [], [], {})]
    assert compact_names(queues) == ["worker emails", "mailer"]
    assert compact_names([p99("api")]) == ["api p99"]


def test_the_row_holds_headline_legend_and_status_in_that_order() -> None:
    legend = short_legend([p99("api"), p99("checkout")])
    row = folded_row(HEADLINE, legend, STATUS, 76)
    assert row.plain == (
        "2.5s  p99 checkout  ━ api  ━ checkout            updated just now · step 30s"
    )
    assert row.cell_len == 76


def test_the_legend_gives_way_first_then_the_status_never_the_headline() -> None:
    legend = short_legend([p99(name) for name in ("api", "checkout", "payments", "search")])
    row = folded_row(HEADLINE, legend, STATUS, 60)
    assert row.plain == "2.5s  p99 checkout  ━ api  ━ c…  updated just now · step 30s"
    assert row.cell_len == 60
    # Too little room for a legend that names anything: none at all.
    row = folded_row(HEADLINE, legend, STATUS, 52)
    assert row.plain == "2.5s  p99 checkout" + " " * 7 + "updated just now · step 30s"
    # Then the status is cut, visibly; the headline stays whole.
    row = folded_row(HEADLINE, legend, STATUS, 30)
    assert row.plain == "2.5s  p99 checkout  updated j…"
    assert folded_row(HEADLINE, legend, STATUS, 18).plain == "2.5s  p99 checkout"
