"""Agency types (codes from the domain reference, §7) with their Vietnamese and English labels."""

#: code -> (Vietnamese label, English label, tier)
AGENCY_TYPES: dict[str, tuple[str, str, str]] = {
    "BO": ("Bộ", "Ministry", "central"),
    "CQ_NGANG_BO": ("Cơ quan ngang bộ", "Ministry-level agency", "central"),
    "CQ_THUOC_CP": ("Cơ quan thuộc Chính phủ", "Government-attached agency", "central"),
    "CUC_VU": ("Tổng cục / Cục / Vụ thuộc bộ", "Department under a ministry", "central"),
    "NGANH_DOC_DP": ("Cơ quan ngành dọc tại địa phương", "Local office of a vertical agency", "provincial"),
    "UBND_TINH": ("UBND tỉnh / thành phố", "Provincial People's Committee", "provincial"),
    "VP_UBND_TINH": ("Văn phòng UBND tỉnh", "Office of the provincial PC", "provincial"),
    "SO": ("Sở", "Provincial department", "provincial"),
    "CQ_NGANG_SO": ("Cơ quan ngang sở", "Department-level agency", "provincial"),
    "CHI_CUC": ("Chi cục thuộc sở", "Sub-department", "provincial"),
    "BAN_THUOC_SO": ("Ban thuộc sở", "Board under a department", "provincial"),
    "BQL_KCN_KKT": ("Ban Quản lý KCN / KKT", "Industrial / economic zone board", "provincial"),
    "TT_PVHCC_TINH": ("Trung tâm Phục vụ hành chính công tỉnh", "Provincial public administration service centre", "provincial"),
    "UBND_HUYEN": ("UBND cấp huyện (trước 01/07/2025)", "District People's Committee (before 01/07/2025)", "district"),
    "PHONG_HUYEN": ("Phòng chuyên môn cấp huyện", "District specialised office", "district"),
    "MOT_CUA_HUYEN": ("Bộ phận Một cửa cấp huyện", "District one-stop unit", "district"),
    "UBND_XA_CU": ("UBND xã / phường / thị trấn (trước 01/07/2025)", "Commune PC (before 01/07/2025)", "commune"),
    "MOT_CUA_XA_CU": ("Bộ phận Một cửa cấp xã (trước 01/07/2025)", "Commune one-stop unit (old)", "commune"),
    "UBND_XA": ("UBND xã / phường / đặc khu", "Commune / ward / special zone PC", "commune"),
    "VP_HDND_UBND_XA": ("Văn phòng HĐND và UBND cấp xã", "Office of the commune council and PC", "commune"),
    "PHONG_KINH_TE_XA": ("Phòng Kinh tế cấp xã", "Commune economic division", "commune"),
    "PHONG_VHXH_XA": ("Phòng Văn hóa – Xã hội cấp xã", "Commune culture and social affairs division", "commune"),
    "TT_PVHCC_XA": ("Trung tâm Phục vụ hành chính công cấp xã", "Commune public administration service centre", "commune"),
    "DV_SU_NGHIEP": ("Đơn vị sự nghiệp công lập", "Public service unit", "any"),
    "OVERSIGHT_DOST": ("Sở Khoa học và Công nghệ", "Department of Science and Technology", "provincial"),
    "OVERSIGHT_MOST": ("Bộ Khoa học và Công nghệ", "Ministry of Science and Technology", "central"),
}
#: the bodies that inspect the others (Sở and Bộ Khoa học và Công nghệ): never drawn for an inspection
INSPECTING_TYPES = frozenset({"OVERSIGHT_DOST", "OVERSIGHT_MOST"})


def type_label(code: str, locale: str = "vi") -> str:
    """Human label of an agency type code, in Vietnamese unless English is asked for."""
    vi, en, _tier = AGENCY_TYPES.get(code, (code, code, ""))
    return en if locale == "en" else vi
