"""An id no column can hold is a 404 on every route that takes a number, on SQLite and PostgreSQL."""
import pytest

from tests.factories import make_person

HUGE = ["99999999999999999999", "2147483648", "9223372036854775808"]


def number_routes(app) -> list[str]:
    """Every GET route with an <int:…> part, the first such part filled with a placeholder."""
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and "int" in {conv.__class__.__name__.lower().removeprefix("database")
                                                 .removesuffix("converter") for conv in rule._converters.values()}:
            path = rule.rule
            for name, conv in rule._converters.items():
                path = path.replace(f"<int:{name}>", "{n}").replace(f"<{name}>", "X").replace(f"<path:{name}>", "x")
            out.append(path)
    return out


def test_every_number_route_is_covered(app):
    assert len(number_routes(app)) >= 15


@pytest.mark.parametrize("huge", HUGE)
def test_a_huge_id_is_a_404_everywhere(app, client, login, db, huge):
    make_person("quantri", access_role="admin")
    db.session.commit()
    login("quantri")
    for path in number_routes(app):
        response = client.get(path.format(n=huge))
        assert response.status_code == 404, path


def test_the_largest_id_a_column_holds_is_still_looked_up(client, login, db):
    make_person("quantri", access_role="admin")
    db.session.commit()
    login("quantri")
    assert client.get("/attempts/2147483647").status_code == 404  # looked up, not found
    assert client.get("/attempts/1").status_code == 404
