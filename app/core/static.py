"""Static files under a content hash (css/app.1a2b3c4d.css), cached by browsers for a year.

The files change only with a deployment, so they are read and hashed once, when the app starts; a
new file gets a new name and nobody keeps a stale style sheet. `url_for("static", filename=…)` gives
the hashed name everywhere (pages, mails) without the templates having to ask for it.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort

IMMUTABLE = "public, max-age=31536000, immutable"
#: a name without its hash, or an old hash after a deployment: served, but never kept
REVALIDATE = "no-cache"
_HASHED = re.compile(r"(?P<stem>.+)\.(?P<digest>[0-9a-f]{8})(?P<ext>\.[^./]+)\Z")


@dataclass(frozen=True)
class StaticFile:
    data: bytes
    digest: str
    mimetype: str

    def hashed_name(self, name: str) -> str:
        """css/app.css → css/app.1a2b3c4d.css (a name without an extension stays as it is)."""
        stem, dot, ext = name.rpartition(".")
        return f"{stem}.{self.digest}.{ext}" if dot and stem and "/" not in ext else name


def read_static(folder: str | Path) -> dict[str, StaticFile]:
    """Every file under `folder`, by its path there ("css/app.css"), with the first 8 hex digits of
    its SHA-256."""
    root = Path(folder)
    files = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        data = path.read_bytes()
        files[path.relative_to(root).as_posix()] = StaticFile(
            data, hashlib.sha256(data).hexdigest()[:8],
            mimetypes.guess_type(path.name)[0] or "application/octet-stream")
    return files


def init_static(app: Flask) -> None:
    """Replace Flask's static view by one serving the hashed names from memory."""
    files = read_static(app.static_folder) if app.static_folder else {}

    @app.url_defaults
    def hashed_url(endpoint: str, values: dict) -> None:
        found = files.get(values.get("filename", "")) if endpoint == "static" else None
        if found is not None:
            values["filename"] = found.hashed_name(values["filename"])

    def serve(filename: str) -> Response:
        match = _HASHED.match(filename)
        plain = f"{match['stem']}{match['ext']}" if match else None
        if plain in files:
            found, current = files[plain], match["digest"] == files[plain].digest
        elif filename in files:
            found, current = files[filename], False
        else:
            abort(404)
        response = Response(found.data, mimetype=found.mimetype)
        response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
        return response

    app.view_functions["static"] = serve
