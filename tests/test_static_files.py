"""Static files under a content hash with a year of caching, and gzip for text responses that are
big enough, only when the client asks for it and never for downloads already compressed or streamed."""
import gzip
import hashlib
import re
from pathlib import Path

import pytest
from flask import Response, url_for

from app.core.compress import gzip_response
from app.core.static import IMMUTABLE

CSS = Path(__file__).parent.parent / "app" / "static" / "css" / "app.css"
DIGEST = hashlib.sha256(CSS.read_bytes()).hexdigest()[:8]


def test_the_style_sheet_link_carries_the_files_hash(client):
    page = client.get("/login").text
    assert f'href="/static/css/app.{DIGEST}.css"' in page


def test_every_static_url_is_hashed_mails_and_print_pages_included(app):
    with app.test_request_context():
        assert re.fullmatch(r"/static/css/print\.[0-9a-f]{8}\.css", url_for("static", filename="css/print.css"))
        assert url_for("static", filename="css/nothing.css") == "/static/css/nothing.css"


def test_the_hashed_name_is_kept_for_a_year(client):
    response = client.get(f"/static/css/app.{DIGEST}.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert response.mimetype == "text/css"
    assert response.data == CSS.read_bytes()


@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/css/app.00000000.css"])
def test_the_plain_name_or_an_old_hash_is_served_but_never_kept(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.data == CSS.read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("path", ["/static/css/none.css", "/static/../config.py", "/static/css/../../__init__.py"])
def test_nothing_outside_the_static_files_is_served(client, path):
    assert client.get(path).status_code == 404


def test_a_page_is_gzipped_when_the_browser_accepts_it(client):
    plain = client.get("/login")
    packed = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) * 0.6


def test_the_style_sheet_is_gzipped_too(client):
    response = client.get(f"/static/css/app.{DIGEST}.css", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == CSS.read_bytes()


def test_a_client_refusing_gzip_gets_the_plain_page(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in response.headers


def respond(app, response: Response) -> Response:
    with app.test_request_context(headers={"Accept-Encoding": "gzip"}):
        return gzip_response(response)


@pytest.mark.parametrize("mimetype", ["text/html", "image/svg+xml", "text/csv", "application/json"])
def test_text_of_500_bytes_or_more_is_compressed(app, mimetype):
    response = respond(app, Response(b"x" * 500, mimetype=mimetype))
    assert response.headers["Content-Encoding"] == "gzip" and gzip.decompress(response.data) == b"x" * 500


@pytest.mark.parametrize("mimetype", ["application/pdf", "application/zip", "image/png", "image/jpeg",
                                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"])
def test_what_is_compressed_already_is_left_alone(app, mimetype):
    response = respond(app, Response(b"x" * 5000, mimetype=mimetype))
    assert "Content-Encoding" not in response.headers and response.data == b"x" * 5000


def test_a_small_or_streamed_response_is_left_alone(app):
    assert "Content-Encoding" not in respond(app, Response(b"x" * 499, mimetype="text/html")).headers
    streamed = respond(app, Response((b"x" * 1000 for _ in range(3)), mimetype="text/html"))
    assert "Content-Encoding" not in streamed.headers and streamed.is_streamed


def test_a_gzipped_response_names_its_own_etag(app):
    response = Response(b"x" * 800, mimetype="text/html")
    response.set_etag("abc")
    assert respond(app, response).get_etag() == ("abc-gzip", False)
