"""The service overview: one row per service, coloured by thresholds, with a status column
(worst first by default), sortable, selectable."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from pulse_tui.model.core.units import format_value
from pulse_tui.model.metrics.overview import COLUMNS, ServiceRow, sort_rows
from pulse_tui.model.metrics.signals import Signal, Thresholds
from pulse_tui.ui.charts import sparkline
from pulse_tui.ui.widgets.palette import LEVEL_STYLES
from pulse_tui.ui.widgets.safe_text import append_safe, safe_text

_SIGNAL_OF_COLUMN = {
    "traffic": Signal.TRAFFIC,
    "errors": Signal.ERRORS,
    "p50": Signal.LATENCY,
    "p99": Signal.LATENCY,
    "saturation": Signal.SATURATION,
    "queue": Signal.QUEUE,
}
SPARK_WIDTH = 8
#: Cells a service name is never cut below ("checkout-ve…" still says which), however
#: narrow the table: below that the table scrolls sideways instead.
MIN_NAME = 12
#: The status column's words; "▲" marks an ongoing change ("what changed").
STATUS_TEXT = {"crit": "CRIT", "warn": "WARN", "ok": "ok", "none": "—"}


class ServiceTable(DataTable):
    """Rows are rebuilt from `ServiceRow`s; Enter posts `ServiceChosen`."""

    DEFAULT_CSS = """
    ServiceTable { border: round $panel-lighten-2; height: 1fr; }
    ServiceTable:focus { border: round $accent; }
    """

    BINDINGS = [
        Binding("o", "cycle_sort", "Sort by next column"),
        Binding("O", "reverse_sort", "Reverse sort", show=False),
    ]

    class ServiceChosen(Message):
        """The user pressed Enter on a service: focus every panel on it."""

        def __init__(self, service: str) -> None:
            super().__init__()
            self.service = service

    def __init__(
        self,
        thresholds: Callable[[Signal, str], Thresholds],
        units: Callable[[Signal], str],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self._thresholds = thresholds
        self._units = units
        self.rows_data: list[ServiceRow] = []
        # The services the view is narrowed to (empty: all). The others keep their rows,
        # so Enter can still pick one, but were not queried: dimmed, and the title says so.
        self.shown: frozenset[str] = frozenset()
        # Worst first until the user sorts otherwise: the incident on top.
        self.sort_column = "status"
        self.sort_reverse = True
        self.border_title = "Services"
        # Cells a name may take so every column fits the table's width (None: not laid
        # out yet, names whole); `_fit_names` keeps it up to date.
        self._name_cells: int | None = None

    def on_mount(self) -> None:
        for key, label in COLUMNS:
            self.add_column(label, key=key)
        self.add_column("Traffic", key="spark")
        self._update_sort_title()

    def show_rows(self, rows: list[ServiceRow], shown: frozenset[str] = frozenset()) -> None:
        self.rows_data = rows
        if shown != self.shown:
            self.shown = shown
            self._update_title()
        self._redraw()

    def _update_title(self) -> None:
        if not self.shown:
            self.border_title = "Services"
        else:
            only = ", ".join(sorted(self.shown))
            # Names are untrusted: a Text, never markup.
            title = append_safe(Text("Services · "), only)
            self.border_title = title.append(" only (others not queried · Esc)")

    def _cells(self, row: ServiceRow) -> list[Text]:
        if self.shown and row.service not in self.shown:
            return self._unqueried_cells(row)
        cells: list[Text] = [self._name_cell(row.service, "bold")]
        for key, _ in COLUMNS[1:]:
            if key == "status":
                cell = Text(STATUS_TEXT[row.status] + (" ▲" if row.changed else ""))
                cell.stylize(LEVEL_STYLES[row.status])
                cells.append(cell)
                continue
            signal = _SIGNAL_OF_COLUMN[key]
            value = row.value(key)
            assert not isinstance(value, str)
            level = self._thresholds(signal, row.service).level(value)
            if key == "traffic":
                level = "none" if value is None else "ok"
            cell = Text(format_value(value, self._units(signal), compact=True))
            cell.stylize(LEVEL_STYLES[level])
            cells.append(cell)
        # Each row on its own range: against zero, any steady service is a row of full bars.
        trend = sparkline(row.traffic_history, SPARK_WIDTH, own_range=True)
        cells.append(Text(trend, style="#5fafff"))
        return cells

    def _unqueried_cells(self, row: ServiceRow) -> list[Text]:
        """A service outside the view's selection: its name only, dim."""
        blank = [Text("·", style="dim") for _ in COLUMNS[1:]]
        return [self._name_cell(row.service, "dim"), *blank, Text("")]

    def _name_cell(self, service: str, style: str) -> Text:
        """The service's name, cut with "…" to the cells it may take (a long hostile
        label value would otherwise push the other columns off screen)."""
        name = safe_text(service, style)
        if self._name_cells is not None and name.cell_len > self._name_cells:
            name.truncate(self._name_cells, overflow="ellipsis")
        return name

    def _fit_names(self) -> bool:
        """Work out the cells names may take from the table's width and the other
        columns' (they are sized by their values); True if that changed."""
        width = self.scrollable_content_region.width
        if width <= 0 or not self.columns:
            return False
        others = sum(
            column.get_render_width(self)
            for column in self.columns.values()
            if column.key.value != "service"
        )
        cells = max(MIN_NAME, width - others - 2 * self.cell_padding)
        if cells == self._name_cells:
            return False
        self._name_cells = cells
        return True

    def _redraw(self, relayout: bool = False) -> None:
        ordered = sort_rows(self.rows_data, self.sort_column, self.sort_reverse)
        keys = [row.service for row in ordered]
        current = [row_key.value for row_key in self.rows]
        if keys == current and not relayout:
            # Same rows in the same order: change the cells that changed, no relayout.
            columns = [column.key for column in self.ordered_columns]
            for row in ordered:
                for column, cell in zip(columns, self._cells(row), strict=True):
                    if self.get_cell(row.service, column) != cell:
                        self.update_cell(row.service, column, cell, update_width=True)
            return
        selected = self._selected_service()
        self.clear()
        # DataTable.clear keeps each column's width, and add_row only widens: without
        # this, columns stay as wide as the widest value they ever held.
        for each in self.columns.values():
            each.content_width = each.label.cell_len
        for row in ordered:
            self.add_row(*self._cells(row), key=row.service)
        if selected is not None and selected in {r.service for r in self.rows_data}:
            self.move_cursor(row=self.get_row_index(selected))

    async def _on_idle(self, event: events.Idle) -> None:
        # DataTable measures columns when idle, but rows already rendered keep the old
        # widths in its caches until the next change: a column that narrowed (a filter
        # turned values into "—") stayed wide. Drop the caches when a width moved.
        widths = [column.content_width for column in self.columns.values()]
        await super()._on_idle(event)
        if self._fit_names():
            # Names cut to new room: rebuilt, as the name column only ever widens.
            self._redraw(relayout=True)
        elif widths != [column.content_width for column in self.columns.values()]:
            self._clear_caches()
            self.refresh()

    def _selected_service(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        except Exception:
            return None

    def action_cycle_sort(self) -> None:
        keys = [k for k, _ in COLUMNS]
        self.sort_column = keys[(keys.index(self.sort_column) + 1) % len(keys)]
        # Numbers are most useful worst-first; names alphabetically.
        self.sort_reverse = self.sort_column != "service"
        self._update_sort_title()
        self._redraw()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._update_sort_title()
        self._redraw()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key in dict(COLUMNS):
            if key == self.sort_column:
                self.sort_reverse = not self.sort_reverse
            else:
                self.sort_column, self.sort_reverse = key, key != "service"
            self._update_sort_title()
            self._redraw()

    def _update_sort_title(self) -> None:
        arrow = "↓" if self.sort_reverse else "↑"
        label = dict(COLUMNS)[self.sort_column]
        self.border_subtitle = f"sort: {label} {arrow}"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.ServiceChosen(event.row_key.value))
