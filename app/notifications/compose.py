"""Rendering drafts into notifications: title, plain text and HTML, in the person's language."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from jinja2 import pass_context
from markupsafe import Markup

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


class Composer:
    """Renders drafts into the column values of their notifications. One per run: it keeps the
    templates, each language's catalogue and the link signer, which do not change during a run."""

    def __init__(self) -> None:
        config = current_app.config
        self.base = config["PUBLIC_BASE_URL"].rstrip("/")
        self.languages = config["LANGUAGES"]
        self.links = unsubscribe_links()
        self.env = current_app.jinja_env
        self._globals: dict[str, dict] = {}

    def _template_globals(self, language: str) -> dict:
        """What the mail templates use besides their own context, in `language` (inside force_locale)."""
        if language not in self._globals:
            self._globals[language] = {
                "gettext": _template_gettext(get_translations()),
                "agency_type_label": lambda code: type_label(code, language),
                "column_label": column_label,
            }
        return self._globals[language]

    def _render(self, template: str, context: dict) -> tuple[str, str]:
        return tuple(self.env.get_template(f"notifications/mail/{template}.{ext}").render(context)
                     for ext in ("txt", "html"))

    def __call__(self, draft: Draft) -> dict:
        """The column values of the notification a draft becomes (ready to insert)."""
        person = draft.person
        language = person.language if person.language in self.languages else "vi"
        with force_locale(language):
            context = dict(self._template_globals(language), person=person,
                           settings_url=self.base + "/notifications/")
            if draft.kind in LEARNER_KINDS:
                o = draft.context["obligation"]
                link = f"/courses/{o.course_code}/"
                values = dict(title=_reminder_title(draft.kind, o, draft.context["day"]), link=link, optional=False)
                context.update(o=o, kind=draft.kind, reason=obligation_rule_label(o.rule), url=self.base + link,
                               unsubscribe_url=self.links(person.id, "reminders"))
                template = "reminder"
            else:  # digests bring their own values and template
                values = dict(title=_digest_title(draft.kind, draft.context["title_args"]),
                              link=draft.context["link"], optional=True)
                context.update(draft.context, url=self.base + draft.context["link"], base=self.base,
                               unsubscribe_url=self.links(person.id, "digest"))
                template = draft.context["template"]
            context["title"] = values["title"]
            values["body_text"], values["body_html"] = self._render(template, context)
        mailed = bool(person.email) and (not values["optional"] or person.digest_mail)
        values.update(person_id=person.id, kind=draft.kind, subject=draft.subject, period=draft.period,
                      language=language, email=person.email if mailed else None,
                      mail_status="pending" if mailed else "none",
                      attachment=draft.context.get("attachment"), attachment_name=draft.context.get("attachment_name"))
        return values
