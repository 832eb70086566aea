"""Security headers on every response: what the page may load, that no other site may frame it, that
nothing is sniffed or leaked in a Referer, HTTPS-only once the site is, and no copy of a page in any
cache (pages here carry personal data: names, results, who is behind).

The app has no script and no inline style of its own, so the policy needs no 'unsafe-inline'; course
HTML is sanitised to the same rule (a column's alignment is a class, not a style attribute)."""
from __future__ import annotations

from flask import Flask, Response, current_app, request

POLICY = ("default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; "
          "form-action 'self'")
#: files that change only with a new deployment (their own caching rules apply)
STATIC_ENDPOINTS = frozenset({"static"})


def _add_headers(response: Response) -> Response:
    headers = response.headers
    # a view may set a stricter policy (course pictures are sandboxed) or referrer rule (one-time links)
    headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"  # browsers older than frame-ancestors
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers["Strict-Transport-Security"] = f"max-age={current_app.config['HSTS_SECONDS']}"
    if "Cache-Control" not in headers and request.endpoint not in STATIC_ENDPOINTS:
        headers["Cache-Control"] = "no-store"
    return response


def init_security_headers(app: Flask) -> None:
    app.config.setdefault("CONTENT_SECURITY_POLICY", POLICY)
    app.config.setdefault("HSTS_SECONDS", 365 * 24 * 3600)
    app.after_request(_add_headers)
