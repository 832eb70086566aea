"""A real gunicorn of the project, in the production configuration, on a free port of 127.0.0.1,
stopped by its PID however the test ends."""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import urlopen

ROOT = Path(__file__).parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            urlopen(url, timeout=2).read()
            return
        except HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def production_env(database_url: str, **settings: str) -> dict:
    return {**os.environ, "FLASK_CONFIG": "production", "SECRET_KEY": secrets.token_hex(32),
            "SESSION_COOKIE_SECURE": "0", "DATABASE_URL": database_url, "REQUEST_LOG": "0", **settings}


@contextlib.contextmanager
def gunicorn(env: dict, workers: int = 1):
    """Yields the base URL of a gunicorn serving wsgi:app with `env`."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
                                f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
