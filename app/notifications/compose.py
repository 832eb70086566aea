"""Rendering drafts into notifications: title, plain text and HTML, in the person's language."""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.dates import format_date
from app.core.labels import obligation_rule_label
from app.notifications.reminders import Draft
from app.notifications.unsubscribe import unsubscribe_url


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


def compose(draft: Draft) -> dict:
    """The column values of the notification a draft becomes (ready to insert)."""
    person = draft.person
    language = person.language if person.language in current_app.config["LANGUAGES"] else "vi"
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    with force_locale(language):
        if draft.kind in ("start", "due_soon", "due_today", "overdue"):
            o = draft.context["obligation"]
            link = f"/courses/{o.course_code}/"
            values = dict(
                title=_reminder_title(draft.kind, o, draft.context["day"]),
                link=link, optional=False,
            )
            context = dict(person=person, o=o, kind=draft.kind, reason=obligation_rule_label(o.rule),
                           url=base + link, title=values["title"],
                           settings_url=base + "/notifications/",
                           unsubscribe_url=unsubscribe_url(person.id, "reminders"))
            template = "reminder"
        else:  # digests bring their own values and template
            values = dict(title=_digest_title(draft.kind, draft.context["title_args"]), link=draft.context["link"],
                          optional=True)
            context = dict(draft.context, person=person, url=base + draft.context["link"], base=base,
                           title=values["title"],
                           settings_url=base + "/notifications/",
                           unsubscribe_url=unsubscribe_url(person.id, "digest"))
            template = draft.context["template"]
        values["body_text"] = render_template(f"notifications/mail/{template}.txt", **context)
        values["body_html"] = render_template(f"notifications/mail/{template}.html", **context)
    mailed = bool(person.email) and (not values["optional"] or person.digest_mail)
    values.update(person_id=person.id, kind=draft.kind, subject=draft.subject, period=draft.period,
                  language=language, email=person.email if mailed else None,
                  mail_status="pending" if mailed else "none",
                  attachment=draft.context.get("attachment"), attachment_name=draft.context.get("attachment_name"))
    return values
