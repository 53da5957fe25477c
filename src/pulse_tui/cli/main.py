"""Command line: flags and subcommands -> config -> app. The only module that exits.

pulse-tui [flags]            the live dashboard
pulse-tui init [PATH]        write a starter config
pulse-tui check              validate the config and probe every target
pulse-tui summary            print the golden signals per service and exit
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

import tomli_w

from pulse_tui import __version__
from pulse_tui.cli.init import render_starter
from pulse_tui.config import (
    ConfigError,
    Overrides,
    find_config_path,
    parse_range_flag,
    resolve,
    start_view,
)
from pulse_tui.config.dashboards import with_dashboard_flags
from pulse_tui.model.core.redact import display_url, scrub
from pulse_tui.model.core.view_command import LEVELS, StartView

EXAMPLES = """\
examples:
  pulse-tui --demo                                   the whole product, no servers needed
  pulse-tui --prometheus http://prom:9090 --service-label service
  pulse-tui --logs deploy@web-1:/var/log/app.log --logs web-2:/var/log/*.log
  pulse-tui --journal web-1:nginx.service --range 3h
  pulse-tui --demo --service checkout --range now-2h..now-30m --search timeout --level warn
                                                     start on a view (`y` copies the view's)
  pulse-tui init                                     write ~/.config/pulse-tui/config.toml
  pulse-tui check                                    probe every target the config names
  pulse-tui summary --format json                    golden signals per service, for scripts

config lookup: --config, then $PULSE_TUI_CONFIG, then $XDG_CONFIG_HOME/pulse-tui/config.toml
(default ~/.config/pulse-tui/config.toml); flags override the file.
"""

SUBCOMMANDS = ("init", "check", "summary")

#: The top-level usage names every command (argparse's own would show only the flags).
_COMMANDS = (
    ("pulse-tui [options]", "the live dashboard"),
    ("pulse-tui init [PATH] [--force]", "write a starter config"),
    ("pulse-tui check [options]", "validate the config and probe every target"),
    ("pulse-tui summary [options]", "print the golden signals per service and exit"),
    ("pulse-tui COMMAND --help", "the options of one command"),
)
# Continuation lines sit under the first, after argparse's "usage: ".
USAGE = "\n       ".join(f"{command:<33} {what}" for command, what in _COMMANDS)


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line with exit code 2 (never a traceback), and
    never guesses: abbreviations are off, so `--service x` cannot become `--service-label x`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")


def _add_source_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="config file (TOML)")
    parser.add_argument("--prometheus", metavar="URL", help="Prometheus-API base URL")
    parser.add_argument(
        "--service-label", metavar="NAME", help="label naming a service (default: job)"
    )
    parser.add_argument(
        "--range",
        metavar="RANGE",
        help="time range: a duration (15m, 1h, 2d: that long up to now, live) or bounds "
        "as the time dialog (t) takes them: now-2h..now-30m, "
        "2026-12-02T10:00..2026-12-02T11:30 (local time unless Z or +01:00); default 1h",
    )
    parser.add_argument(
        "--service",
        metavar="NAME",
        action="append",
        default=[],
        help="only this service, as the service picker (s) selects (repeatable)",
    )
    parser.add_argument("--demo", action="store_true", help="built-in demo data, no servers")


def _add_view_flags(parser: argparse.ArgumentParser) -> None:
    """The log pane's part of the view; `y` in the dashboard copies them with the rest."""
    parser.add_argument(
        "--search",
        metavar="TERM",
        help="start with this log search, as typed after / (re:REGEX, field=value terms)",
    )
    parser.add_argument(
        "--filter", action="store_true", help="show only the log lines the search matches (f)"
    )
    parser.add_argument(
        "--exclude",
        metavar="PATTERN",
        action="append",
        default=[],
        help="hide log lines matching PATTERN, as ! does (repeatable)",
    )
    parser.add_argument(
        "--level",
        type=str.lower,
        choices=LEVELS,
        help="minimum log level shown, as the log pane's l key cycles (default: all)",
    )
    parser.add_argument(
        "--export-dir",
        metavar="DIR",
        help="where E writes its pulse-tui-export-* directories "
        "(default: dashboard.export_dir, else the working directory)",
    )


def _add_log_flags(parser: argparse.ArgumentParser, verb: str = "tail") -> None:
    parser.add_argument(
        "--logs",
        metavar="SPEC",
        action="append",
        default=[],
        help=f"{verb} a remote file: [user@]host[:port]:/abs/path (repeatable, globs allowed)",
    )
    parser.add_argument(
        "--journal",
        metavar="SPEC",
        action="append",
        default=[],
        help=f"{verb} journald: [user@]host[:port][:unit] (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pulse-tui",
        usage=USAGE,
        description="Golden signals from Prometheus and logs over SSH, live in your terminal.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pulse-tui {__version__}")
    _add_source_flags(parser)
    _add_view_flags(parser)
    _add_log_flags(parser)
    parser.add_argument("--refresh", metavar="DURATION", help="refresh interval (default: 5s)")
    parser.add_argument(
        "--glyphs",
        choices=("braille", "block", "ascii"),
        help="chart glyphs; block or ascii for fonts without braille",
    )
    parser.add_argument(
        "--dashboard",
        metavar="FILE",
        action="append",
        default=[],
        help="import a Grafana dashboard JSON file as a screen (d shows it; repeatable)",
    )
    return parser


def build_init_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pulse-tui init", description="Write a commented starter config.")
    parser.add_argument(
        "path", nargs="?", help="where to write (default: $XDG_CONFIG_HOME/pulse-tui/config.toml)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def build_check_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pulse-tui check",
        description="Validate the config and probe every target it names: the metrics "
        "backend (with a query), every SSH host, every [[probes]] endpoint and "
        "alerts.alertmanager_url. Prints one line per target; exits 1 if any fails.",
    )
    parser.add_argument("--config", metavar="FILE", help="config file (TOML)")
    parser.add_argument("--prometheus", metavar="URL", help="Prometheus-API base URL")
    _add_log_flags(parser, verb="also check")
    return parser


def build_summary_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pulse-tui summary",
        description="Print the current golden signals per service and exit.",
    )
    _add_source_flags(parser)
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="table (aligned text, default), json (a list of objects) or csv",
    )
    return parser


def _overrides(args: argparse.Namespace) -> Overrides:
    return Overrides(
        prometheus=getattr(args, "prometheus", None),
        service_label=getattr(args, "service_label", None),
        logs=list(getattr(args, "logs", []) or []),
        journal=list(getattr(args, "journal", []) or []),
        range=getattr(args, "range", None),
        refresh=getattr(args, "refresh", None),
        glyphs=getattr(args, "glyphs", None),
        export_dir=getattr(args, "export_dir", None),
        demo=bool(getattr(args, "demo", False)),
    )


def _start_view(args: argparse.Namespace) -> StartView:
    return start_view(
        services=list(getattr(args, "service", []) or []),
        range_text=getattr(args, "range", None),
        search=getattr(args, "search", None),
        filter_mode=bool(getattr(args, "filter", False)),
        excludes=list(getattr(args, "exclude", []) or []),
        level=getattr(args, "level", None),
    )


def _origin(args: argparse.Namespace) -> list[str]:
    """The flags that chose the data, for the command line `y` copies (never a password:
    a URL's is masked)."""
    argv: list[str] = []
    if args.config:
        argv += ["--config", args.config]
    if args.demo:
        argv.append("--demo")
    if args.prometheus:
        argv += ["--prometheus", display_url(args.prometheus)]
    if args.service_label:
        argv += ["--service-label", args.service_label]
    for spec in args.logs:
        argv += ["--logs", spec]
    for spec in args.journal:
        argv += ["--journal", spec]
    return argv


def _fail(message: str, code: int = 2) -> int:
    print(f"pulse-tui: error: {scrub(message)}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            gc.enable()  # off only for the dashboard's start (`pulse_tui.__main__.run`)
            command, rest = argv[0], argv[1:]
            if command == "init":
                return cmd_init(build_init_parser().parse_args(rest))
            if command == "check":
                return cmd_check(build_check_parser().parse_args(rest))
            return cmd_summary(build_summary_parser().parse_args(rest))
        return cmd_run(build_parser().parse_args(argv))
    except ConfigError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130


def cmd_run(args: argparse.Namespace) -> int:
    config = resolve(args.config, _overrides(args))
    start = _start_view(args)
    from pulse_tui.cli.summary import export_json

    config = with_dashboard_flags(config, args.dashboard)
    from pulse_tui.ui.app import build_app  # Textual is imported only for the TUI.

    app = build_app(
        config,
        start=start,
        origin=_origin(args),
        summary_json=partial(export_json, thresholds=config.thresholds),
    )
    app.run()
    return app.return_code or 0


def cmd_init(args: argparse.Namespace) -> int:
    path = Path(args.path).expanduser() if args.path else _default_config_path()
    if path.exists() and not args.force:
        return _fail(f"{path} already exists; use --force to overwrite it", code=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_starter(tomli_w.dumps))
    path.chmod(0o600)
    print(f"wrote {path}")
    return 0


def _default_config_path() -> Path:
    import os

    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "pulse-tui" / "config.toml"


def cmd_check(args: argparse.Namespace) -> int:
    config = resolve(args.config, _overrides(args))
    where = str(config.path) if config.path else "no config file (defaults and flags)"
    print(scrub(f"OK    config      {where}"))
    if config.prometheus.tls_insecure:
        print("WARN  tls         certificate verification is off (prometheus.tls_insecure)")
    from pulse_tui.cli.check import run_checks

    results = asyncio.run(run_checks(config))
    failed = 0
    for result in results:
        status = "OK  " if result.ok else "FAIL"
        failed += not result.ok
        # Scrubbed here too: a target's detail may quote a library's exception.
        print(scrub(f"{status}  {result.target}  {result.detail}"))
    return 1 if failed else 0


def cmd_summary(args: argparse.Namespace) -> int:
    config = resolve(args.config, _overrides(args))
    # `--range` with bounds: the values at its end, as the dashboard shows them there.
    end = parse_range_flag(args.range)[1] if args.range else None
    services = set(args.service)
    from pulse_tui.cli.summary import collect_summary, format_summary
    from pulse_tui.sources.base import SourceError
    from pulse_tui.sources.factory import metrics_source

    async def collect() -> list[dict]:
        source = metrics_source(config)
        try:
            return await collect_summary(
                source,
                config.dashboard.range,
                scrape_interval=config.prometheus.scrape_interval,
                now=end,
                thresholds=config.thresholds,
            )
        finally:
            await source.close()

    try:
        rows = asyncio.run(collect())
    except SourceError as exc:
        return _fail(str(exc), code=1)
    if services:
        rows = [row for row in rows if row["service"] in services]
    print(format_summary(rows, args.format, range_seconds=config.dashboard.range))
    return 0


__all__ = ["build_parser", "find_config_path", "main"]
