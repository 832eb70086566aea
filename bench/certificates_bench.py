"""Certificates: one PDF, and the ZIP of an agency's 500 certificates of a year streamed over HTTP.

One PDF is timed against the same page set in a core PDF font (nothing embedded), in the same
process. The ZIP is read chunk by chunk through the Flask test client, as a browser would receive it;
its time is compared with rendering the same 500 PDFs in a loop, and its memory is how far the
process's resident size rises while it streams, beside that of ZIPs of 50 and 200."""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.coverage_bench import OUT, make_app  # noqa: E402

DB = "/tmp/htqlcl_bench_certificates.sqlite3"
#: smaller ZIPs, to compare the memory they take with that of the large one
MEMORY_SIZES = (50, 200)
SAMPLE = dict(code="K7QX-M2PD-9HTW-ZR4C", full_name="Nguyễn Thị Phương Thảo", agency_name="UBND xã Vĩnh Hậu",
              course_code="ISO-05", course_title="Cập nhật kiến thức HTQLCL hằng năm cho lãnh đạo và thư ký ISO",
              score=90, issuing_body="Sở Khoa học và Công nghệ tỉnh An Giang",
              issuing_parent="Ủy ban nhân dân tỉnh An Giang")


def core_font_page(p) -> bytes:
    """The baseline: the same lines on an A4 landscape page in Helvetica, which PDFs need not embed."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_page()
    for size, line in ((10, p.issuing_parent), (10, p.issuing_body), (30, "GIAY CHUNG NHAN"),
                       (22, "Nguyen Thi Phuong Thao"), (12, "UBND xa Vinh Hau"), (14, p.course_code),
                       (12, "Ngay hoan thanh"), (13, p.code), (9, p.verify_url)):
        pdf.set_font("Helvetica", "", size)
        pdf.cell(0, 10, line.encode("ascii", "ignore").decode(), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def one_pdf(repeats: int) -> dict:
    from app.certificates.pdf import Printed, render

    p = Printed(completed_on=date(2026, 3, 2), valid_until=date(2026, 12, 31), issued_on=date(2026, 3, 2),
                verify_url="https://daotao.angiang.gov.vn/verify/K7QX-M2PD-9HTW-ZR4C", **SAMPLE)
    render(p), core_font_page(p)  # warm: imports, first font parse
    ours, base = [], []
    for i in range(repeats):  # interleaved, so both see the same machine
        started = time.perf_counter()
        render(replace(p, full_name=f"{p.full_name} {i}"))
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        core_font_page(p)
        base.append(time.perf_counter() - started)
    return {"pdf_ms": statistics.median(ours) * 1000, "pdf_p90_ms": sorted(ours)[int(0.9 * len(ours))] * 1000,
            "core_font_ms": statistics.median(base) * 1000, "pdf_bytes": len(render(p))}


def seed_agency(app, people: int) -> int:
    """A new database with one commune whose `people` staff each completed ISO-05 last year."""
    from flask_migrate import upgrade

    from app.accounts.models import Assignment, Person
    from app.agencies.models import Agency
    from app.certificates.services import issue_missing
    from app.completions.models import Completion
    from app.core.dates import today
    from app.courses.models import Course
    from app.extensions import db

    year = today().year - 1
    with app.app_context():
        db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(DB + suffix).unlink(missing_ok=True)
        upgrade(directory=str(ROOT / "migrations"))
        agency = Agency(code="BENCH-XA", name=SAMPLE["agency_name"], type="UBND_XA", valid_from=date(2020, 1, 1))
        course = Course(code="ISO-05")
        dost = Person(username="sokhcn", staff_code="DOST-1", full_name="Sở KH&CN", access_role="dost")
        db.session.add_all([agency, course, dost])
        db.session.flush()
        staff = [Person(username=f"cc{n:04d}", full_name=f"Nguyễn Thị Phương Thảo {n:04d}", staff_code=f"B{n:05d}")
                 for n in range(people)]
        db.session.add_all(staff)
        db.session.flush()
        db.session.add_all([Assignment(person_id=s.id, agency_id=agency.id, start_date=date(2020, 1, 1))
                            for s in staff])
        db.session.add_all([Completion(person_id=s.id, course_id=course.id, completed_on=date(year, 6, 1 + n % 28),
                                       source="offline", agency_id=agency.id, agency_name=agency.name, score=90)
                            for n, s in enumerate(staff)])
        db.session.flush()
        issue_missing()
        dost.set_password("bench-password")
        db.session.commit()
        db.session.remove()
    return year


def _kb(field: str) -> int:
    """A field of /proc/self/status, in kB (VmRSS: resident now; VmHWM: the peak since reset)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def stream(app, year: int) -> dict:
    """GET the ZIP as DOST and read it chunk by chunk, as a browser receives it; how far the
    process's resident memory rose above where it started meanwhile (Linux: the peak is reset
    through /proc/self/clear_refs)."""
    client = app.test_client()
    client.post("/login", data={"username": "sokhcn", "password": "bench-password"})
    Path("/proc/self/clear_refs").write_text("5")
    before = _kb("VmRSS")
    started = time.perf_counter()
    response = client.get(f"/certificates/agency/BENCH-XA/{year}.zip", buffered=False)
    size, chunks, largest = 0, 0, 0
    for chunk in response.response:
        size, chunks, largest = size + len(chunk), chunks + 1, max(largest, len(chunk))
    seconds = time.perf_counter() - started
    rise = (_kb("VmHWM") - before) * 1024
    response.close()
    assert response.status_code == 200, response.status_code
    return {"s": seconds, "bytes": size, "chunks": chunks, "largest": largest, "rise": rise}


