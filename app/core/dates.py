"""Times are stored in UTC and shown in Vietnam's time zone as dd/mm/yyyy."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
VN_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """The moment with its time zone: SQLite hands back naive datetimes, which were stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_date(moment: datetime | None = None) -> date:
    """The calendar date in Vietnam at a UTC moment (now by default)."""
    return as_utc(moment or utcnow()).astimezone(VN_TZ).date()


def today() -> date:
    return local_date()


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, whatever the UI language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value)
    return value.strftime("%d/%m/%Y")


def local_midnight(day: date) -> datetime:
    """The UTC moment a Vietnamese calendar day starts (times are stored in UTC)."""
    return datetime.combine(day, time.min, VN_TZ).astimezone(timezone.utc)


def local_day_range(column, date_from: date | None, date_to: date | None) -> list:
    """SQL conditions: a UTC timestamp column falls within these whole Vietnamese days (both included)."""
    conditions = []
    if date_from:
        conditions.append(column >= local_midnight(date_from))
    if date_to:
        conditions.append(column < local_midnight(date_to + timedelta(days=1)))
    return conditions


def format_datetime(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time."""
    if value is None:
        return ""
    return as_utc(value).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def parse_date(text: str) -> date | None:
    """A date written YYYY-MM-DD or dd/mm/yyyy (forms, imports, commands); None when it is neither
    or not a real day."""
    text = text.strip()
    iso, vn = ISO_DATE_RE.match(text), VN_DATE_RE.match(text)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if vn:
            return date(int(vn[3]), int(vn[2]), int(vn[1]))
    except ValueError:
        return None
    return None
