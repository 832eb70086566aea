"""Name pools and agency templates of the synthetic province and national data sets."""
from __future__ import annotations

#: new provincial agencies: key, type, name ({p} = "tỉnh X"/"thành phố X"), parent key, staff weight
NEW_PROVINCIAL = [
    ("UBND", "UBND_TINH", "UBND {p}", None, 30),
    ("VP", "VP_UBND_TINH", "Văn phòng UBND {p}", "UBND", 70),
    ("SKHCN", "OVERSIGHT_DOST", "Sở Khoa học và Công nghệ {p}", "UBND", 80),
    ("SNV", "SO", "Sở Nội vụ {p}", "UBND", 120),
    ("STC", "SO", "Sở Tài chính {p}", "UBND", 130),
    ("SNNMT", "SO", "Sở Nông nghiệp và Môi trường {p}", "UBND", 150),
    ("STP", "SO", "Sở Tư pháp {p}", "UBND", 60),
    ("SCT", "SO", "Sở Công Thương {p}", "UBND", 90),
    ("SXD", "SO", "Sở Xây dựng {p}", "UBND", 110),
    ("SVHTTDL", "SO", "Sở Văn hóa, Thể thao và Du lịch {p}", "UBND", 80),
    ("SGDDT", "SO", "Sở Giáo dục và Đào tạo {p}", "UBND", 90),
    ("SYT", "SO", "Sở Y tế {p}", "UBND", 90),
    ("TTRA", "CQ_NGANG_SO", "Thanh tra {p}", "UBND", 60),
    ("SDTTG", "SO", "Sở Dân tộc và Tôn giáo {p}", "UBND", 40),
    ("CC-TL", "CHI_CUC", "Chi cục Thủy lợi {p}", "SNNMT", 40),
    ("CC-KL", "CHI_CUC", "Chi cục Kiểm lâm {p}", "SNNMT", 60),
    ("CC-CNTY", "CHI_CUC", "Chi cục Chăn nuôi và Thú y {p}", "SNNMT", 45),
    ("CC-TTBVTV", "CHI_CUC", "Chi cục Trồng trọt và Bảo vệ thực vật {p}", "SNNMT", 40),
    ("CC-QLDD", "CHI_CUC", "Chi cục Quản lý đất đai {p}", "SNNMT", 35),
    ("CC-DS", "CHI_CUC", "Chi cục Dân số {p}", "SYT", 25),
    ("CC-ATTP", "CHI_CUC", "Chi cục An toàn vệ sinh thực phẩm {p}", "SYT", 25),
    ("CC-VTLT", "CHI_CUC", "Chi cục Văn thư – Lưu trữ {p}", "SNV", 20),
    ("BQL-KCN", "BQL_KCN_KKT", "Ban Quản lý các khu công nghiệp {p}", "UBND", 45),
    ("TTPVHCC", "TT_PVHCC_TINH", "Trung tâm Phục vụ hành chính công {p}", "UBND", 40),
    ("BAN-TDKT", "BAN_THUOC_SO", "Ban Thi đua – Khen thưởng {p}", "SNV", 20),
]

#: boards outside the declared ISO scope (their rows must not appear in coverage)
OUT_OF_SCOPE = {"BAN-TDKT"}

