"""The `:` key: opens the ad-hoc PromQL prompt over the main dashboard or an imported
one, remembers the last query for the next time, and keeps a result as a panel of the
Ad-hoc dashboard (shown at once, and in the `d` cycle after the imported ones), handing
out the `[[queries]]` entry that keeps it across runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from pulse_tui.config import Config, SavedQuery
from pulse_tui.config.queries import toml_entry
from pulse_tui.model.dashboards.definition import Panel
from pulse_tui.sources.base import MetricsSource
from pulse_tui.sources.completion import catalog_for
from pulse_tui.sources.dashboards import Span
from pulse_tui.ui.toast import toast
from pulse_tui.ui.widgets.dashboards.imports import DashboardImports
from pulse_tui.ui.widgets.dashboards.query_screen import QueryScreen
from pulse_tui.ui.widgets.dashboards.screen import GrafanaScreen


class AdhocQueries:
    """Owns the prompt's session state: the completion cache, the last query and mode."""

    def __init__(
        self,
        app: App[Any],
        config: Config,
        source: MetricsSource,
        span: Callable[[], Span],
        dashboards: DashboardImports,
    ) -> None:
        self._app = app
        self._config = config
        self._source = source
        self._span = span
        self._dashboards = dashboards
        #: Metric names, label names and values, cached for the session.
        self.catalog = catalog_for(source)
        #: The last query run (or toggled), offered again when the prompt reopens.
        self.last_text = ""
        self.last_table = False

    def open(self) -> None:
        """The prompt, over the main dashboard or an imported one (a dialog keeps `:`)."""
        app = self._app
        screen = app.screen
        if isinstance(screen, QueryScreen):
            screen.action_edit()
            return
        if screen is not app.screen_stack[0] and not self._dashboards.is_dashboard(screen):
            return
        dashboard = self._config.dashboard
        app.push_screen(
            QueryScreen(
                self._source,
                self.catalog,
                self._span,
                self._keep,
                text=self.last_text,
                table=self.last_table,
                remember=self._remember,
                refresh=dashboard.refresh,
                glyphs=dashboard.glyphs,
                max_series=dashboard.max_series,
            )
        )

    def refresh_now(self) -> None:
        if isinstance(self._app.screen, QueryScreen):
            self._app.screen.rerun()

    def _remember(self, text: str, table: bool) -> None:
        self.last_text, self.last_table = text, table

    def _keep(self, panel: Panel) -> None:
        """Back to the main dashboard, then the Ad-hoc one with `panel` added."""
        app = self._app
        screen = self._dashboards.keep(panel)
        # The prompt, and the dashboards it was opened over (the old Ad-hoc one among them).
        while len(app.screen_stack) > 1 and isinstance(app.screen, (QueryScreen, GrafanaScreen)):
            app.pop_screen()
        app.push_screen(screen)
        # Kept for the session; for the next runs the user adds the entry to the config
        # (pulse-tui never writes it): on the clipboard, and shown.
        target = panel.targets[0]
        entry = toml_entry(SavedQuery(target.expr, table=target.instant))
        app.copy_to_clipboard(entry)
        count = len(self._dashboards.kept)
        toast(
            app,
            # One line: a toast shows a newline as its escape.
            "to keep it across runs, add to the config (copied to the clipboard): "
            + "  ".join(entry.splitlines()),
            title=f"Kept as panel {count} of the Ad-hoc dashboard (d)",
            timeout=12,
        )
