"""The incident lab's main: start everything, say what is true, stop it all on a signal."""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import FrameType

from support.sshd_server import SshdServer

from lab.files import LabHost, app_command, write_config, write_env
from lab.logs import TIMEOUT_TEXT, FileSpec, LineMaker, LiveWriter, write_history
from lab.metrics import HOSTILE, SCRAPE, LabModel, LabService, lab_services
from lab.servers import Exporter, lab_prometheus

#: Seconds of metrics backfilled before the lab starts, and of log lines in each file.
METRICS_HISTORY = 2 * 3600
LOG_HISTORY = 3600
#: What the lab's files under ROOT are called; only these are removed when ROOT is reused.
MARKER = ".incident-lab"
OWNED = (MARKER, "prometheus", "sshd", "home", "hosts", "pulse.toml", "env.sh")
#: How often the true values are printed again.
REPORT_EVERY = 60.0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="incident_lab.py",
        description="A real prometheus and sshd with an incident on checkout, to try pulse-tui.",
    )
    parser.add_argument(
        "--root", type=Path, help="where the lab's files go (default: a new temporary dir)"
    )
    parser.add_argument(
        "--minutes-ago",
        type=float,
        default=20.0,
        help="checkout's incident started this long before the lab (default 20)",
    )
    parser.add_argument("--seed", type=int, default=1, help="noise seed (default 1)")
    args = parser.parse_args(argv)
    if not 0 <= args.minutes_ago * 60 < METRICS_HISTORY:
        parser.error(f"--minutes-ago must be from 0 to under {METRICS_HISTORY // 60}")
    return args


def prepare_root(root: Path | None) -> tuple[Path, bool]:
    """The lab's directory, and whether it is a temporary one to remove at the end. A
    given ROOT is used empty or as a previous lab left it (its files replaced), never
    emptied of anything else."""
    if root is None:
        return Path(tempfile.mkdtemp(prefix="pulse-lab-")), True
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    others = [p.name for p in root.iterdir() if p.name not in OWNED]
    if others or (any(root.iterdir()) and not (root / MARKER).exists()):
        raise SystemExit(f"incident_lab: {root} holds files no lab made: pick another --root")
    for name in OWNED:
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    (root / MARKER).write_text("made by tools/incident_lab.py\n")
    return root, False


def binary(name: str) -> str:
    path = shutil.which(name, path="/usr/bin:/usr/sbin:/bin:/sbin:/usr/local/bin")
    if path is None:
        raise SystemExit(f"incident_lab: `{name}` is not installed (make test-deps installs it)")
    return path


def shown(name: str) -> str:
    """A service name as the app must show it: escapes written out, markup as text."""
    return name.encode("unicode_escape").decode("ascii")


def clock(t: float) -> str:
    return datetime.fromtimestamp(t).astimezone().strftime("%H:%M:%S %Z")


def report(exporter: Exporter, services: Sequence[LabService], incident_start: int) -> None:
    """One line per service: its values over the last minute, which the app's current values
    read (rate window max(4 x 5 s scrape, 1m) = 1m), and checkout's incident."""
    with exporter.lock:
        exporter.model.advance_to(time.time())
        truths = [exporter.model.truth(svc) for svc in services]
        at = exporter.model.now
    print(f"--- true values over the minute to {clock(at)} ---", flush=False)
    for svc, truth in zip(services, truths, strict=True):
        queues = "".join(f"  queue {q} p99 {v:.2f}s" for q, v in truth.queue_p99.items())
        incident = ""
        if svc.incident is not None:
            ago = (time.time() - incident_start) / 60
            incident = f"  INCIDENT since {clock(incident_start)} ({ago:.0f} min ago)"
        print(
            f"{shown(svc.name):<26} errors {truth.error_ratio:6.2%}  p99 {truth.p99:5.2f}s"
            f"  p50 {truth.p50:5.3f}s  {truth.requests_per_s:5.1f} req/s{queues}{incident}"
        )
    sys.stdout.flush()


