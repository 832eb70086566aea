"""Verification codes: random, short enough to type, without letters that read like others."""
from __future__ import annotations

import secrets

#: digits and capitals without 0, 1, I, L and O, which are misread for one another
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: 16 characters of 31: log2(31 ** 16) ≈ 79 bits of randomness
LENGTH = 16
GROUP = 4


def new_code() -> str:
    """A fresh code, grouped by four: 'K7QX-M2PD-…'."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str | None:
    """A code as someone typed it (any case, spaces or dashes anywhere) in its stored form, or None
    when it cannot be a code."""
    raw = "".join(ch for ch in typed.upper() if ch not in " -\t")
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return "-".join(raw[i:i + GROUP] for i in range(0, LENGTH, GROUP))
