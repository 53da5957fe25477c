"""`v` on a dashboard: pick a variable (when there are several), then its values, with the
service picker (`ui/screens/picker.py`): type to filter, Tab ticks several for a multi
variable, Enter applies, "(all)" or ctrl+a is All where the variable has it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from pulse_tui.model.dashboards.interpolate import Selection
from pulse_tui.model.dashboards.variables import Variable, VariableState
from pulse_tui.ui.screens.picker import PickerScreen
from pulse_tui.ui.toast import toast

#: Kinds there is nothing to pick in (Grafana hides them too).
FIXED = frozenset({"constant", "datasource"})


def pick_variable(
    app: App[Any],
    variables: tuple[Variable, ...],
    state: VariableState,
    apply: Callable[[str, Selection], None],
) -> None:
    """Ask for a variable's new value and hand it to `apply(name, selection)`."""
    pickable = [v for v in variables if v.kind not in FIXED]
    if not pickable:
        toast(app, "this dashboard has no variables to pick", timeout=4)
        return
    if len(pickable) == 1:
        _pick_values(app, pickable[0], state, apply)
        return
    by_label = {f"${v.name}": v for v in pickable}

    def chosen(names: frozenset[str] | None) -> None:
        if names:
            _pick_values(app, by_label[sorted(names)[0]], state, apply)

    app.push_screen(PickerScreen("Variables", list(by_label), frozenset()), chosen)


def _pick_values(
    app: App[Any],
    variable: Variable,
    state: VariableState,
    apply: Callable[[str, Selection], None],
) -> None:
    options = state.options.get(variable.name, [])
    current = state.selections.get(variable.name)
    # A multi variable starts with its values ticked; a single one with none, so Enter
    # takes the highlighted value.
    ticked = (
        frozenset(current.values)
        if variable.multi and current is not None and not current.is_all
        else frozenset()
    )
    multi = variable.multi or variable.include_all

    def chosen(values: frozenset[str] | None) -> None:
        if values is None:
            return
        if not values:
            if not variable.include_all:
                toast(app, f"${variable.name} has no All: kept as it was", timeout=4)
                return
            apply(variable.name, Selection(tuple(options), True, variable.all_value, multi))
            return
        picked = tuple(sorted(values))
        if not variable.multi and len(picked) > 1:
            toast(app, f"${variable.name} takes one value: {picked[0]}", timeout=4)
            picked = picked[:1]
        apply(variable.name, Selection(picked, multi=multi))

    app.push_screen(PickerScreen(f"${variable.name}", options, ticked), chosen)
