"""The load bench's client: one thread per seat, stdlib HTTP with a cookie jar per session.

A client signs in twice (a learner for quizzes and modules, DOST for the coverage page), then until
told to stop: half the time a quiz step on a course the learner has not completed (start page,
start or resume, questions, submit, result; or a module to read first when the course requires
it), a third of the time a module page, otherwise the coverage page. Every request is timed and its
failure classified; each submit is remembered as sent, and as acknowledged once the server answered
it with the redirect to its attempt, so that the bench can hold the database to what the clients
were told."""
from __future__ import annotations

import http.client
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
ATTEMPT_PATH = re.compile(r"/attempts/(\d+)$")
OPTION = re.compile(r'name="q(\d+)" value="([^"]+)"')
# the quiz's start page: attempts left, an open attempt to resume, modules to read first, a start button
LEFT = re.compile(r"còn (\d+)</strong>")
RESUME = re.compile(r'class="button primary" href="(/attempts/\d+)"')
UNREAD = re.compile(r'class="callout reading-left">.*?href="/courses/[^/"]+/([^"/]+)"', re.DOTALL)
START = "Bắt đầu làm bài"
RESULT = re.compile(r'<section class="card result (passed|failed)">\s*<p class="score">\d+%</p>')
#: pause after a failed request, so that a server that is down is not hammered in a tight loop
BACKOFF_S = 0.5


class Unexpected(Exception):
    """The server answered, but not what a browser would have followed (wrong status or page)."""


@dataclass
class Tally:
    """What one client saw: (kind, seconds, when) of good answers and (kind, error class, when) of
    the others, `when` being time.monotonic() at the end; the attempts it sent, had acknowledged and
    answered entirely right."""
    ok: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    sent: set = field(default_factory=set)
    acked: set = field(default_factory=set)
    all_right: set = field(default_factory=set)
    learners: int = 1  # how many of the client's learners signed in


def error_class(exc: BaseException) -> str:
    """"refused" (nothing listens: the server is down), "reset" (the worker died mid-request or
    mid-answer), "timeout", or what Unexpected says (an HTTP status, "signed out", a wrong page)."""
    if isinstance(exc, Unexpected):
        return str(exc)
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, http.client.IncompleteRead)):
        return "reset"
    if isinstance(exc, TimeoutError):
        return "timeout"
    return type(exc).__name__


class Browser:
    """One cookie jar; a new connection per request (gunicorn's sync workers close each one anyway)."""

    def __init__(self, port: int, timeout: float):
        self.port, self.timeout, self.cookies = port, timeout, {}

    def request(self, method: str, path: str, form: list | None = None) -> tuple[int, str, str]:
        """(status, Location path, body) of one request; raises OSError/HTTPException on failure."""
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, urlsplit(response.getheader("Location", "")).path, text
        finally:
            connection.close()


