"""Slow clients: 8 connections each sending a POST body one byte every 2 s, while GET /healthz is
timed every 0.5 s for 20 s — first straight against gunicorn (4 sync workers, --timeout 60 as in
docs/deploy/htqlcl.service), then through nginx run with docs/deploy/nginx.conf (the file
docs/DEPLOY.md installs; paths and ports substituted in a temporary copy, a self-signed
certificate, its own -p prefix and -c config, in the foreground). About a minute in all.

Straight against gunicorn /healthz is expected to stall (that is the defect); through nginx every
probe must answer: exit 1 if one times out there, or if the slow clients did not stay connected
(the test would prove nothing), or if a process it started is still running at the end.
Installs nothing: `make bench-slow` installs nginx if it is missing. Everything on 127.0.0.1;
every process it starts is stopped by its PID. Results: bench/out/slow_clients.json."""
from __future__ import annotations

import argparse
import datetime
import platform
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.load_bench import FLASK, OUT, app_env, free_port  # noqa: E402
from bench.load_server import Gunicorn, alive, children, wait_http  # noqa: E402

NGINX_SITE = ROOT / "docs" / "deploy" / "nginx.conf"
DB = "/tmp/htqlcl_bench_slow.sqlite3"
WORKERS = 4
GUNICORN_TIMEOUT = 60  # as in docs/deploy/htqlcl.service
SLOW_CLIENTS = 8
BODY_BYTES = 1000  # never complete within the test: one byte every 2 s
PROBE_TIMEOUT_S = 3.0  # a health check that waits longer than this calls the site down
NGINX_ERRORS = OUT / "slow_clients_nginx_error.log"


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        sys.exit("nginx is not installed: apt-get install -y nginx (make bench-slow does it)")
    return found


def site_config(gunicorn_port: int, http_port: int, https_port: int, tmp: Path) -> str:
    """docs/deploy/nginx.conf with this bench's ports and paths; every substitution must apply,
    so that the bench fails loudly when the documented file changes shape."""
    text = NGINX_SITE.read_text()
    swaps = [
        ("listen [::]:80;", ""), ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/ssl/htqlcl/fullchain.pem", str(tmp / "cert.pem")),
        ("/etc/ssl/htqlcl/privkey.pem", str(tmp / "key.pem")),
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{gunicorn_port} "),
        ("/var/log/nginx/", f"{OUT}/slow_clients_nginx_"), ("/var/www/letsencrypt", str(tmp)),
    ]
    for old, new in swaps:
        if old not in text:
            raise SystemExit(f"{NGINX_SITE}: expected {old!r}; update bench/slow_clients_bench.py with the file")
        text = text.replace(old, new)
    return text


def main_config(tmp: Path) -> str:
    """The little a server's /etc/nginx/nginx.conf adds around the site: in the foreground, its
    pid and temporary files in `tmp`, its error log in bench/out."""
    return f"""daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {NGINX_ERRORS};
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/htqlcl.conf;
}}
"""


