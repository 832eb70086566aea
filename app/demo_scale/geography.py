"""The synthetic agencies before and after 1/7/2025 and the lineage edges between them."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from app.demo_scale.names import NEW_PROVINCIAL, OLD_PROVINCIAL, OUT_OF_SCOPE, place_names
from app.demo_scale.tiers import Tier

NEW_ERA = date(2025, 7, 1)
OLD_END = date(2025, 6, 30)
OLD_START = date(2000, 1, 1)
#: communes formed by the 2019–2021 mergers exist only from this day
RECENT_START = date(2020, 1, 1)
CODE_PREFIX = "SC-"
LEAVER_SHARE = 0.12


@dataclass(slots=True)
class Unit:
    """One agency row, plus what the people generator needs to know about it."""

    id: int
    code: str
    name: str
    type: str
    parent_id: int | None
    valid_from: date
    valid_to: date | None
    in_iso_scope: bool = True
    province: int = 0
    #: people working here today (current agencies only)
    staff: int = 0
    #: old agencies the veterans of this agency came from (repeats weigh more)
    pool: list[int] = field(default_factory=list)

    def row(self) -> tuple:
        return (self.id, self.code, self.name, self.type, self.parent_id, self.valid_from, self.valid_to,
                self.in_iso_scope)


@dataclass
class Geography:
    units: list[Unit] = field(default_factory=list)
    #: (id, event, predecessor id, successor id, effective date)
    lineage: list[tuple] = field(default_factory=list)
    #: province index -> ids of its current agencies / of its old agencies
    current: dict[int, list[int]] = field(default_factory=dict)
    old: dict[int, list[int]] = field(default_factory=dict)

    def by_id(self) -> dict[int, Unit]:
        return {u.id: u for u in self.units}


class _Builder:
    def __init__(self, geo: Geography, first_id: int, first_edge_id: int):
        self.geo, self.next_id, self.next_edge = geo, first_id, first_edge_id

    def add(self, code, name, type_, parent_id, valid_from, valid_to, province, in_scope=True) -> Unit:
        unit = Unit(self.next_id, code, name, type_, parent_id, valid_from, valid_to, in_scope, province)
        self.next_id += 1
        self.geo.units.append(unit)
        (self.geo.current if valid_to is None else self.geo.old).setdefault(province, []).append(unit.id)
        return unit

    def edges(self, event: str, predecessors: list[Unit], successor: Unit) -> None:
        for pred in predecessors:
            self.geo.lineage.append((self.next_edge, event, pred.id, successor.id, NEW_ERA))
            self.next_edge += 1


def _templates(factor: float) -> tuple[list, list]:
    """The provincial templates, shortened for tiny test data (parents kept before children)."""
    if factor >= 0.5:
        return NEW_PROVINCIAL, OLD_PROVINCIAL
    new = NEW_PROVINCIAL[:max(4, round(len(NEW_PROVINCIAL) * factor))]
    kept_new = {t[0] for t in new}
    old, kept_old = [], set()
    for key, type_, name, parent, successor in OLD_PROVINCIAL:
        if successor in kept_new and (parent is None or parent in kept_old):
            old.append((key, type_, name, parent, successor))
            kept_old.add(key)
    return new, old


def build_geography(tier: Tier, seed: int, factor: float, first_id: int, first_edge_id: int) -> Geography:
    """Every agency and lineage edge of the tier, with ids from `first_id` / `first_edge_id` on.

    Staff targets are set on the current agencies so that, with the leavers, they add up to the
    tier's number of people (times `factor`).
    """
    geo = Geography()
    build = _Builder(geo, first_id, first_edge_id)
    new_tpl, old_tpl = _templates(factor)
    total_communes = sum(p.communes for p in tier.provinces)
    old_index = 0
    for index, spec in enumerate(tier.provinces):
        rng = random.Random(f"{seed}/geo/{index}")
        label = f"{spec.kind} {spec.name}"
        tcode = f"{CODE_PREFIX}T{index + 1:02d}"
        new = {}
        for key, type_, name, parent, weight in new_tpl:
            unit = build.add(f"{tcode}-{key}", name.format(p=label), type_,
                             new[parent].id if parent else None, NEW_ERA, None, index, key not in OUT_OF_SCOPE)
            unit.staff = weight
            new[key] = unit
        preds: dict[str, list[Unit]] = {}
        old_provinces = []
        for old_spec in spec.old:
            old_index += 1
            ocode, olabel = f"{CODE_PREFIX}C{old_index:02d}", f"{old_spec.kind} {old_spec.name}"
            old = {}
            for key, type_, name, parent, successor in old_tpl:
                unit = build.add(f"{ocode}-{key}", name.format(p=olabel), type_,
                                 old[parent].id if parent else None, OLD_START, OLD_END, index)
                old[key] = unit
                preds.setdefault(successor, []).append(unit)
            districts = [
                build.add(f"{ocode}-H{d + 1:02d}", f"UBND {'thành phố' if d == 0 else 'huyện'} {n}", "UBND_HUYEN",
                          None, OLD_START, OLD_END, index)
                for d, n in enumerate(place_names(rng, max(1, round(old_spec.districts * factor))))
            ]
            old_provinces.append((ocode, districts))
        for key, units in preds.items():
            build.edges("merge" if len(units) > 1 else "rename", units, new[key])
            new[key].pool = [u.id for u in units]
        communes = max(1, round(spec.communes * factor))
        old_communes = max(communes, round(tier.old_communes * spec.communes / total_communes * factor))
        _communes(build, rng, index, tcode, communes, old_communes, old_provinces)
    _set_staff(geo, tier, seed, factor)
    return geo


def _communes(build: _Builder, rng: random.Random, index: int, tcode: str, count: int, old_count: int,
              old_provinces: list) -> None:
    """New communes (each with its service centre), the old communes they were formed from, and the
    lineage: merge / rename into a new commune, absorb into a commune that continues, split when an
    old commune went to two new ones; an old district goes to the communes that hold its communes."""
    names = place_names(rng, count + old_count)
    members = [1] * count
    for slot in rng.choices(range(count), k=old_count - count):
        members[slot] += 1
    # each old province forms a consecutive run of the new communes
    owner = sorted(rng.choices(range(len(old_provinces)), weights=[len(d) for _c, d in old_provinces], k=count))
    plans = []
    for c in range(count):
        kind = rng.choices(["xã", "phường", "đặc khu"], weights=[2621, 687, 13])[0]
        continuing = kind != "đặc khu" and rng.random() < 0.06
        plans.append((kind, continuing, members[c] - continuing))
    totals = [sum(p[2] for c, p in enumerate(plans) if owner[c] == o) for o in range(len(old_provinces))]
    serial, named = [0] * len(old_provinces), count
    by_old: dict[int, list[Unit]] = {}
    owner_of: dict[int, int] = {}
    successors: list[tuple[Unit, Unit]] = []  # (old commune, new commune)
    for c, (kind, continuing, n_old) in enumerate(plans):
        o = owner[c]
        ocode, districts = old_provinces[o]
        start = (RECENT_START if rng.random() < 0.15 else OLD_START) if continuing else NEW_ERA
        commune = build.add(f"{tcode}-X{c + 1:04d}", f"UBND {kind} {names[c]}", "UBND_XA", None, start, None, index)
        commune.staff = {"xã": 55, "phường": 65, "đặc khu": 45}[kind]
        olds = []
        for _ in range(n_old):
            serial[o] += 1
            district = districts[(serial[o] - 1) * len(districts) // totals[o]]
            old_kind = rng.choice(["xã", "xã", "xã", "phường", "thị trấn"])
            olds.append(build.add(f"{ocode}-X{serial[o]:04d}", f"UBND {old_kind} {names[named]}", "UBND_XA_CU",
                                  district.id, RECENT_START if rng.random() < 0.15 else OLD_START, OLD_END, index))
            named += 1
            successors.append((olds[-1], commune))
        by_old.setdefault(o, []).append(commune)
        owner_of[commune.id] = o
        pasc = build.add(f"{tcode}-X{c + 1:04d}-PVHCC", f"Trung tâm Phục vụ hành chính công {kind} {names[c]}",
                         "TT_PVHCC_XA", commune.id, NEW_ERA, None, index)
        pasc.staff = 10
        commune.pool = [u.id for u in olds for _ in range(3)]
        pasc.pool = [u.id for u in olds] or [commune.id]
    counts: dict[int, int] = {}
    for _old, new in successors:
        counts[new.id] = counts.get(new.id, 0) + 1
    units = build.geo.by_id()
    district_targets: dict[int, list[Unit]] = {}
    for old, new in successors:
        district_targets.setdefault(old.parent_id, []).append(new)
        siblings = by_old[owner_of[new.id]]
        if len(siblings) > 1 and rng.random() < 0.15:  # part of its territory went to a neighbour
            neighbour = siblings[(siblings.index(new) + 1) % len(siblings)]
            build.edges("split", [old], new)
            build.edges("split", [old], neighbour)
            continue
        event = "absorb" if new.valid_from < NEW_ERA else "merge" if counts[new.id] > 1 else "rename"
        build.edges(event, [old], new)
    for district_id, targets in district_targets.items():
        ends = [units[i] for i in dict.fromkeys([targets[0].id, targets[-1].id])]
        for new in ends:
            build.edges("split" if len(ends) > 1 else "merge", [units[district_id]], new)
            new.pool.append(district_id)


def _set_staff(geo: Geography, tier: Tier, seed: int, factor: float) -> None:
    """Scale the staff weights of the current agencies so that, with the leavers, the total matches
    the tier. A few service centres and sub-departments are left with nobody."""
    rng = random.Random(f"{seed}/staff")
    current = [u for u in geo.units if u.valid_to is None]
    for unit in current:
        empty = unit.type in ("TT_PVHCC_XA", "CHI_CUC") and rng.random() < 0.02
        unit.staff = 0 if empty else unit.staff * rng.uniform(0.6, 1.4)
    target = tier.people * factor / (1 + LEAVER_SHARE)
    scale = target / sum(u.staff for u in current)
    for unit in current:
        exact = unit.staff * scale
        unit.staff = int(exact) + (rng.random() < exact - int(exact))
