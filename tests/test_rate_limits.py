"""Rate limits: the public verify page answers a burst of lookups with 429, counted across workers."""
from __future__ import annotations

import socket
import uuid
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest

from tests.server_support import gunicorn, production_env

REDIS = ("127.0.0.1", 6379)


@pytest.fixture
def three_a_minute(app):
    before = app.config["VERIFY_RATE_LIMIT"]
    app.config["VERIFY_RATE_LIMIT"] = "3 per minute"
    yield
    app.config["VERIFY_RATE_LIMIT"] = before


def lookup(client, address: str, code: str = "AAAA-BBBB-CCCC-DDDD"):
    return client.get(f"/verify/{code}", environ_base={"REMOTE_ADDR": address})


def test_the_fourth_lookup_in_a_minute_from_one_address_is_refused_in_vietnamese(client, three_a_minute):
    assert [lookup(client, "10.1.1.1").status_code for _ in range(3)] == [404, 404, 404]
    refused = lookup(client, "10.1.1.1")
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu" in refused.text and "Hãy chờ một lát" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert lookup(client, "10.2.2.2").status_code == 404  # another address has its own count


def test_behind_one_proxy_the_forwarded_address_is_the_one_counted(app, three_a_minute):
    from app import create_app

    proxied = create_app("testing", {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                                     "TRUSTED_PROXIES": 1, "VERIFY_RATE_LIMIT": "3 per minute"})
    client = proxied.test_client()
    statuses = [client.get("/verify/AAAA", headers={"X-Forwarded-For": f"10.3.3.{n % 2}"},
                           environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code for n in range(6)]
    assert statuses == [404] * 6  # two clients behind one proxy, three lookups each
    assert client.get("/verify/AAAA", headers={"X-Forwarded-For": "10.3.3.0"}).status_code == 429


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
        return True
    except OSError:
        return False


def _status(url: str) -> int:
    try:
        return urlopen(url, timeout=5).status
    except HTTPError as exc:
        return exc.code


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379: the shared count cannot be tested")
def test_two_servers_sharing_redis_count_one_client_together(app, db):
    """Two separate gunicorn processes on one Redis: lookups made to the first count at the second."""
    import redis

    prefix = f"htqlcl-test-{uuid.uuid4().hex[:8]}"
    env = production_env(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
                         RATELIMIT_KEY_PREFIX=prefix, VERIFY_RATE_LIMIT="5 per minute")
    try:
        with gunicorn(env) as one, gunicorn(env) as two:
            first, second = (f"{base}/verify/AAAA-BBBB-CCCC-DDDD" for base in (one, two))
            assert [_status(first) for _ in range(3)] == [404, 404, 404]
            assert [_status(second) for _ in range(2)] == [404, 404]
            assert _status(second) == 429 and _status(first) == 429  # 5 in all, whichever server counted them
    finally:
        client = redis.Redis(*REDIS)
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