def log_specs(
    hosts_dir: Path, incident_start: float, seed: int
) -> dict[str, list[tuple[FileSpec, str]]]:
    """Each host alias's files with their service: web-1 api and worker, web-2 checkout."""
    web1, web2 = hosts_dir / "web-1", hosts_dir / "web-2"

    def spec(path: Path, kind: str, rate: float, stream: int) -> FileSpec:
        # Each file a stream of its own, all of them moved by --seed.
        return FileSpec(path, kind, rate, incident_start, seed * 100 + stream)

    return {
        "web-1": [
            (spec(web1 / "app.log", "api", 9.0, 11), "api"),
            (spec(web1 / "worker.log", "worker", 5.0, 12), "worker"),
        ],
        "web-2": [
            (spec(web2 / "checkout-a.log", "checkout", 7.0, 21), "checkout"),
            (spec(web2 / "checkout-b.log", "checkout", 6.0, 22), "checkout"),
        ],
    }


def write_logs(
    hosts_dir: Path, start: int, incident_start: int, seed: int
) -> tuple[list[LineMaker], list[LabHost]]:
    """Every file's history up to `start` (app.log's older hour in app.log.2.gz, then
    app.log.1); the makers go on from there."""
    makers: list[LineMaker] = []
    hosts: list[LabHost] = []
    for alias, specs in log_specs(hosts_dir, incident_start, seed).items():
        (hosts_dir / alias).mkdir(parents=True)
        for spec, _ in specs:
            rotated: tuple[tuple[Path, float], ...] = ()
            if spec.path.name == "app.log":
                rotated = (
                    (spec.path.with_name("app.log.2.gz"), start - 1.5 * LOG_HISTORY),
                    (spec.path.with_name("app.log.1"), start - LOG_HISTORY),
                )
            first = start - LOG_HISTORY - (LOG_HISTORY if rotated else 0)
            makers.append(write_history(spec, first, start, rotated))
        hosts.append(LabHost(alias, [(spec.path, service) for spec, service in specs]))
    return makers, hosts


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def run(args: argparse.Namespace, repo: Path) -> int:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _stop_on_signal)
    root, temporary = prepare_root(args.root)
    prometheus, promtool = binary("prometheus"), binary("promtool")
    sshd_binary, keygen = binary("sshd"), binary("ssh-keygen")
    start = int(time.time()) // SCRAPE * SCRAPE
    incident_start = int(start - args.minutes_ago * 60) // SCRAPE * SCRAPE
    services = lab_services()
    model = LabModel(services, start - METRICS_HISTORY, incident_start, seed=args.seed)
    with contextlib.ExitStack() as stack:
        if temporary:
            stack.callback(shutil.rmtree, root, True)
        try:
            print(
                f"incident lab in {root}: backfilling 2 h of metrics, writing 1 h of logs ...",
                flush=True,
            )
            exporter = Exporter(model).start()
            stack.callback(exporter.stop)
            server = stack.enter_context(
                lab_prometheus(prometheus, promtool, model, start, root / "prometheus", exporter)
            )
            makers, hosts = write_logs(root / "hosts", start, incident_start, args.seed)
            writer = LiveWriter(makers).start()
            stack.callback(writer.stop)
            sshd = SshdServer(root / "sshd", sshd=sshd_binary, ssh_keygen=keygen).start()
            stack.callback(sshd.stop)
            home = sshd.write_client_home(root / "home", [host.alias for host in hosts])
            config = write_config(root, server.url, home / ".ssh" / "known_hosts", hosts)
            env = write_env(root, config, home, repo)
            print(f"prometheus {server.url}, scraping 127.0.0.1:{exporter.port} every {SCRAPE}s")
            print(f"sshd 127.0.0.1:{sshd.port}: web-1 and web-2, files in {root / 'hosts'}")
            timeouts = [m.first_timeout for m in makers if m.first_timeout is not None]
            if timeouts:
                print(f"first '{TIMEOUT_TEXT}' line in checkout's logs at {clock(min(timeouts))}")
            print(f"config {config}\n\n  . {env}\n  {app_command(repo)}\n")
            print(
                f"(the hostile service is {shown(HOSTILE)!s}; the app must show those characters)"
            )
            report(exporter, services, incident_start)
            while True:
                time.sleep(REPORT_EVERY)
                report(exporter, services, incident_start)
        except KeyboardInterrupt as stop:
            print(f"\nincident lab: stopping ({stop or 'interrupt'}) ...", flush=True)
            # Further signals while cleaning up must not cut it short.
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
    print("incident lab: stopped" + ("" if temporary else f"; its files are in {root}"))
    return 0


def main(argv: Sequence[str] | None = None, repo: Path | None = None) -> int:
    args = parse_args(argv)
    return run(args, repo or Path(__file__).resolve().parents[2])
