"""gzip for text responses (pages, style sheets, SVG pictures, CSV): a page of tables shrinks to
a fifth, which is what a commune office on a slow mobile connection waits for."""
from __future__ import annotations

import gzip

from flask import Flask, Response, request

#: below this, the gzip header and the work cost more than they save
MIN_BYTES = 500
#: PDF, ZIP, XLSX and raster pictures are compressed already; a download that is streamed
#: (certificates ZIP) is left alone whatever its type
COMPRESSIBLE = frozenset({"text/html", "text/css", "text/plain", "text/csv", "image/svg+xml",
                          "application/json", "application/xml", "text/xml"})


def gzip_response(response: Response) -> Response:
    """The response gzipped when the client accepts it and it is worth it; `Vary: Accept-Encoding`
    on every response whose body depends on that header."""
    if (response.mimetype not in COMPRESSIBLE or response.direct_passthrough or response.is_streamed
            or "Content-Encoding" in response.headers):
        return response
    data = response.get_data()
    if len(data) < MIN_BYTES:
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:  # the compressed bytes are another representation
        response.set_etag(f"{etag}-gzip", weak)
    return response


def init_compression(app: Flask) -> None:
    """Register it before any other after-request hook: hooks run in reverse, so it runs last,
    on the body as every other hook left it."""
    app.after_request(gzip_response)
