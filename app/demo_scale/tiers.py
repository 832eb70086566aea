"""Sizes of the synthetic data sets (the benchmark tiers of the domain reference, §4)."""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class OldProvince:
    name: str
    kind: str  # "tỉnh" or "thành phố"
    districts: int


@dataclass(frozen=True)
class ProvinceSpec:
    """A province after 1/7/2025 and the provinces it was formed from."""

    name: str
    kind: str
    communes: int
    old: tuple[OldProvince, ...]


@dataclass(frozen=True)
class Tier:
    name: str
    provinces: tuple[ProvinceSpec, ...]
    #: commune-level units before 1/7/2025, spread over the provinces in proportion to their communes
    old_communes: int
    #: everybody generated, including the people who left
    people: int
    #: completions per person and year of assignment beyond the obligations (volume, not coverage)
    extra_per_year: float


PROVINCE = Tier(
    name="province",
    provinces=(ProvinceSpec("An Giang", "tỉnh", 102, (OldProvince("An Giang", "tỉnh", 11),
                                                       OldProvince("Kiên Giang", "tỉnh", 15))),),
    old_communes=298,
    people=8_000,
    extra_per_year=1.4,
)

# New province <- old provinces (Resolution 202/2025/QH15). Commune counts are invented so that
# they add up to 3,321, except the four the domain reference gives; district counts are invented.
_GROUPS = [
    ("Hà Nội", "thành phố", ["Hà Nội"]), ("Huế", "thành phố", ["Thừa Thiên Huế"]),
    ("Lai Châu", "tỉnh", ["Lai Châu"]), ("Điện Biên", "tỉnh", ["Điện Biên"]), ("Sơn La", "tỉnh", ["Sơn La"]),
    ("Lạng Sơn", "tỉnh", ["Lạng Sơn"]), ("Quảng Ninh", "tỉnh", ["Quảng Ninh"]),
    ("Thanh Hóa", "tỉnh", ["Thanh Hóa"]), ("Nghệ An", "tỉnh", ["Nghệ An"]), ("Hà Tĩnh", "tỉnh", ["Hà Tĩnh"]),
    ("Cao Bằng", "tỉnh", ["Cao Bằng"]),
    ("Tuyên Quang", "tỉnh", ["Tuyên Quang", "Hà Giang"]), ("Lào Cai", "tỉnh", ["Lào Cai", "Yên Bái"]),
    ("Thái Nguyên", "tỉnh", ["Thái Nguyên", "Bắc Kạn"]),
    ("Phú Thọ", "tỉnh", ["Phú Thọ", "Vĩnh Phúc", "Hòa Bình"]), ("Bắc Ninh", "tỉnh", ["Bắc Ninh", "Bắc Giang"]),
    ("Hưng Yên", "tỉnh", ["Hưng Yên", "Thái Bình"]), ("Hải Phòng", "thành phố", ["Hải Phòng", "Hải Dương"]),
    ("Ninh Bình", "tỉnh", ["Ninh Bình", "Hà Nam", "Nam Định"]),
    ("Quảng Trị", "tỉnh", ["Quảng Trị", "Quảng Bình"]), ("Đà Nẵng", "thành phố", ["Đà Nẵng", "Quảng Nam"]),
    ("Quảng Ngãi", "tỉnh", ["Quảng Ngãi", "Kon Tum"]), ("Gia Lai", "tỉnh", ["Gia Lai", "Bình Định"]),
    ("Khánh Hòa", "tỉnh", ["Khánh Hòa", "Ninh Thuận"]),
    ("Lâm Đồng", "tỉnh", ["Lâm Đồng", "Đắk Nông", "Bình Thuận"]), ("Đắk Lắk", "tỉnh", ["Đắk Lắk", "Phú Yên"]),
    ("Hồ Chí Minh", "thành phố", ["Hồ Chí Minh", "Bình Dương", "Bà Rịa – Vũng Tàu"]),
    ("Đồng Nai", "tỉnh", ["Đồng Nai", "Bình Phước"]), ("Tây Ninh", "tỉnh", ["Tây Ninh", "Long An"]),
    ("Cần Thơ", "thành phố", ["Cần Thơ", "Sóc Trăng", "Hậu Giang"]),
    ("Vĩnh Long", "tỉnh", ["Vĩnh Long", "Bến Tre", "Trà Vinh"]), ("Đồng Tháp", "tỉnh", ["Đồng Tháp", "Tiền Giang"]),
    ("Cà Mau", "tỉnh", ["Cà Mau", "Bạc Liêu"]), ("An Giang", "tỉnh", ["An Giang", "Kiên Giang"]),
]
_KNOWN_COMMUNES = {"Hồ Chí Minh": 168, "Hà Nội": 126, "Lai Châu": 38, "An Giang": 102}
_OLD_CITIES = {"Hà Nội", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"}


def _spread(total: int, count: int, low: int, high: int, rng: random.Random) -> list[int]:
    """`count` integers between about `low` and `high` that add up to `total`."""
    raw = [rng.uniform(low, high) for _ in range(count)]
    scale = total / sum(raw)
    values = [max(1, round(v * scale)) for v in raw]
    values[-1] += total - sum(values)
    return values


def _national() -> Tier:
    rng = random.Random(34)  # fixed: the national geography is the same for every seed
    free = [name for name, _kind, _old in _GROUPS if name not in _KNOWN_COMMUNES]
    communes = dict(zip(free, _spread(3_321 - sum(_KNOWN_COMMUNES.values()), len(free), 50, 150, rng)))
    communes.update(_KNOWN_COMMUNES)
    old_names = [old for _name, _kind, olds in _GROUPS for old in olds]
    districts = dict(zip(old_names, _spread(696, len(old_names), 7, 16, rng)))
    provinces = tuple(
        ProvinceSpec(name, kind, communes[name], tuple(
            OldProvince(old, "thành phố" if old in _OLD_CITIES else "tỉnh", districts[old]) for old in olds))
        for name, kind, olds in _GROUPS
    )
    return Tier(name="national", provinces=provinces, old_communes=10_035, people=470_000, extra_per_year=3.2)


NATIONAL = _national()
TIERS = {"province": PROVINCE, "national": NATIONAL}
