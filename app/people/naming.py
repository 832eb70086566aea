"""How people are found and ordered: Person.search_name and Person.sort_name, derived from the name
and account, kept up to date on every write (the ORM here; bulk writers call name_columns themselves)."""
from __future__ import annotations

from sqlalchemy import and_, event

from app.accounts.models import Person
from app.core.vnsort import fold, name_key

#: the fields a search looks in, in the order search_name joins them
SEARCHED = ("full_name", "username", "staff_code", "email")


def name_columns(full_name: str, username: str | None = None, staff_code: str | None = None,
                 email: str | None = None) -> dict[str, str]:
    """{"search_name": …, "sort_name": …} for a person with these fields (for bulk inserts)."""
    searched = " | ".join(fold(value) for value in (full_name, username, staff_code, email) if value)
    return {"search_name": searched, "sort_name": name_key(full_name or "")}


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _fill_name_columns(_mapper, _connection, person: Person) -> None:
    for key, value in name_columns(*(getattr(person, field) for field in SEARCHED)).items():
        if getattr(person, key) != value:
            setattr(person, key, value)


def matches_search(text: str):
    """SQL condition: every word of `text` appears in the person's name, username, staff code or
    e-mail, whatever the case and the diacritics ("nguyen lan" finds "Nguyễn Thị Lan"); None when
    `text` has no words."""
    words = fold(text).split()
    if not words:
        return None
    return and_(*(Person.search_name.contains(word, autoescape=True) for word in words))