class Client(threading.Thread):
    """One seat at a commune office: its learners take turns (the next one signs in when the
    current one has completed every course or has no attempt left), beside a DOST session."""

    def __init__(self, learners: list[str], port: int, plan: dict, stop: threading.Event,
                 ready: threading.Barrier, seed: int, timeout: float = 30.0):
        super().__init__(name=f"client-{learners[0]}", daemon=True)
        self.rng = random.Random(seed)
        self.learners, self.plan, self.stop, self.ready = list(learners), plan, stop, ready
        self.username = self.learners.pop(0)
        self.closed: set[str] = set()  # the current learner's courses with no quiz to take
        self.learner, self.dost = Browser(port, timeout), Browser(port, timeout)
        self.tally = Tally()
        self.codes = sorted(plan["courses"])

    def timed(self, kind: str, browser: Browser, method: str, path: str, form: list | None = None,
              status: int = 200, page: re.Pattern | None = None) -> tuple[str, str]:
        """One request, recorded under `kind` as good if it answered `status` (and, given `page`,
        a body matching it), else as an error, which is raised. Returns (Location path, body)."""
        started = time.monotonic()
        try:
            got, location, body = browser.request(method, path, form)
            if location.startswith("/login") and not path.startswith("/login"):
                raise Unexpected("signed out")
            if got != status:
                raise Unexpected(f"http {got}")
            if page is not None and not page.search(body):
                raise Unexpected("wrong page")
        except Exception as exc:
            self.tally.errors.append((kind, error_class(exc), time.monotonic()))
            raise
        now = time.monotonic()
        self.tally.ok.append((kind, now - started, now))
        return location, body

    def sign_in(self, browser: Browser, username: str) -> None:
        browser.cookies.clear()
        _loc, page = self.timed("login", browser, "GET", "/login", page=CSRF)
        self.timed("login", browser, "POST", "/login", [("csrf_token", CSRF.search(page).group(1)),
                   ("username", username), ("password", self.plan["password"])], status=302)

    def sign_in_both(self) -> None:
        self.sign_in(self.learner, self.username)
        self.sign_in(self.dost, self.plan["dost"])

    def run(self) -> None:
        try:
            for _ in range(5):
                try:
                    self.sign_in_both()
                    break
                except Exception:  # noqa: BLE001 (recorded by timed(); tried again)
                    time.sleep(BACKOFF_S)
        finally:
            self.ready.wait()  # the clock starts once every client is signed in (or gave up)
        while not self.stop.is_set():
            roll = self.rng.random()
            try:
                if roll < 0.5 and self.has_quiz():
                    self.quiz()
                elif roll < 0.85:
                    code = self.rng.choice(self.codes)
                    self.timed("module", self.learner, "GET",
                               f"/courses/{code}/{self.rng.choice(self.plan['courses'][code]['modules'])}")
                else:
                    self.timed("coverage", self.dost, "GET", "/reports/coverage")
            except Exception as exc:  # noqa: BLE001 (recorded by timed(); the client goes on)
                self.stop.wait(BACKOFF_S)
                if str(exc) == "signed out":
                    try:
                        self.sign_in_both()
                    except Exception:  # noqa: BLE001 (recorded; the next round tries again)
                        pass

    def has_quiz(self) -> bool:
        """Whether the current learner, or failing that the next one (who signs in now), has a
        course left to take; False once the client's learners are all done."""
        while self.closed.issuperset(self.codes):
            if not self.learners:
                return False
            self.username, self.closed = self.learners.pop(0), set()
            self.tally.learners += 1
            self.sign_in(self.learner, self.username)
        return True

    def quiz(self) -> None:
        """A step on a random open course: resume or start an attempt and submit it, or first
        read a module the course requires. It is answered right half the time, and always on the
        last attempt left, so that most learners complete the course."""
        code = self.rng.choice([c for c in self.codes if c not in self.closed])
        _loc, page = self.timed("start_form", self.learner, "GET", f"/courses/{code}/quiz", page=CSRF)
        left = LEFT.search(page)
        if resume := RESUME.search(page):
            location = resume.group(1)
        elif unread := UNREAD.search(page):
            self.read(code, unread.group(1))
            return
        elif START in page:
            location, _body = self.timed("start", self.learner, "POST", f"/courses/{code}/quiz",
                                         [("csrf_token", CSRF.search(page).group(1))], status=302)
            if not ATTEMPT_PATH.search(location):
                self.tally.errors.append(("start", "refused", time.monotonic()))
                return
        else:  # completed, or no attempt left
            self.closed.add(code)
            return
        _loc, page = self.timed("attempt", self.learner, "GET", location, page=OPTION)
        options: dict[str, list[str]] = {}
        for qid, key in OPTION.findall(page):
            options.setdefault(qid, []).append(key)
        right = (left is not None and left.group(1) == "1") or self.rng.random() < 0.5
        form = [("csrf_token", CSRF.search(page).group(1))]
        for qid, keys in options.items():
            form += [(f"q{qid}", key) for key in (self.plan["correct"][qid] if right else [self.rng.choice(keys)])]
        if self.submit(location, form, right):
            self.closed.add(code)

    def read(self, code: str, slug: str) -> None:
        """Open a module and mark it read."""
        path = f"/courses/{code}/{slug}"
        _loc, page = self.timed("module", self.learner, "GET", path, page=CSRF)
        self.timed("read", self.learner, "POST", f"{path}/read", [("csrf_token", CSRF.search(page).group(1))],
                   status=302)

    def submit(self, path: str, form: list, right: bool) -> bool:
        """POST the answers and, when the server went away meanwhile, press again (as a learner
        would) until it answers or the run ends; then read the result. Returns whether it passed."""
        attempt = int(ATTEMPT_PATH.search(path).group(1))
        self.tally.sent.add(attempt)
        while True:
            try:
                location, _body = self.timed("submit", self.learner, "POST", path, form, status=302)
                break
            except Unexpected:
                raise
            except Exception:  # noqa: BLE001 (recorded by timed(); the server is down or restarting)
                if self.stop.wait(BACKOFF_S):
                    return False
        if location != path:
            self.tally.errors.append(("submit", f"redirected to {location}", time.monotonic()))
            return False
        self.tally.acked.add(attempt)
        if right:
            self.tally.all_right.add(attempt)
        _loc, page = self.timed("result", self.learner, "GET", path, page=RESULT)
        return RESULT.search(page).group(1) == "passed"
