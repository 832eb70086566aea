"""One log line per request (method, route, status, duration, request id) and the request id in a
response header, so that a user's "mã yêu cầu" on an error page leads to the log line and traceback."""
from __future__ import annotations

import logging
import re
import secrets
import sys
import time

from flask import Flask, g, request

logger = logging.getLogger("htqlcl.request")
#: an id a trusted proxy may pass on (nginx's $request_id is 32 hex digits)
_GOOD_ID = re.compile(r"[A-Za-z0-9._-]{6,64}\Z")


def request_id() -> str:
    return g.get("request_id", "-")


def init_request_log(app: Flask) -> None:
    if app.config.get("REQUEST_LOG") and not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def _start() -> None:
        given = request.headers.get("X-Request-ID", "") if app.config["TRUSTED_PROXIES"] else ""
        g.request_id = given if _GOOD_ID.match(given) else secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def _finish(response):
        rid = g.get("request_id")
        if rid:
            response.headers["X-Request-ID"] = rid
            if app.config.get("REQUEST_LOG"):
                rule = request.url_rule.rule if request.url_rule is not None else "-"
                took = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
                logger.info("%s %s %d %.1fms id=%s", request.method, rule, response.status_code, took, rid)
        return response


class LoggingFlask(Flask):
    """Flask whose logged tracebacks carry the request id shown to the user."""

    def log_exception(self, exc_info) -> None:
        self.logger.error("Exception on %s [%s] id=%s", request.path, request.method, request_id(),
                          exc_info=exc_info)
