"""The obligation rules, read from a YAML file the province can edit (courses/obligations.yml)."""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import yaml
from flask import current_app

from app.accounts.models import ASSIGNMENT_ROLES


class RulesError(ValueError):
    """The rules file is missing a value or has one of the wrong kind."""


@dataclass(frozen=True)
class Rules:
    onboarding_course: str = "ISO-01"
    onboarding_days: int = 60
    secretary_course: str = "ISO-02"
    secretary_days: int = 30
    refresher_course: str = "ISO-05"
    refresher_roles: tuple[str, ...] = ("leader", "iso_secretary")
    inspection_share: float = 0.30

    @property
    def course_codes(self) -> tuple[str, str, str]:
        return self.onboarding_course, self.secretary_course, self.refresher_course

    def as_dict(self) -> dict:
        data = asdict(self)
        data["refresher_roles"] = list(self.refresher_roles)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Rules:
        return cls(**{**data, "refresher_roles": tuple(data["refresher_roles"])})


def parse_rules(text: str) -> Rules:
    """Rules from the YAML text; raises RulesError naming the key that is wrong."""
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise RulesError(f"not valid YAML: {exc}") from exc

    def value(section: str, key: str, kind: type):
        got = (data.get(section) or {}).get(key)
        if kind is float and isinstance(got, int) and not isinstance(got, bool):
            got = float(got)
        if not isinstance(got, kind) or isinstance(got, bool):
            raise RulesError(f"{section}.{key}: expected {kind.__name__}, found {got!r}")
        return got

    values = dict(
        onboarding_course=value("onboarding", "course", str),
        onboarding_days=value("onboarding", "within_days", int),
        secretary_course=value("secretary", "course", str),
        secretary_days=value("secretary", "within_days", int),
        refresher_course=value("refresher", "course", str),
    )
    roles = (data.get("refresher") or {}).get("roles")
    if not isinstance(roles, list) or not roles or any(r not in ASSIGNMENT_ROLES for r in roles):
        raise RulesError(f"refresher.roles: a list from {', '.join(ASSIGNMENT_ROLES)}, found {roles!r}")
    rules = Rules(**values, refresher_roles=tuple(roles),
                  inspection_share=value("inspection", "share", float))
    if rules.onboarding_days < 0 or rules.secretary_days < 0:
        raise RulesError("within_days cannot be negative")
    if not 0 < rules.inspection_share <= 1:
        raise RulesError(f"inspection.share: between 0 and 1, found {rules.inspection_share}")
    return rules


_cache: dict[str, tuple[float, Rules]] = {}


def current_rules() -> Rules:
    """The rules in OBLIGATIONS_FILE, read again whenever the file changes (every worker sees the
    same file, so no worker keeps rules another does not have)."""
    path = current_app.config["OBLIGATIONS_FILE"]
    mtime = os.stat(path).st_mtime
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        with open(path, encoding="utf-8") as handle:
            _cache[path] = (mtime, parse_rules(handle.read()))
    return _cache[path][1]
