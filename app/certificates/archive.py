"""A year's certificates of an agency as one ZIP, written as it is sent: one PDF in memory at a time."""
from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator

from app.certificates.pdf import Printed, render


class _Pipe:
    """A write-only, unseekable file for zipfile: what is written is handed on by take()."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out, self._chunks = b"".join(self._chunks), []
        return out


def unique_names(names: Iterable[str]) -> list[str]:
    """The names, with '_2', '_3' … before the extension of a name already taken (case aside)."""
    taken: set[str] = set()
    out = []
    for name in names:
        stem, _dot, ext = name.rpartition(".")
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem}_{n}.{ext}"
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def zip_stream(items: Iterable[tuple[str, Printed]]) -> Iterator[bytes]:
    """The ZIP of (file name, printed facts) pairs, chunk by chunk; each entry is dated by its
    certificate's issue, so the same certificates give the same bytes."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, printed in items:
            issued = printed.issued_on
            info = zipfile.ZipInfo(name, date_time=(issued.year, issued.month, issued.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, render(printed))
            yield pipe.take()
    yield pipe.take()
