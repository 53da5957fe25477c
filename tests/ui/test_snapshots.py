"""SVG snapshots where layout matters, on the frozen demo (same pixels every run).

Update after an intended change with `pytest tests/ui/test_snapshots.py --snapshot-update`
and look at the diff in snapshot_report.html before committing.
"""

from __future__ import annotations

from textual.pilot import Pilot
from ui.harness import choose_service, frozen_demo_app, settled, wait_until


class TestMainScreen:
    def test_wide_200x50(self, snap_compare) -> None:
        assert snap_compare(frozen_demo_app(), terminal_size=(200, 50), run_before=settled)

    def test_narrow_80x24(self, snap_compare) -> None:
        assert snap_compare(frozen_demo_app(), terminal_size=(80, 24), run_before=settled)

    def test_medium_160x48(self, snap_compare) -> None:
        assert snap_compare(frozen_demo_app(), terminal_size=(160, 48), run_before=settled)


class TestServiceFocus:
    def test_checkout_focused(self, snap_compare) -> None:
        async def focus_checkout(pilot: Pilot) -> None:
            await settled(pilot)
            await choose_service(pilot, "checkout")
            # Every panel re-fetched for checkout alone (the queue panel then has no
            # data): the table's column widths follow the last values it was given.
            await wait_until(
                pilot,
                lambda: (
                    len(results := pilot.app.metrics.results) == 5
                    and results["latency"].services() == ["checkout"]
                    and all(set(r.services()) <= {"checkout"} for r in results.values())
                ),
            )
            await pilot.pause(0.3)
            # The log pane's filter to checkout runs in a thread, and again when the buffer
            # is rebuilt (the histories' merge): done and drawn before the picture (on a
            # loaded machine the status line still said "searching…").
            app, panel = pilot.app, pilot.app.dashboard.log_panel
            await wait_until(pilot, lambda: not app.logs.rebuilding and not panel.query_state.busy)
            await pilot.pause()

        assert snap_compare(frozen_demo_app(), terminal_size=(160, 48), run_before=focus_checkout)


class TestHelp:
    def test_help_screen(self, snap_compare) -> None:
        async def open_help(pilot: Pilot) -> None:
            await settled(pilot)
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: pilot.app.screen.query("#help-table"))
            await pilot.pause(0.5)

        assert snap_compare(frozen_demo_app(), terminal_size=(100, 40), run_before=open_help)


class TestLogsOnly:
    def test_logs_only_80x24(self, snap_compare) -> None:
        """`--logs` and no Prometheus asked for: the logs take the screen, one line says
        how to add metrics."""
        from pulse_tui.config import Config, Overrides, apply_overrides

        config = apply_overrides(Config(), Overrides(logs=["web-1:/var/log/app.log"]))

        async def loaded(pilot: Pilot) -> None:
            view = pilot.app.dashboard.log_panel.view
            await wait_until(pilot, lambda: view.count > 20)
            await pilot.pause(0.3)

        assert snap_compare(frozen_demo_app(config), terminal_size=(80, 24), run_before=loaded)


class TestHeatmap:
    def test_latency_and_queue_heatmaps_160x48(self, snap_compare) -> None:
        """`m` on the latency and the queue panels (the demo's buckets): cells on a log
        scale of the bounds, the p50/p90/p99 glyphs over them, the legend."""
        from pulse_tui.model.metrics.signals import Signal

        async def heatmaps(pilot: Pilot) -> None:
            await settled(pilot)
            app = pilot.app
            for key, signal in (("1", Signal.LATENCY), ("5", Signal.QUEUE)):
                panel = app.dashboard.panel(signal)
                await pilot.press(key, "m")
                await wait_until(
                    pilot, lambda p=panel: p.buckets is not None and p.buckets.heatmap is not None
                )
            await pilot.pause(0.3)

        assert snap_compare(frozen_demo_app(), terminal_size=(160, 48), run_before=heatmaps)