def self_signed(tmp: Path) -> None:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _tls_context() -> ssl.SSLContext:
    """One client context for every connection: made per probe, loading the CA store would add
    some 25 ms to each; the certificate is our own self-signed one, so it is not checked."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


TLS = _tls_context()


def open_connection(port: int, tls: bool, timeout: float) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    if tls:
        sock = TLS.wrap_socket(sock, server_hostname="127.0.0.1")
    return sock


def slow_client(port: int, tls: bool, stop: threading.Event, sent: list) -> None:
    """A POST whose body trickles in, one byte every 2 s, until told to stop."""
    try:
        sock = open_connection(port, tls, 10)
        sock.sendall(f"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {BODY_BYTES}\r\n\r\n".encode())
        while not stop.is_set():
            sock.sendall(b"a")
            sent.append(1)
            stop.wait(2.0)
        sock.close()
    except OSError:
        sent.append(0)  # the server closed it: counted, not fatal


def probe(port: int, tls: bool) -> float | None:
    """Seconds for GET /healthz to answer 200, or None (timeout, error or another status)."""
    started = time.monotonic()
    try:
        if tls:
            conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT_S, context=TLS)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PROBE_TIMEOUT_S)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
    except (OSError, http.client.HTTPException):
        return None
    return time.monotonic() - started if ok else None


def measure(port: int, tls: bool, seconds: float, slow: int) -> dict:
    """Probe /healthz every 0.5 s for `seconds` with `slow` slow clients connected meanwhile."""
    stop, sent, threads = threading.Event(), [], []
    for _ in range(slow):
        threads.append(threading.Thread(target=slow_client, args=(port, tls, stop, sent), daemon=True))
        threads[-1].start()
    time.sleep(1.0 if slow else 0)  # let them connect and start sending
    times, failures, started = [], 0, time.monotonic()
    try:
        while time.monotonic() - started < seconds:
            began = time.monotonic()
            took = probe(port, tls)
            if took is None:
                failures += 1
            else:
                times.append(took)
            time.sleep(max(0.0, 0.5 - (time.monotonic() - began)))
    finally:
        stop.set()
        for t in threads:
            t.join(5)
    return {"probes": len(times) + failures, "answered": len(times), "timeouts": failures,
            "median_ms": round(statistics.median(times) * 1000, 1) if times else None,
            "max_ms": round(max(times) * 1000, 1) if times else None,
            "slow_bytes_sent": sum(sent), "slow_dropped": sent.count(0)}


def stop_nginx(process: subprocess.Popen | None) -> None:
    """SIGQUIT (finish, then exit), SIGKILL after 5 s; its workers by PID if any outlived it."""
    if process is None:
        return
    workers = children(process.pid)
    if process.poll() is None:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid in workers:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="probing time per phase")
    args = parser.parse_args()
    nginx = nginx_binary()
    env = app_env(f"sqlite:///{DB}", secrets.token_hex(32)) | {"TRUSTED_PROXIES": "1"}
    subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    OUT.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="htqlcl_nginx_"))
    tmp.chmod(0o755)  # nginx's workers run as another user and write temporary bodies here
    gunicorn = Gunicorn(env, free_port(), WORKERS, OUT / "slow_clients_gunicorn.log", timeout=GUNICORN_TIMEOUT)
    proxy = None
    results = {}
    started_pids: list[int] = []
    began = time.monotonic()
    try:
        gunicorn.start()
        started_pids.append(gunicorn.process.pid)
        results["direct, idle"] = measure(gunicorn.port, False, 3, 0)
        results["direct to gunicorn"] = measure(gunicorn.port, False, args.seconds, SLOW_CLIENTS)
        recovered = wait_http(f"http://127.0.0.1:{gunicorn.port}/healthz", 60)
        self_signed(tmp)
        http_port, https_port = free_port(), free_port()
        (tmp / "htqlcl.conf").write_text(site_config(gunicorn.port, http_port, https_port, tmp))
        (tmp / "nginx.conf").write_text(main_config(tmp))
        nginx_args = [nginx, "-p", str(tmp), "-e", str(NGINX_ERRORS), "-c", str(tmp / "nginx.conf")]
        checked = subprocess.run([*nginx_args, "-t"], capture_output=True, text=True)
        if checked.returncode:
            raise SystemExit(f"nginx -t refused the configuration:\n{checked.stderr}")
        print(checked.stderr.strip().splitlines()[-1])  # "... test is successful"
        proxy = subprocess.Popen(nginx_args, start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started_pids.append(proxy.pid)
        deadline = time.monotonic() + 10
        while probe(https_port, True) is None:  # nginx up and passing requests on
            if time.monotonic() > deadline or proxy.poll() is not None:
                raise SystemExit(f"nginx did not start: see {NGINX_ERRORS}")
            time.sleep(0.2)
        results["through nginx, idle"] = measure(https_port, True, 3, 0)
        started_pids.extend(children(proxy.pid))
        results["through nginx"] = measure(https_port, True, args.seconds, SLOW_CLIENTS)
        results["gunicorn recovered after the direct phase in s"] = round(recovered, 1)
    finally:
        stop_nginx(proxy)
        gunicorn.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    started_pids.extend(gunicorn.seen)
    left = leftovers(started_pids)
    print(f"\n{SLOW_CLIENTS} slow clients (POST body at 1 byte / 2 s), GET /healthz every 0.5 s for "
          f"{args.seconds:.0f} s, {WORKERS} sync workers, probe timeout {PROBE_TIMEOUT_S:.0f} s\n")
    print("| /healthz | probes | answered | timed out | median ms | max ms |\n|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        if isinstance(r, dict):
            print(f"| {name} | {r['probes']} | {r['answered']} | {r['timeouts']} | {r['median_ms'] or '–'} | "
                  f"{r['max_ms'] or '–'} |")
    total = time.monotonic() - began
    print(f"\nstraight against gunicorn /healthz {verdict(results['direct to gunicorn'])}; "
          f"through nginx {verdict(results['through nginx'])}. {total:.0f} s in all.")
    print(f"processes started: {len(set(started_pids))}; still running afterwards: {left or 'none'} (ps)")
    results["run"] = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                      "machine": f"{platform.node()}, {os.cpu_count()} CPUs, {platform.platform()}",
                      "seconds_per_phase": args.seconds, "probe_timeout_s": PROBE_TIMEOUT_S,
                      "gunicorn_timeout_s": GUNICORN_TIMEOUT, "total_s": round(total, 1),
                      "left_running": left}
    (OUT / "slow_clients.json").write_text(json.dumps(results, indent=2))
    nginx_phase = results["through nginx"]
    problems = []
    if nginx_phase["timeouts"] or results["through nginx, idle"]["timeouts"]:
        problems.append("through nginx a /healthz probe timed out")
    if nginx_phase["slow_dropped"] or not nginx_phase["slow_bytes_sent"]:
        problems.append("the slow clients did not stay connected through nginx: the test proves nothing")
    if left:
        problems.append(f"processes still running: {left}")
    if problems:
        print("FAILED: " + "; ".join(problems), file=sys.stderr)
        sys.exit(1)


def verdict(r: dict) -> str:
    if not r["timeouts"]:
        return f"answered every probe (median {r['median_ms']} ms, max {r['max_ms']} ms)"
    return f"timed out on {r['timeouts']} of {r['probes']} probes"


def leftovers(pids: list[int]) -> list[int]:
    """The PIDs among `pids` that `ps` still lists (zombies excluded)."""
    if not pids:
        return []
    deadline = time.monotonic() + 5  # nginx's workers may take a moment after the master
    while True:
        done = subprocess.run(["ps", "-o", "pid=,stat=", "-p", ",".join(map(str, sorted(set(pids))))],
                              capture_output=True, text=True)
        left = [int(line.split()[0]) for line in done.stdout.splitlines()
                if line.split() and not line.split()[1].startswith("Z")]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


if __name__ == "__main__":
    main()
