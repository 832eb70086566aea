"""A gunicorn server for the benches, started and stopped by PID, with its workers found through /proc."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.prefix) / "bin" / "gunicorn"


def children(pid: int) -> list[int]:
    """The PIDs whose parent is `pid` (gunicorn's workers, for its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie waiting for its parent counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def is_ours(pid: int, word: str) -> bool:
    """Guard against a reused PID: only kill a process whose command line names `word`."""
    try:
        return word.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def wait_http(url: str, seconds: float) -> float:
    """Poll `url` until it answers 200; returns how long that took. Raises TimeoutError."""
    started, last = time.monotonic(), "no answer"
    while time.monotonic() - started < seconds:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except urllib.error.HTTPError as exc:
            last = f"{exc.code} {exc.read()[:200]!r}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer 200 within {seconds:.0f}s (last: {last})")


class Gunicorn:
    """`gunicorn --workers N wsgi:app` (or another `app`) on 127.0.0.1:port in its own session
    (Ctrl-C in the terminal does not reach it: the bench stops it, by PID, in its finally block)."""

    def __init__(self, env: dict, port: int, workers: int, log: Path, timeout: int = 30, app: str = "wsgi:app"):
        self.env, self.port, self.workers, self.log, self.timeout = env, port, workers, log, timeout
        self.app = app
        self.process: subprocess.Popen | None = None
        self.seen: set[int] = set()  # every worker PID ever seen, so none is left behind

    def start(self) -> float:
        """Start and wait for /healthz; returns the seconds until it answered."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(GUNICORN), "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
                 "--timeout", str(self.timeout), "--graceful-timeout", "5", self.app],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        took = wait_http(f"http://127.0.0.1:{self.port}/healthz", 60)
        self.worker_pids()
        return took

    def worker_pids(self) -> list[int]:
        pids = children(self.process.pid) if self.process else []
        self.seen.update(pids)
        return pids

    def kill_worker(self, rng: random.Random) -> int:
        """kill -9 one worker (the master starts another); returns its PID."""
        pid = rng.choice(self.worker_pids())
        os.kill(pid, signal.SIGKILL)
        return pid

    def kill_all(self) -> list[int]:
        """kill -9 the master and every worker at once; returns their PIDs once they are gone."""
        pids = [self.process.pid, *self.worker_pids()]
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 10
        while any(alive(p) for p in pids[1:]) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.process = None
        return pids

    def stop(self) -> None:
        """SIGTERM the master (it stops its workers), SIGKILL whatever is left after 15 s."""
        if self.process is not None and self.process.poll() is None:
            self.worker_pids()
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        for pid in self.seen:
            if alive(pid) and is_ours(pid, "gunicorn"):
                os.kill(pid, signal.SIGKILL)