#: old provincial agencies (until 30/6/2025): key, type, name, parent key, key of the new successor
OLD_PROVINCIAL = [
    ("UBND", "UBND_TINH", "UBND {p}", None, "UBND"),
    ("VP", "VP_UBND_TINH", "Văn phòng UBND {p}", "UBND", "VP"),
    ("SKHCN", "OVERSIGHT_DOST", "Sở Khoa học và Công nghệ {p}", "UBND", "SKHCN"),
    ("STTTT", "SO", "Sở Thông tin và Truyền thông {p}", "UBND", "SKHCN"),
    ("SNV", "SO", "Sở Nội vụ {p}", "UBND", "SNV"),
    ("SLDTBXH", "SO", "Sở Lao động – Thương binh và Xã hội {p}", "UBND", "SNV"),
    ("STC", "SO", "Sở Tài chính {p}", "UBND", "STC"),
    ("SKHDT", "SO", "Sở Kế hoạch và Đầu tư {p}", "UBND", "STC"),
    ("SNNPTNT", "SO", "Sở Nông nghiệp và Phát triển nông thôn {p}", "UBND", "SNNMT"),
    ("STNMT", "SO", "Sở Tài nguyên và Môi trường {p}", "UBND", "SNNMT"),
    ("STP", "SO", "Sở Tư pháp {p}", "UBND", "STP"),
    ("SCT", "SO", "Sở Công Thương {p}", "UBND", "SCT"),
    ("SXD", "SO", "Sở Xây dựng {p}", "UBND", "SXD"),
    ("SGTVT", "SO", "Sở Giao thông vận tải {p}", "UBND", "SXD"),
    ("SVHTTDL", "SO", "Sở Văn hóa, Thể thao và Du lịch {p}", "UBND", "SVHTTDL"),
    ("SGDDT", "SO", "Sở Giáo dục và Đào tạo {p}", "UBND", "SGDDT"),
    ("SYT", "SO", "Sở Y tế {p}", "UBND", "SYT"),
    ("TTRA", "CQ_NGANG_SO", "Thanh tra {p}", "UBND", "TTRA"),
    ("BDT", "CQ_NGANG_SO", "Ban Dân tộc {p}", "UBND", "SDTTG"),
    ("SNGV", "SO", "Sở Ngoại vụ {p}", "UBND", "VP"),
    ("CC-TL", "CHI_CUC", "Chi cục Thủy lợi {p}", "SNNPTNT", "CC-TL"),
    ("CC-KL", "CHI_CUC", "Chi cục Kiểm lâm {p}", "SNNPTNT", "CC-KL"),
    ("CC-CNTY", "CHI_CUC", "Chi cục Chăn nuôi và Thú y {p}", "SNNPTNT", "CC-CNTY"),
    ("CC-TTBVTV", "CHI_CUC", "Chi cục Trồng trọt và Bảo vệ thực vật {p}", "SNNPTNT", "CC-TTBVTV"),
    ("CC-TS", "CHI_CUC", "Chi cục Thủy sản {p}", "SNNPTNT", "CC-CNTY"),
    ("CC-PTNT", "CHI_CUC", "Chi cục Phát triển nông thôn {p}", "SNNPTNT", "SNNMT"),
    ("CC-QLCL", "CHI_CUC", "Chi cục Quản lý chất lượng nông lâm sản và thủy sản {p}", "SNNPTNT", "SNNMT"),
    ("CC-QLDD", "CHI_CUC", "Chi cục Quản lý đất đai {p}", "STNMT", "CC-QLDD"),
    ("CC-BVMT", "CHI_CUC", "Chi cục Bảo vệ môi trường {p}", "STNMT", "SNNMT"),
    ("CC-BHD", "CHI_CUC", "Chi cục Biển và Hải đảo {p}", "STNMT", "SNNMT"),
    ("CC-TDC", "CHI_CUC", "Chi cục Tiêu chuẩn Đo lường Chất lượng {p}", "SKHCN", "SKHCN"),
    ("CC-VTLT", "CHI_CUC", "Chi cục Văn thư – Lưu trữ {p}", "SNV", "CC-VTLT"),
    ("CC-DS", "CHI_CUC", "Chi cục Dân số – Kế hoạch hóa gia đình {p}", "SYT", "CC-DS"),
    ("CC-ATTP", "CHI_CUC", "Chi cục An toàn vệ sinh thực phẩm {p}", "SYT", "CC-ATTP"),
    ("CC-PCTNXH", "CHI_CUC", "Chi cục Phòng, chống tệ nạn xã hội {p}", "SLDTBXH", "SNV"),
    ("BQL-KCN", "BQL_KCN_KKT", "Ban Quản lý các khu công nghiệp {p}", "UBND", "BQL-KCN"),
    ("TTPVHCC", "TT_PVHCC_TINH", "Trung tâm Phục vụ hành chính công {p}", "UBND", "TTPVHCC"),
    ("BAN-TDKT", "BAN_THUOC_SO", "Ban Thi đua – Khen thưởng {p}", "SNV", "BAN-TDKT"),
    ("BAN-TG", "BAN_THUOC_SO", "Ban Tôn giáo {p}", "SNV", "SDTTG"),
    ("TTCNTT", "DV_SU_NGHIEP", "Trung tâm Công nghệ thông tin và Truyền thông {p}", "STTTT", "SKHCN"),
]

#: syllables that commune names are built from (the names are invented, not real places)
PLACE_SYLLABLES = (
    "An Bình Phú Long Mỹ Tân Hòa Thạnh Hưng Phước Lợi Đông Tây Nam Bắc Vĩnh Thuận Hiệp Lộc Thới "
    "Trung Sơn Hà Quang Minh Hải Thủy Định Khánh Xuân Thành Đức Gia Kim Ngọc Cát Yên Lạc Hội Phong "
    "Tiến Hậu Châu Điền Lâm Hồng Nhơn Thọ Tường Vân Hoa Giang Khê Lương Thắng Nghĩa Trà Cẩm"
).split()

SURNAMES = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 2 + [
    "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Lý", "Đinh"]
MIDDLE_MEN = ["Văn", "Minh", "Quốc", "Hữu", "Đức", "Thanh", "Hoàng", "Công", "Ngọc", "Xuân"]
MIDDLE_WOMEN = ["Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Hồng", "Mỹ", "Phương"]
GIVEN_MEN = ["An", "Bình", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam", "Phúc", "Quang", "Sơn", "Tâm",
             "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Đức", "Hiếu", "Huy", "Khánh", "Lâm", "Tài"]
GIVEN_WOMEN = ["Anh", "Châu", "Diệp", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "My",
               "Ngân", "Nhung", "Oanh", "Phượng", "Quyên", "Thảo", "Trang", "Trinh", "Uyên", "Vy", "Xuân", "Yến"]


def person_name(rng) -> str:
    """A plausible Vietnamese full name (surname, middle name, given name)."""
    if rng.random() < 0.5:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_MEN)} {rng.choice(GIVEN_MEN)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_WOMEN)} {rng.choice(GIVEN_WOMEN)}"


def place_names(rng, count: int) -> list[str]:
    """`count` distinct invented place names of two syllables (three when two run out)."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        words = 2 if len(seen) < len(PLACE_SYLLABLES) ** 2 // 2 else 3
        name = " ".join(rng.sample(PLACE_SYLLABLES, words))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names
