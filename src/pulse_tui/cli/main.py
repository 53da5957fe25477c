"""Command line: flags and subcommands -> config -> app. The only module that exits.

pulse-tui [flags]            the live dashboard
pulse-tui init [PATH]        write a starter config
pulse-tui check              validate the config and probe every target
pulse-tui summary            print the golden signals per service and exit
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import tomli_w

from pulse_tui import __version__
from pulse_tui.cli.init import render_starter
from pulse_tui.config import (
    ConfigError,
    Overrides,
    find_config_path,
    resolve,
)
from pulse_tui.model.core.redact import scrub

EXAMPLES = """\
examples:
  pulse-tui --demo                                   the whole product, no servers needed
  pulse-tui --prometheus http://prom:9090 --service-label service
  pulse-tui --logs deploy@web-1:/var/log/app.log --logs web-2:/var/log/*.log
  pulse-tui --journal web-1:nginx.service --range 3h
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
        "--range", metavar="DURATION", help="time range shown, e.g. 15m, 1h, 2d (default: 1h)"
    )
    parser.add_argument("--demo", action="store_true", help="built-in demo data, no servers")


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
    _add_log_flags(parser)
    parser.add_argument("--refresh", metavar="DURATION", help="refresh interval (default: 5s)")
    parser.add_argument(
        "--glyphs",
        choices=("braille", "block", "ascii"),
        help="chart glyphs; block or ascii for fonts without braille",
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
        demo=bool(getattr(args, "demo", False)),
    )


def _fail(message: str, code: int = 2) -> int:
    print(f"pulse-tui: error: {scrub(message)}", file=sys.stderr)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
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
    from pulse_tui.ui.app import build_app  # Textual is imported only for the TUI.

    app = build_app(config)
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
                thresholds=config.thresholds,
            )
        finally:
            await source.close()

    try:
        rows = asyncio.run(collect())
    except SourceError as exc:
        return _fail(str(exc), code=1)
    print(format_summary(rows, args.format, range_seconds=config.dashboard.range))
    return 0


__all__ = ["build_parser", "find_config_path", "main"]
