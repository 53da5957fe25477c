"""Run pulse-tui's benchmarks: `python benchmarks/run.py [NAME...]`.

Every `benchmarks/bench_<name>.py` module defines `run() -> Iterable[Figure]`; each figure
is printed as one JSON object per line so runs can be compared:
{"name": ..., "value": ..., "unit": ...,
 "reference": <tool or null>, "ratio": <value/reference or null>}
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def figure(
    name: str, value: float, unit: str, reference: str | None = None, ratio: float | None = None
) -> dict[str, object]:
    """One measured figure, in the shape every benchmark prints."""
    return {
        "name": name,
        "value": round(value, 6) if isinstance(value, float) else value,
        "unit": unit,
        "reference": reference,
        "ratio": None if ratio is None else round(ratio, 4),
    }


def available() -> dict[str, Path]:
    return {p.stem.removeprefix("bench_"): p for p in sorted(HERE.glob("bench_*.py"))}


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    benches = available()
    names = argv or list(benches)
    unknown = [n for n in names if n not in benches]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(benches)}",
            file=sys.stderr,
        )
        return 2
    sys.path.insert(0, str(HERE))
    for name in names:
        figures: Iterable[dict[str, object]] = load(benches[name]).run()
        for fig in figures:
            print(json.dumps(fig), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
