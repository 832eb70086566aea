"""Where a `next=` parameter may send the browser: a path on this site, read as a browser reads it."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

#: removed anywhere in a URL by browsers (WHATWG URL parser), so "/\t/evil" is "//evil"
_STRIPPED = re.compile(r"[\t\n\r]")
#: trimmed from both ends by browsers: C0 controls and space
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def safe_next(target: str | None, fallback: str) -> str:
    """`target` when, read as a browser would (tabs and newlines removed, ends trimmed, backslashes
    as slashes), it is a path on this site; otherwise `fallback`."""
    if not target:
        return fallback
    cleaned = _STRIPPED.sub("", target).strip(_C0_AND_SPACE).replace("\\", "/")
    if (not cleaned.startswith("/") or cleaned.startswith("//") or urlsplit(cleaned).netloc
            or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in cleaned)):
        return fallback
    return cleaned
