"""Rendering drafts into notifications: title, plain text and HTML, in the person's language."""
from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from jinja2 import pass_context
from markupsafe import Markup, escape

from app.coverage.labels import column_label
from app.agencies.types import type_label
from app.core.dates import format_date
from app.core.labels import obligation_rule_label
from app.notifications.reminders import LEARNER_KINDS, Draft
from app.notifications.unsubscribe import unsubscribe_links


def _reminder_title(kind: str, o, day) -> str:
    due = format_date(o.due)
    if kind == "start":
        return _("Bạn cần hoàn thành %(course)s trước %(due)s", course=o.course_code, due=due)
    if kind == "due_soon":
        return _("Còn %(n)d ngày để hoàn thành %(course)s (hạn %(due)s)", n=(o.due - day).days,
                 course=o.course_code, due=due)
    if kind == "due_today":
        return _("Hôm nay là hạn hoàn thành %(course)s", course=o.course_code)
    return _("%(course)s đã quá hạn từ %(due)s", course=o.course_code, due=due)


def _digest_title(kind: str, args: dict) -> str:
    if kind == "agency_digest":
        return _("Bản tin đào tạo HTQLCL tuần này: %(agency)s", **args)
    if kind == "province_digest":
        return _("Bản tin đào tạo HTQLCL của tỉnh, tháng %(month)s", **args)
    if kind == "class_invite":
        return _("Mời dự lớp tập huấn %(course)s ngày %(day)s", **args)
    return _("%(n)d thư chưa gửi được", **args)


def _template_gettext(translations):
    """The `_()` of the mail templates bound to one language's catalogue: what Flask-Babel installs in
    Jinja (new-style gettext, escaping the values in HTML), without looking the locale up again for
    each of the twenty-odd strings of every message."""

    catalogue: dict[str, str] = {}  # each string translated once for the run

    @pass_context
    def gettext(context, string: str, **variables) -> str:
        if string not in catalogue:
            catalogue[string] = translations.ugettext(string)
        text = catalogue[string]
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables

    return gettext


#: stand-ins for what differs between two messages of the same content: the control character
#: cannot occur in a name, a date or a link, and escaping leaves it as it is
MARKS = {name: f"\x1f{name}\x1f" for name in ("unsubscribe_url", "due", "title", "name")}


def _fill(skeleton: str, values: dict[str, str], html: bool) -> str:
    """The skeleton with each mark replaced by its value (escaped in HTML, as the template would
    have). The name goes in last, so that nothing a person typed is searched for marks."""
    for name, mark in MARKS.items():
        if name in values:
            skeleton = skeleton.replace(mark, str(escape(values[name])) if html else values[name])
    return skeleton


class Composer:
    """Renders drafts into the column values of their notifications. One per run: it keeps the
    templates, each language's catalogue, the link signer and the bodies rendered so far.

    Thousands of people get the same message but for their name and their unsubscribe link: every
    learner owing ISO-01 under the same rule, both the head and the secretary of an agency. So a
    body is rendered once per content, in one language, with marks where the person's values go,
    and each message is that skeleton with the marks filled in. A reminder's content is its kind,
    course and rule (the title and due date are marks too); a digest's is its subject and period."""

    def __init__(self) -> None:
        config = current_app.config
        self.base = config["PUBLIC_BASE_URL"].rstrip("/")
        self.languages = config["LANGUAGES"]
        self.links = unsubscribe_links()
        self.env = current_app.jinja_env
        self._globals: dict[str, dict] = {}
        #: content key -> (title, text skeleton, HTML skeleton)
        self._bodies: dict[tuple, tuple[str, str, str]] = {}

    def _template_globals(self, language: str) -> dict:
        """What the mail templates use besides their own context, in `language` (inside force_locale)."""
        if language not in self._globals:
            self._globals[language] = {
                "gettext": _template_gettext(get_translations()),
                "agency_type_label": lambda code: type_label(code, language),
                "column_label": column_label,
            }
        return self._globals[language]

    def _skeleton(self, key: tuple, language: str, template: str, make: Callable[[], tuple[str, dict]]):
        """(title, text, html) for a content key, rendered on first use; `make` gives the title and
        the template's own context."""
        if key not in self._bodies:
            with force_locale(language):
                title, own = make()
                context = dict(self._template_globals(language), settings_url=self.base + "/notifications/",
                               person=SimpleNamespace(full_name=MARKS["name"]),
                               unsubscribe_url=MARKS["unsubscribe_url"], title=title)
                context.update(own)
                self._bodies[key] = (title, *(self.env.get_template(f"notifications/mail/{template}.{ext}")
                                              .render(context) for ext in ("txt", "html")))
        return self._bodies[key]

    def __call__(self, draft: Draft) -> dict:
        """The column values of the notification a draft becomes (ready to insert)."""
        person = draft.person
        language = person.language if person.language in self.languages else "vi"
        if draft.kind in LEARNER_KINDS:
            o = draft.context["obligation"]
            with force_locale(language):
                title = _reminder_title(draft.kind, o, draft.context["day"])
            _t, text, html = self._skeleton(
                (language, draft.kind, o.course_code, o.rule), language, "reminder",
                lambda: (MARKS["title"], dict(o=o, kind=draft.kind, reason=obligation_rule_label(o.rule),
                                               url=self.base + f"/courses/{o.course_code}/", due=MARKS["due"])))
            values = dict(title=title, link=f"/courses/{o.course_code}/", optional=False)
            fill = dict(title=title, due=format_date(o.due), what="reminders")
        else:  # digests and invitations bring their own values and template
            c = draft.context
            title, text, html = self._skeleton(
                (language, draft.kind, draft.subject, draft.period), language, c["template"],
                lambda: (_digest_title(draft.kind, c["title_args"]),
                         dict(c, url=self.base + c["link"], base=self.base)))
            # an invitation to a class is not a digest: turning digests off does not stop it
            optional = draft.kind != "class_invite"
            values = dict(title=title, link=c["link"], optional=optional)
            fill = dict(what="digest" if optional else "reminders")
        fill.update(unsubscribe_url=self.links(person.id, fill.pop("what")), name=person.full_name)
        values.update(body_text=_fill(text, fill, html=False), body_html=_fill(html, fill, html=True))
        mailed = bool(person.email) and (not values["optional"] or person.digest_mail)
        values.update(person_id=person.id, kind=draft.kind, subject=draft.subject, period=draft.period,
                      language=language, email=person.email if mailed else None,
                      mail_status="pending" if mailed else "none",
                      attachment=draft.context.get("attachment"), attachment_name=draft.context.get("attachment_name"))
        return values