def zip_of(app, year: int, people: int) -> dict:
    from sqlalchemy import select

    from app.agencies.models import Agency
    from app.certificates.pdf import render
    from app.certificates.services import archive_items, of_agency
    from app.extensions import db

    got = stream(app, year)
    assert got["chunks"] == people + 1, got
    with app.app_context():  # the baseline: the same PDFs rendered one after the other, no ZIP, no HTTP
        agency_id = db.session.scalar(select(Agency.id).where(Agency.code == "BENCH-XA"))
        items = archive_items(db.session.scalars(of_agency([agency_id], year)))
        started = time.perf_counter()
        for _name, printed in items:
            render(printed)
        loop = time.perf_counter() - started
        db.session.remove()
    return {"zip_s": got["s"], "loop_s": loop, "zip_bytes": got["bytes"], "largest_chunk_bytes": got["largest"],
            "rss_rise_bytes": got["rise"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=100, help="renders of one PDF")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="ZIPs")
    args = parser.parse_args()
    app = make_app(f"sqlite:///{DB}")
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    memory = {}
    for n in MEMORY_SIZES:  # bounded memory: the peak does not grow with the number of certificates
        memory[n] = stream(app, seed_agency(app, n))["rise"]
    year = seed_agency(app, args.people)
    single = one_pdf(args.repeats)
    rounds = [zip_of(app, year, args.people) for _ in range(args.rounds)]
    zipped = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    print(f"\n| certificates | median | baseline in the same run | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| one PDF ({args.repeats} renders) | {single['pdf_ms']:.1f} ms (p90 {single['pdf_p90_ms']:.1f}) | "
          f"core-font page {single['core_font_ms']:.1f} ms | {single['pdf_ms'] / single['core_font_ms']:.1f} × |")
    print(f"| ZIP of {args.people} over HTTP ({args.rounds} rounds) | {zipped['zip_s']:.1f} s | "
          f"{args.people} renders in a loop {zipped['loop_s']:.1f} s | {zipped['zip_s'] / zipped['loop_s']:.2f} × |")
    print(f"\nZIP {zipped['zip_bytes'] / 1e6:.1f} MB in {args.people + 1} chunks (largest "
          f"{zipped['largest_chunk_bytes'] / 1e3:.0f} KB); one PDF {single['pdf_bytes'] / 1e3:.0f} KB")
    memory[args.people] = zipped["rss_rise_bytes"]
    print("resident memory rise while streaming: " + ", ".join(
        f"{n} certificates {rise / 1e6:.1f} MB" for n, rise in sorted(memory.items())))
    OUT.mkdir(exist_ok=True)
    (OUT / "certificates.json").write_text(json.dumps({"single": single, "zip": rounds, "memory": memory}, indent=2))


if __name__ == "__main__":
    main()
