"""The dashboards the user imported: read once at start, one screen each, `d` goes
through them and back to the main dashboard. A file that cannot be imported is one line
(file and problem) in a toast and on its screen; the app runs on without it.

After them comes the Ad-hoc dashboard, once a query of the `:` prompt has been kept
(`keep`): the session's kept panels, two to a row, drawn by the same screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from textual.app import App

from pulse_tui.config import Config
from pulse_tui.model.dashboards.definition import Dashboard, GridPos, Panel
from pulse_tui.model.dashboards.grafana import DashboardError, load_dashboard
from pulse_tui.sources.base import MetricsSource
from pulse_tui.sources.dashboards import Span
from pulse_tui.ui.toast import toast
from pulse_tui.ui.widgets.dashboards.query_widgets import query_panel
from pulse_tui.ui.widgets.dashboards.screen import GrafanaScreen

NO_DASHBOARDS = (
    "no dashboards imported · add --dashboard FILE.json or [[dashboards]] path,"
    " or keep a query of the : prompt with k"
)
ADHOC_TITLE = "Ad-hoc (the config's [[queries]] and those kept from the : prompt)"
#: A kept panel's size on Grafana's grid: two to a row.
KEPT_WIDTH, KEPT_HEIGHT = 12, 9


@dataclass(frozen=True, slots=True)
class Imported:
    path: Path
    dashboard: Dashboard | None
    #: One line naming the file and what is wrong with it (None: imported).
    error: str | None


def import_all(paths: tuple[Path, ...]) -> list[Imported]:
    out = []
    for path in paths:
        try:
            out.append(Imported(path, load_dashboard(path), None))
        except DashboardError as exc:
            out.append(Imported(path, None, str(exc)))
    return out


class DashboardImports:
    """Owns the imported dashboards and their screens."""

    def __init__(
        self, app: App[Any], config: Config, source: MetricsSource, span: Callable[[], Span]
    ) -> None:
        self._app = app
        self._config = config
        self._source = source
        self._span = span
        #: Every file asked for, in order, imported or not (files are small: read at start).
        self.imported = import_all(config.dashboards)
        self._screens: dict[int, GrafanaScreen] = {}
        #: The Ad-hoc dashboard's panels: the config's `[[queries]]`, then those kept
        #: from the prompt, in order.
        self.kept: list[Panel] = []
        for saved in config.queries:
            title = saved.title or " ".join(saved.expr.split())
            self._add(replace(query_panel(saved.expr, saved.table), title=title))

    @property
    def errors(self) -> list[str]:
        return [item.error for item in self.imported if item.error]

    def mounted(self) -> None:
        for error in self.errors:
            toast(self._app, error, severity="error", timeout=8)

    @property
    def count(self) -> int:
        """Dashboards `d` goes through: the files, then the Ad-hoc one if it has panels."""
        return len(self.imported) + (1 if self.kept else 0)

    def adhoc_dashboard(self) -> Dashboard:
        return Dashboard(path="", title=ADHOC_TITLE, schema_version=0, panels=tuple(self.kept))

    def keep(self, panel: Panel) -> GrafanaScreen:
        """Add `panel` to the Ad-hoc dashboard; its screen, made anew with it."""
        self._add(panel)
        self._screens.pop(len(self.imported), None)
        return self.screen(len(self.imported))

    def _add(self, panel: Panel) -> None:
        index = len(self.kept)
        grid = GridPos(
            (index % 2) * KEPT_WIDTH, (index // 2) * KEPT_HEIGHT, KEPT_WIDTH, KEPT_HEIGHT
        )
        self.kept.append(replace(panel, id=index + 1, grid=grid))

    def is_dashboard(self, screen: object) -> bool:
        return any(screen is s for s in self._screens.values())

    def screen(self, index: int) -> GrafanaScreen:
        """The screen of the `index`-th file, or past them the Ad-hoc dashboard's (made on
        first use, kept: it keeps its data)."""
        if index not in self._screens:
            item = (
                self.imported[index]
                if index < len(self.imported)
                else Imported(Path("ad-hoc"), self.adhoc_dashboard(), None)
            )
            self._screens[index] = GrafanaScreen(
                item.dashboard,
                item.error,
                self._source,
                self._span,
                refresh=self._config.dashboard.refresh,
                glyphs=self._config.dashboard.glyphs,
                max_series=self._config.dashboard.max_series,
            )
        return self._screens[index]

    def refresh_now(self) -> None:
        """The view changed: the dashboard on screen (if one is) fetches at once."""
        for screen in self._screens.values():
            if screen is self._app.screen:
                screen.action_refresh_panels()

    def next(self) -> None:
        """The next dashboard; after the last, back to the main one."""
        app = self._app
        if not self.count:
            toast(app, NO_DASHBOARDS, timeout=4)
            return
        current = app.screen
        index = next((i for i, s in self._screens.items() if s is current), None)
        if index is not None:
            app.pop_screen()
            if index + 1 >= self.count:
                return
        elif current is not app.screen_stack[0]:
            return  # a dialog is open: it keeps the keys
        app.push_screen(self.screen(0 if index is None else index + 1))
