"""Templates' gettext with the request's translations looked up once, not on every string.

Flask-Babel's template callables ask for the translations on each call (about 20 µs here, through
several context look-ups), and a page of the menu and a module has some twenty strings. These
keep them on `g` beside the locale they belong to, so a locale forced for one block (force_locale,
as mails in the recipient's language do) still gets its own."""
from __future__ import annotations

from flask import Flask, g
from flask_babel import get_locale, get_translations


def _translations():
    locale = get_locale()
    kept = g.get("_htqlcl_translations")
    if kept is None or kept[0] is not locale:
        kept = g._htqlcl_translations = (locale, get_translations())
    return kept[1]


def init_template_gettext(app: Flask) -> None:
    """Replace the callables Flask-Babel installed in the Jinja environment (call after babel.init_app)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
