"""One served configuration for `make bench`: scripts/serve.sh (the way `make run` serves), with the
benchmark's own model, ports and SQLite tracker database, plus what the benchmark reads from the
processes (/proc): readiness, peak memory, and how much CPU other sessions took meanwhile."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HZ = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on; the name may hold spaces


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_proc_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    found, todo = [], [pid]
    while todo:
        found.extend(kids := children.get(todo.pop(), []))
        todo.extend(kids)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def vm_hwm_mb(pid: int) -> float | None:
    """Peak resident set size (VmHWM) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


class CpuMeter:
    """Share of the machine's CPU used by processes that are not this benchmark's, over a phase.

    The machine is shared with other sessions; this says whether a figure was taken under load.
    Ours = this process, its waited-for children (training, load client) and the live servers."""

    def __init__(self, live_pids: list[int] = ()):
        self.live_pids = list(live_pids)
        self.start = self._sample()

    def _sample(self) -> tuple[float, float, float]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        t = os.times()
        ours = (t.user + t.system + t.children_user + t.children_system) * HZ
        for pid in self.live_pids:
            try:
                stat = _proc_stat(pid)
                ours += int(stat[11]) + int(stat[12])  # utime, stime
            except OSError:
                pass
        return time.monotonic(), busy, ours

    def other_share(self) -> float:
        (t0, busy0, ours0), (t1, busy1, ours1) = self.start, self._sample()
        capacity = (t1 - t0) * HZ * os.cpu_count()
        return round(max(0.0, (busy1 - busy0) - (ours1 - ours0)) / capacity, 3) if capacity else 0.0


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def free_ports(count: int) -> list[int]:
    """Ports nothing listens on now, chosen by the system (all different): the benchmark runs beside
    `make run` (5005, 5055, 8080), the tests and other benchmarks."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


class Stack:
    """Everything scripts/serve.sh starts (action server, Rasa server, web server) on ports, a tracker
    database and a log folder of its own, so that nothing clashes with a running `make run`: the web
    server on a free port, the logs in workdir/log (not make run's var/log). stop() ends its process
    group."""

    def __init__(self, name: str, model: Path, rasa_port: int, actions_port: int, workdir: Path):
        web_port = next(port for port in free_ports(3) if port not in (rasa_port, actions_port))
        ports = {"Rasa server": rasa_port, "action server": actions_port, "web server": web_port}
        taken = [f"{port} ({what})" for what, port in ports.items() if not port_free(port)]
        if taken:
            raise SystemExit(f"{name}: port {', '.join(taken)} already in use by another program; choose free ones")
        workdir.mkdir(parents=True, exist_ok=True)
        db = workdir / "tracker.db"
        db.unlink(missing_ok=True)  # every run starts with no conversations
        endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
        endpoints["tracker_store"]["db"] = str(db)  # same store type as the project, own file
        (workdir / "endpoints.yml").write_text(yaml.safe_dump(endpoints))
        env = {
            **os.environ,
            "RASA_PORT": str(rasa_port),
            "ACTIONS_PORT": str(actions_port),
            "SERVE_MODEL": str(model),
            "SERVE_ENDPOINTS": str(workdir / "endpoints.yml"),
            "TRACKER_DB": str(db),
            "WEB_PORT": str(web_port),
            "SERVE_LOG_DIR": str(workdir / "log"),
            # Its own console accounts (serve.sh makes a first one), not make run's var/agents.json.
            "CONSOLE_ACCOUNTS": str(workdir / "agents.json"),
            "CONSOLE_AUDIT_LOG": str(workdir / "console-audit.log"),
            # The benchmark measures the servers at full speed (a 200-turn conversation, 64 at once from
            # one client), not the rate limits in front of them (tests/live/test_rate_limits_live.py).
            "RATE_LIMIT_SENDER": "off",
            "RATE_LIMIT_ADDRESS": "off",
        }
        self.name, self.port, self.log = name, rasa_port, workdir / "serve.log"
        started = time.monotonic()
        self.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh")],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while not _ready(f"http://127.0.0.1:{rasa_port}/"):
            if self.proc.poll() is not None or time.monotonic() - started > 300:
                self.stop()
                raise SystemExit(f"{name}: the assistant did not start; see {self.log}")
            time.sleep(0.1)
        self.ready_s = round(time.monotonic() - started, 2)
        while "The assistant is ready" not in self.log.read_text():  # the web server too (after Rasa)
            if self.proc.poll() is not None or time.monotonic() - started > 300:
                self.stop()
                raise SystemExit(f"{name}: the assistant stopped during start-up:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.1)
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        self.pids = {}
        for pid in _descendants(self.proc.pid):
            cmd = _cmdline(pid)
            if "rasa run actions" in cmd:
                self.pids["actions"] = pid
            elif "rasa run" in cmd:
                self.pids["rasa"] = pid
        # The Rasa server alone, from its own process start (serve.sh starts it second).
        self.rasa_ready_s = round(uptime - int(_proc_stat(self.pids["rasa"])[19]) / HZ, 2)

    def cpu_ms(self) -> dict:
        """CPU time used so far by each server; per message it hardly moves with other load."""
        return {
            role: (int(_proc_stat(pid)[11]) + int(_proc_stat(pid)[12])) * 1000 / HZ for role, pid in self.pids.items()
        }

    def peak_memory_mb(self) -> dict:
        return {f"{role}_vmhwm_mb": vm_hwm_mb(pid) for role, pid in self.pids.items()}

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
