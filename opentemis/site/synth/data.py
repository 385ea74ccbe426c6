"""Names and geography for the synthetic nation (``opentemis synth``). Data only, no logic.

Sources and confidence (see docs/domain.md for the tags):

* The 34 provincial units after the merger of 12/6/2025 (Nghị quyết 202/2025/QH15) [V-en]: 6
  centrally-run cities and 28 provinces, with the provinces merged into each.
* Codes: the code of the province whose name was kept [?]. Populations (thousands, 2024
  estimates summed over the merged provinces), commune counts after 1/7/2025 (≈3,321
  nationally) and ward shares are recollections [?]: good enough to weight a synthetic load,
  not to report from.
* ``mountain`` (0..1), ``disadvantaged`` (share of schools in a vùng khó khăn) and ``dtts`` (share
  of ethnic-minority staff) are estimates made for this generator [?], tuned so that the nation
  lands near 25 % disadvantaged schools and 12 % DTTS staff, far higher in the northern mountains
  and the Central Highlands.
* Surname frequencies follow commonly cited figures (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 %,
  Phạm ≈ 7 %, ...) [?]; the Hoàng/Huỳnh and Vũ/Võ split is regional.
"""

from __future__ import annotations

from dataclasses import dataclass

# The tables below are kept one row per line, as tables: the formatter would otherwise put
# every (name, weight) pair on a line of its own.
# fmt: off


@dataclass(frozen=True)
class ProvinceData:
    """One of the 34 provincial units, with the weights the generator uses."""

    code: str  # two-digit administrative code, also the prefix of staff codes
    name: str  # short name, e.g. "Lào Cai"
    is_city: bool  # thành phố trực thuộc trung ương
    population_k: int
    communes: int  # communes + wards after 1/7/2025
    ward_share: float  # share of communes that are wards (phường)
    region: str  # "north" | "central" | "south": surname variants, name pools
    mountain: float  # 0 delta/city .. 1 high mountains
    disadvantaged: float  # share of schools in disadvantaged areas
    dtts: float  # share of ethnic-minority staff
    ethnic_mix: tuple[tuple[str, float], ...]  # (GSO ethnicity code, weight) among DTTS staff
    highlands: bool = False  # Central Highlands naming (Ia, Ea, Krông, Đắk ...)
    merged_from: tuple[str, ...] = ()

    @property
    def department_name(self) -> str:
        prefix = "thành phố" if self.is_city else "tỉnh"
        return f"Sở Giáo dục và Đào tạo {prefix} {self.name}"

    @property
    def full_name(self) -> str:
        return f"{'Thành phố' if self.is_city else 'Tỉnh'} {self.name}"


# Ethnicity codes used below: 02 Tày, 03 Thái, 04 Hoa, 05 Khơ-me, 06 Mường, 07 Nùng, 08 HMông,
# 09 Dao, 10 Gia-rai, 12 Ê-đê, 13 Ba-na, 14 Xơ-đăng, 15 Sán Chay, 16 Cơ-ho, 17 Chăm, 18 Sán Dìu,
# 19 Hrê, 20 Mnông, 21 Ra-glai, 22 Xtiêng, 23 Bru-Vân Kiều, 25 Giáy, 26 Cơ-tu, 27 Gié-Triêng,
# 28 Mạ, 29 Khơ-mú, 30 Co, 31 Tà-ôi, 32 Chơ-ro, 35 Hà Nhì, 36 Chu-ru, 42 Lự, 44 Chứt.
NORTH_MIX = (("02", 4), ("06", 4), ("03", 2), ("07", 2), ("09", 1))

PROVINCES: tuple[ProvinceData, ...] = (
    # --- the six centrally-run cities
    ProvinceData("01", "Hà Nội", True, 8_600, 126, 0.40, "north", 0.05, 0.05, 0.011,
                 (("06", 6), ("02", 2), ("03", 1), ("09", 1)), merged_from=("Hà Nội",)),
    ProvinceData("31", "Hải Phòng", True, 4_050, 114, 0.39, "north", 0.05, 0.07, 0.004,
                 NORTH_MIX, merged_from=("Hải Phòng", "Hải Dương")),
    ProvinceData("46", "Huế", True, 1_160, 40, 0.52, "central", 0.30, 0.19, 0.027,
                 (("31", 5), ("26", 3), ("23", 2)), merged_from=("Thừa Thiên Huế",)),
    ProvinceData("48", "Đà Nẵng", True, 2_750, 94, 0.25, "central", 0.35, 0.23, 0.045,
                 (("26", 5), ("14", 2), ("27", 3), ("30", 1)),
                 merged_from=("Đà Nẵng", "Quảng Nam")),
    ProvinceData("79", "Hồ Chí Minh", True, 13_500, 168, 0.67, "south", 0.0, 0.02, 0.036,
                 (("04", 7), ("05", 2), ("17", 1)),
                 merged_from=("TP Hồ Chí Minh", "Bình Dương", "Bà Rịa - Vũng Tàu")),
    ProvinceData("92", "Cần Thơ", True, 3_200, 103, 0.31, "south", 0.15, 0.19, 0.117,
                 (("05", 9), ("04", 1)), merged_from=("Cần Thơ", "Sóc Trăng", "Hậu Giang")),
    # --- northern mountains and midlands
    ProvinceData("04", "Cao Bằng", False, 540, 56, 0.07, "north", 1.0, 0.90, 0.720,
                 (("02", 45), ("07", 35), ("08", 10), ("09", 10))),
    ProvinceData("08", "Tuyên Quang", False, 1_700, 124, 0.06, "north", 1.0, 0.74, 0.522,
                 (("02", 35), ("08", 30), ("09", 20), ("07", 8), ("15", 7)),
                 merged_from=("Tuyên Quang", "Hà Giang")),
    ProvinceData("11", "Điện Biên", False, 640, 45, 0.07, "north", 1.0, 0.90, 0.594,
                 (("03", 50), ("08", 40), ("29", 5), ("42", 5))),
    ProvinceData("12", "Lai Châu", False, 480, 38, 0.13, "north", 1.0, 0.93, 0.630,
                 (("08", 35), ("03", 30), ("09", 14), ("35", 8), ("25", 7), ("42", 6))),
    ProvinceData("14", "Sơn La", False, 1_300, 75, 0.11, "north", 1.0, 0.83, 0.612,
                 (("03", 70), ("08", 18), ("06", 8), ("29", 4))),
    ProvinceData("15", "Lào Cai", False, 1_620, 99, 0.10, "north", 1.0, 0.66, 0.414,
                 (("08", 30), ("02", 25), ("09", 20), ("03", 10), ("25", 8), ("35", 7)),
                 merged_from=("Lào Cai", "Yên Bái")),
    ProvinceData("19", "Thái Nguyên", False, 1_650, 92, 0.16, "north", 0.6, 0.34, 0.270,
                 (("02", 45), ("07", 20), ("09", 15), ("18", 10), ("15", 10)),
                 merged_from=("Thái Nguyên", "Bắc Kạn")),
    ProvinceData("20", "Lạng Sơn", False, 800, 65, 0.06, "north", 0.9, 0.74, 0.630,
                 (("07", 50), ("02", 40), ("09", 8), ("18", 2))),
    ProvinceData("22", "Quảng Ninh", False, 1_370, 54, 0.56, "north", 0.4, 0.16, 0.090,
                 (("09", 45), ("02", 25), ("18", 15), ("15", 15))),
    ProvinceData("24", "Bắc Ninh", False, 3_390, 99, 0.34, "north", 0.2, 0.11, 0.054,
                 (("07", 40), ("02", 25), ("18", 20), ("15", 15)),
                 merged_from=("Bắc Ninh", "Bắc Giang")),
    ProvinceData("25", "Phú Thọ", False, 3_580, 148, 0.11, "north", 0.5, 0.28, 0.180,
                 (("06", 75), ("09", 12), ("02", 8), ("18", 5)),
                 merged_from=("Phú Thọ", "Vĩnh Phúc", "Hòa Bình")),
    # --- Red River delta
    ProvinceData("33", "Hưng Yên", False, 3_160, 104, 0.11, "north", 0.0, 0.04, 0.003,
                 NORTH_MIX, merged_from=("Hưng Yên", "Thái Bình")),
    ProvinceData("37", "Ninh Bình", False, 3_760, 129, 0.25, "north", 0.1, 0.07, 0.005,
                 (("06", 8), ("02", 1), ("03", 1)),
                 merged_from=("Ninh Bình", "Hà Nam", "Nam Định")),
    # --- north-central and central coast
    ProvinceData("38", "Thanh Hóa", False, 3_760, 166, 0.18, "north", 0.5, 0.30, 0.117,
                 (("06", 60), ("03", 35), ("08", 3), ("29", 2))),
    ProvinceData("40", "Nghệ An", False, 3_400, 130, 0.08, "north", 0.55, 0.32, 0.108,
                 (("03", 70), ("29", 12), ("08", 10), ("06", 5), ("44", 3))),
    ProvinceData("42", "Hà Tĩnh", False, 1_320, 69, 0.12, "north", 0.3, 0.17, 0.004,
                 (("06", 5), ("44", 3), ("03", 2))),
    ProvinceData("44", "Quảng Trị", False, 1_560, 78, 0.10, "central", 0.4, 0.25, 0.036,
                 (("23", 70), ("31", 20), ("44", 10)), merged_from=("Quảng Trị", "Quảng Bình")),
    ProvinceData("51", "Quảng Ngãi", False, 1_830, 96, 0.11, "central", 0.55, 0.42, 0.198,
                 (("19", 35), ("14", 30), ("13", 15), ("30", 10), ("27", 10)),
                 highlands=True, merged_from=("Quảng Ngãi", "Kon Tum")),
    ProvinceData("52", "Gia Lai", False, 3_080, 135, 0.19, "central", 0.6, 0.42, 0.180,
                 (("10", 60), ("13", 35), ("12", 5)), highlands=True,
                 merged_from=("Gia Lai", "Bình Định")),
    ProvinceData("56", "Khánh Hòa", False, 1_860, 65, 0.34, "central", 0.35, 0.23, 0.072,
                 (("21", 40), ("17", 40), ("16", 20)), merged_from=("Khánh Hòa", "Ninh Thuận")),
    ProvinceData("66", "Đắk Lắk", False, 2_800, 102, 0.15, "central", 0.6, 0.42, 0.171,
                 (("12", 55), ("20", 12), ("07", 12), ("02", 11), ("10", 10)), highlands=True,
                 merged_from=("Đắk Lắk", "Phú Yên")),
    ProvinceData("68", "Lâm Đồng", False, 3_250, 124, 0.16, "central", 0.6, 0.38, 0.126,
                 (("16", 40), ("20", 20), ("28", 15), ("36", 10), ("17", 10), ("07", 5)),
                 highlands=True, merged_from=("Lâm Đồng", "Đắk Nông", "Bình Thuận")),
    # --- south-east and Mekong delta
    ProvinceData("75", "Đồng Nai", False, 4_330, 95, 0.25, "south", 0.25, 0.17, 0.063,
                 (("22", 40), ("04", 25), ("32", 15), ("07", 10), ("05", 10)),
                 merged_from=("Đồng Nai", "Bình Phước")),
    ProvinceData("80", "Tây Ninh", False, 2_920, 96, 0.15, "south", 0.1, 0.13, 0.009,
                 (("05", 60), ("17", 25), ("04", 15)), merged_from=("Tây Ninh", "Long An")),
    ProvinceData("82", "Đồng Tháp", False, 3_400, 102, 0.20, "south", 0.05, 0.11, 0.003,
                 (("04", 60), ("05", 40)), merged_from=("Đồng Tháp", "Tiền Giang")),
    ProvinceData("86", "Vĩnh Long", False, 3_350, 124, 0.15, "south", 0.1, 0.23, 0.081,
                 (("05", 90), ("04", 10)), merged_from=("Vĩnh Long", "Bến Tre", "Trà Vinh")),
    ProvinceData("91", "An Giang", False, 3_680, 102, 0.14, "south", 0.2, 0.23, 0.063,
                 (("05", 75), ("17", 15), ("04", 10)), merged_from=("An Giang", "Kiên Giang")),
    ProvinceData("96", "Cà Mau", False, 2_140, 64, 0.14, "south", 0.2, 0.28, 0.036,
                 (("05", 80), ("04", 20)), merged_from=("Cà Mau", "Bạc Liêu")),
)

# Email domains: the Sở's, written without diacritics.
EMAIL_DOMAIN_SUFFIX = "edu.vn"

# ---------------------------------------------------------------- school-type shapes
# (national count, levels, mean staff per school). Means are tuned so the nation has ≈1.2 M
# staff in ≈48,000 schools; the distribution around them is log-normal.
SCHOOL_TYPES: dict[str, tuple[int, tuple[str, ...], float]] = {
    "MN": (15_600, ("MN",), 19.7),
    "TH": (15_000, ("TH",), 24.3),
    "THCS": (10_900, ("THCS",), 23.2),
    "TH_THCS": (2_400, ("TH", "THCS"), 27.0),
    "THCS_THPT": (700, ("THCS", "THPT"), 42.0),
    "THPT": (2_500, ("THPT",), 56.0),
    "GDTX": (700, ("GDTX",), 17.0),
}
# Preschool, primary and lower secondary sit under the commune since 1/7/2025; upper secondary,
# multi-level THCS&THPT and GDTX centres under the Sở (domain.md §2).
COMMUNE_TYPES = ("MN", "TH", "THCS", "TH_THCS")
DEPARTMENT_TYPES = ("THPT", "THCS_THPT", "GDTX")

# Share of women among teachers, by school type (managers are less often women).
WOMEN_SHARE: dict[str, float] = {
    "MN": 0.97, "TH": 0.73, "THCS": 0.63, "TH_THCS": 0.66, "THCS_THPT": 0.57,
    "THPT": 0.56, "GDTX": 0.50, "TT": 0.55,
}

# Teachers' subjects per school type: (subject code, weight). Codes from staff/reference.py.
SUBJECT_WEIGHTS: dict[str, tuple[tuple[str, float], ...]] = {
    "MN": (("MN", 1),),
    "TH": (("TH", 74), ("ANH", 8), ("GDTC", 5), ("AN", 4), ("MT", 4), ("TIN", 4), ("TDT", 1)),
    "THCS": (
        ("TOAN", 17), ("VAN", 16), ("ANH", 12), ("KHTN", 14), ("LSDL", 9), ("GDCD", 4),
        ("TIN", 5), ("CN", 5), ("GDTC", 7), ("AN", 3), ("MT", 3), ("HDTN", 3), ("NN2", 0.5),
    ),
    "THPT": (
        ("TOAN", 15), ("VAN", 13), ("ANH", 11), ("LY", 8), ("HOA", 7), ("SINH", 5), ("SU", 5),
        ("DIA", 5), ("GDCD", 4), ("TIN", 6), ("CN", 4), ("GDTC", 6), ("QPAN", 3), ("NN2", 1),
        ("HDTN", 1), ("AN", 0.5), ("MT", 0.5),
    ),
    "GDTX": (
        ("TOAN", 16), ("VAN", 15), ("ANH", 10), ("LY", 9), ("HOA", 8), ("SINH", 6), ("SU", 7),
        ("DIA", 7), ("TIN", 8), ("CN", 6), ("GDCD", 4), ("KHAC", 4),
    ),
    "TT": (
        ("TOAN", 10), ("VAN", 10), ("ANH", 9), ("LY", 7), ("HOA", 7), ("SINH", 6), ("SU", 6),
        ("DIA", 5), ("TIN", 6), ("MN", 7), ("TH", 9), ("GDTC", 4), ("AN", 3), ("MT", 3),
        ("GDCD", 4), ("KHAC", 4),
    ),
}
# Multi-level schools mix the teachers of both levels.
SUBJECT_WEIGHTS["TH_THCS"] = tuple(
    [(c, w * 0.55) for c, w in SUBJECT_WEIGHTS["TH"]]
    + [(c, w * 0.45) for c, w in SUBJECT_WEIGHTS["THCS"]]
)
SUBJECT_WEIGHTS["THCS_THPT"] = tuple(
    [(c, w * 0.4) for c, w in SUBJECT_WEIGHTS["THCS"]]
    + [(c, w * 0.6) for c, w in SUBJECT_WEIGHTS["THPT"]]
)

# Common second subjects of secondary teachers (pairs trained together in teacher colleges).
SECOND_SUBJECT: dict[str, str] = {
    "TOAN": "TIN", "LY": "CN", "HOA": "SINH", "SINH": "HOA", "SU": "DIA", "DIA": "SU",
    "VAN": "GDCD", "GDCD": "SU", "TIN": "TOAN", "KHTN": "CN", "LSDL": "GDCD", "AN": "HDTN",
    "GDTC": "QPAN", "QPAN": "GDTC",
}

# Subject groups (tổ chuyên môn) by school type and number of groups: (name, subjects).
# A teacher joins the first group that lists one of their subjects (random among several).
_TH_SPEC = ("ANH", "GDTC", "AN", "MT", "TIN", "TDT")
_THCS_NAT = ("TOAN", "TIN", "KHTN", "CN", "LY", "HOA", "SINH")
_THCS_SOC = ("VAN", "LSDL", "GDCD", "HDTN", "SU", "DIA", "TDT")
_ARTS = ("GDTC", "AN", "MT", "QPAN", "HDTN")
_LANG = ("ANH", "NN2")
GROUP_TEMPLATES: dict[str, dict[int, tuple[tuple[str, tuple[str, ...]], ...]]] = {
    "MN": {
        3: (("Tổ Nhà trẻ", ("MN",)), ("Tổ Mẫu giáo bé - nhỡ", ("MN",)),
            ("Tổ Mẫu giáo lớn", ("MN",))),
        4: (("Tổ Nhà trẻ", ("MN",)), ("Tổ Mẫu giáo 3 tuổi", ("MN",)),
            ("Tổ Mẫu giáo 4 tuổi", ("MN",)), ("Tổ Mẫu giáo 5 tuổi", ("MN",))),
    },
    "TH": {
        3: (("Tổ khối 1 - 2", ("TH",)), ("Tổ khối 3 - 4", ("TH",)),
            ("Tổ khối 5 và Bộ môn", ("TH", *_TH_SPEC))),
        4: (("Tổ khối 1", ("TH",)), ("Tổ khối 2 - 3", ("TH",)), ("Tổ khối 4 - 5", ("TH",)),
            ("Tổ Bộ môn", _TH_SPEC)),
        5: (("Tổ khối 1", ("TH",)), ("Tổ khối 2", ("TH",)), ("Tổ khối 3", ("TH",)),
            ("Tổ khối 4 - 5", ("TH",)), ("Tổ Bộ môn", _TH_SPEC)),
        6: (("Tổ khối 1", ("TH",)), ("Tổ khối 2", ("TH",)), ("Tổ khối 3", ("TH",)),
            ("Tổ khối 4", ("TH",)), ("Tổ khối 5", ("TH",)), ("Tổ Bộ môn", _TH_SPEC)),
    },
    "THCS": {
        3: (("Tổ Khoa học tự nhiên", _THCS_NAT), ("Tổ Khoa học xã hội", _THCS_SOC),
            ("Tổ Ngoại ngữ - Nghệ thuật - Thể chất", _LANG + _ARTS)),
        4: (("Tổ Toán - Tin", ("TOAN", "TIN")), ("Tổ Khoa học tự nhiên - Công nghệ", _THCS_NAT),
            ("Tổ Ngữ văn - Lịch sử và Địa lí", _THCS_SOC),
            ("Tổ Ngoại ngữ - Nghệ thuật - Thể chất", _LANG + _ARTS)),
        5: (("Tổ Toán - Tin", ("TOAN", "TIN")), ("Tổ Khoa học tự nhiên - Công nghệ", _THCS_NAT),
            ("Tổ Ngữ văn - GDCD", ("VAN", "GDCD", "HDTN")),
            ("Tổ Lịch sử và Địa lí - Ngoại ngữ", ("LSDL", "SU", "DIA", "TDT", *_LANG)),
            ("Tổ Nghệ thuật - Thể chất", _ARTS)),
        6: (("Tổ Toán - Tin", ("TOAN", "TIN")), ("Tổ Khoa học tự nhiên - Công nghệ", _THCS_NAT),
            ("Tổ Ngữ văn - GDCD", ("VAN", "GDCD", "HDTN")),
            ("Tổ Lịch sử và Địa lí", ("LSDL", "SU", "DIA", "TDT")), ("Tổ Ngoại ngữ", _LANG),
            ("Tổ Nghệ thuật - Thể chất", _ARTS)),
    },
    "THPT": {
        3: (("Tổ Tự nhiên", _THCS_NAT), ("Tổ Xã hội", _THCS_SOC),
            ("Tổ Ngoại ngữ - Thể chất", _LANG + _ARTS)),
        4: (("Tổ Toán - Tin", ("TOAN", "TIN")), ("Tổ Khoa học tự nhiên", _THCS_NAT),
            ("Tổ Ngữ văn - Ngoại ngữ", ("VAN", *_LANG)),
            ("Tổ Xã hội - Thể chất", _THCS_SOC + _ARTS)),
        5: (("Tổ Toán - Tin", ("TOAN", "TIN")), ("Tổ Khoa học tự nhiên", _THCS_NAT),
            ("Tổ Ngữ văn - Ngoại ngữ", ("VAN", *_LANG)), ("Tổ Khoa học xã hội", _THCS_SOC),
            ("Tổ Thể dục - Quốc phòng", _ARTS)),
        6: (("Tổ Toán - Tin", ("TOAN", "TIN")), ("Tổ Khoa học tự nhiên", _THCS_NAT),
            ("Tổ Ngữ văn", ("VAN",)), ("Tổ Ngoại ngữ", _LANG),
            ("Tổ Sử - Địa - GDKT&PL", _THCS_SOC), ("Tổ Thể dục - Quốc phòng", _ARTS)),
    },
    "GDTX": {
        3: (("Tổ Tự nhiên", ("TOAN", "LY", "HOA", "SINH", "TIN", "CN")),
            ("Tổ Xã hội", ("VAN", "SU", "DIA", "GDCD", "ANH")),
            ("Tổ Hướng nghiệp - Dạy nghề", ("CN", "TIN", "KHAC"))),
        4: (("Tổ Toán - Tin", ("TOAN", "TIN")), ("Tổ Lí - Hóa - Sinh", ("LY", "HOA", "SINH", "CN")),
            ("Tổ Văn - Sử - Địa", ("VAN", "SU", "DIA", "GDCD", "ANH")),
            ("Tổ Hướng nghiệp - Dạy nghề", ("CN", "KHAC"))),
    },
    "TT": {
        3: (("Khoa Khoa học tự nhiên", ("TOAN", "LY", "HOA", "SINH", "TIN")),
            ("Khoa Khoa học xã hội", ("VAN", "SU", "DIA", "GDCD", "ANH", "KHAC")),
            ("Khoa Giáo dục Mầm non - Tiểu học", ("MN", "TH", "GDTC", "AN", "MT"))),
        6: (("Khoa Toán - Tin", ("TOAN", "TIN")), ("Khoa Khoa học tự nhiên", ("LY", "HOA", "SINH")),
            ("Khoa Ngữ văn", ("VAN", "SU", "DIA", "GDCD", "KHAC")), ("Khoa Ngoại ngữ", ("ANH",)),
            ("Khoa Giáo dục Tiểu học", ("TH", "GDTC", "AN", "MT")),
            ("Khoa Giáo dục Mầm non", ("MN",))),
    },
}
# Multi-level schools use the templates of their upper level; lower-level subjects are listed in
# those templates too (KHTN, LSDL, TH-specialist subjects), so nobody is left without a group.
GROUP_TEMPLATES["TH_THCS"] = {
    3: (("Tổ Tiểu học", ("TH", "TDT")), ("Tổ THCS Tự nhiên", _THCS_NAT),
        ("Tổ THCS Xã hội - Năng khiếu", _THCS_SOC + _LANG + _ARTS)),
    4: (("Tổ Tiểu học khối 1 - 3", ("TH",)), ("Tổ Tiểu học khối 4 - 5", ("TH", "TDT")),
        ("Tổ Khoa học tự nhiên", _THCS_NAT), ("Tổ Khoa học xã hội - Năng khiếu",
                                               _THCS_SOC + _LANG + _ARTS)),
    5: (("Tổ Tiểu học khối 1 - 2", ("TH",)), ("Tổ Tiểu học khối 3 - 5", ("TH", "TDT")),
        ("Tổ Khoa học tự nhiên", _THCS_NAT), ("Tổ Khoa học xã hội", _THCS_SOC),
        ("Tổ Ngoại ngữ - Năng khiếu", _LANG + _ARTS)),
    6: (("Tổ Tiểu học khối 1 - 2", ("TH",)), ("Tổ Tiểu học khối 3", ("TH",)),
        ("Tổ Tiểu học khối 4 - 5", ("TH", "TDT")), ("Tổ Khoa học tự nhiên", _THCS_NAT),
        ("Tổ Khoa học xã hội", _THCS_SOC), ("Tổ Ngoại ngữ - Năng khiếu", _LANG + _ARTS)),
}
GROUP_TEMPLATES["THCS_THPT"] = GROUP_TEMPLATES["THPT"]

# Qualifications by staff category: (choice value of staff.Qualification, weight).
QUALIFICATIONS: dict[str, tuple[tuple[str, float], ...]] = {
    "MN": (("trung_cap", 6), ("cao_dang", 30), ("dai_hoc", 62), ("thac_si", 2)),
    "TH": (("cao_dang", 12), ("dai_hoc", 83), ("thac_si", 5)),
    "THCS": (("cao_dang", 7), ("dai_hoc", 85), ("thac_si", 8)),
    "THPT": (("dai_hoc", 70), ("thac_si", 29), ("tien_si", 1)),
    "GDTX": (("dai_hoc", 78), ("thac_si", 22)),
    "TT": (("dai_hoc", 5), ("thac_si", 50), ("tien_si", 45)),
    "NV": (("trung_cap", 40), ("cao_dang", 28), ("dai_hoc", 30), ("khac", 2)),
    "MANAGER": (("dai_hoc", 62), ("thac_si", 36), ("tien_si", 2)),
}

# Age bands (lo, hi, weight) for teachers, by gender where retirement differs.
AGE_BANDS_TEACHER: tuple[tuple[int, int, float], ...] = (
    (22, 25, 6), (26, 30, 12), (31, 35, 15), (36, 40, 17), (41, 45, 17), (46, 50, 14),
    (51, 55, 11), (56, 60, 6),
)
AGE_BANDS_MANAGER: tuple[tuple[int, int, float], ...] = (
    (30, 35, 4), (36, 40, 12), (41, 45, 22), (46, 50, 26), (51, 55, 24), (56, 60, 12),
)

# ---------------------------------------------------------------- people's names
# (surname, weight per region: north, central, south)
SURNAMES: tuple[tuple[str, float, float, float], ...] = (
    ("Nguyễn", 38.0, 38.0, 38.0), ("Trần", 11.0, 11.0, 11.0), ("Lê", 9.5, 10.0, 9.5),
    ("Phạm", 7.5, 6.5, 6.5), ("Hoàng", 5.0, 2.5, 0.6), ("Huỳnh", 0.1, 2.5, 4.5),
    ("Phan", 3.0, 5.0, 5.0), ("Vũ", 4.5, 0.8, 0.5), ("Võ", 0.5, 4.0, 4.2),
    ("Đặng", 2.1, 2.0, 2.1), ("Bùi", 2.4, 1.6, 1.8), ("Đỗ", 2.0, 1.2, 1.2),
    ("Hồ", 0.8, 2.0, 1.4), ("Ngô", 1.3, 1.3, 1.3), ("Dương", 1.1, 0.8, 1.0),
    ("Lý", 0.4, 0.4, 0.7), ("Đinh", 1.0, 0.9, 0.5), ("Trịnh", 0.8, 0.5, 0.4),
    ("Đào", 0.8, 0.6, 0.4), ("Mai", 0.6, 0.6, 0.6), ("Lương", 0.5, 0.4, 0.4),
    ("Lâm", 0.2, 0.3, 0.7), ("Tạ", 0.4, 0.2, 0.2), ("Cao", 0.4, 0.5, 0.4),
    ("Hà", 0.5, 0.3, 0.2), ("Chu", 0.3, 0.1, 0.1), ("Kiều", 0.2, 0.1, 0.1),
    ("Tô", 0.2, 0.2, 0.3), ("Quách", 0.1, 0.1, 0.2), ("Lưu", 0.3, 0.3, 0.4),
    ("Thái", 0.2, 0.4, 0.3), ("Triệu", 0.3, 0.1, 0.1), ("Văn", 0.1, 0.2, 0.1),
    ("Châu", 0.1, 0.3, 0.4), ("Nông", 0.2, 0.0, 0.0), ("Trương", 0.5, 0.7, 0.9),
    ("Đoàn", 0.5, 0.5, 0.4), ("Tăng", 0.1, 0.1, 0.2), ("Khúc", 0.1, 0.0, 0.0),
    ("Nghiêm", 0.2, 0.0, 0.0), ("Từ", 0.1, 0.2, 0.2), ("Tiêu", 0.0, 0.0, 0.1),
)

MIDDLE_MALE: tuple[tuple[str, float], ...] = (
    ("Văn", 40), ("Minh", 8), ("Đức", 7), ("Hữu", 6), ("Quang", 5), ("Công", 4), ("Thanh", 5),
    ("Ngọc", 3), ("Xuân", 3), ("Anh", 2), ("Quốc", 4), ("Tuấn", 2), ("Hoàng", 3), ("Trung", 2),
    ("Đình", 4), ("Mạnh", 2), ("Thế", 2), ("Tấn", 2), ("Trọng", 2), ("Việt", 2), ("Duy", 2),
    ("Hải", 1), ("Kim", 1), ("Bá", 1), ("Chí", 1),
)
# "Thị" was near universal for women born before 1990 and much less common after.
MIDDLE_FEMALE_OLDER: tuple[tuple[str, float], ...] = (
    ("Thị", 62), ("Ngọc", 6), ("Thanh", 6), ("Thu", 5), ("Kim", 4), ("Hồng", 3), ("Minh", 2),
    ("Thúy", 2), ("Phương", 2), ("Bích", 2), ("Mai", 1), ("Hoài", 1), ("Diệu", 1), ("Lệ", 1),
)
MIDDLE_FEMALE_YOUNGER: tuple[tuple[str, float], ...] = (
    ("Thị", 28), ("Ngọc", 10), ("Thanh", 8), ("Thu", 8), ("Phương", 6), ("Thùy", 6), ("Minh", 5),
    ("Hồng", 4), ("Kim", 4), ("Mai", 3), ("Hoài", 3), ("Khánh", 3), ("Bảo", 3), ("Diệu", 2),
    ("Tú", 2), ("Quỳnh", 2), ("Hải", 2), ("Thảo", 1),
)
# A second middle syllable (4-syllable names such as "Nguyễn Thị Thu Hương").
MIDDLE2_FEMALE: tuple[str, ...] = ("Thu", "Thanh", "Ngọc", "Kim", "Minh", "Hồng", "Thúy", "Phương")
MIDDLE2_MALE: tuple[str, ...] = ("Minh", "Quốc", "Hoàng", "Thanh", "Anh", "Ngọc", "Đức")

GIVEN_MALE: tuple[tuple[str, float], ...] = (
    ("Anh", 6), ("Hùng", 5), ("Dũng", 5), ("Tuấn", 6), ("Minh", 5), ("Hải", 4), ("Long", 4),
    ("Nam", 4), ("Sơn", 4), ("Thắng", 3), ("Hoàng", 3), ("Cường", 3), ("Đức", 3), ("Hưng", 3),
    ("Tùng", 3), ("Huy", 4), ("Quân", 3), ("Thành", 4), ("Trung", 3), ("Khoa", 2), ("Phong", 2),
    ("Vinh", 2), ("Hiếu", 3), ("Bình", 3), ("Quang", 2), ("Tâm", 2), ("Toàn", 2), ("Lâm", 2),
    ("Hòa", 2), ("Tài", 2), ("Phúc", 2), ("Lộc", 2), ("Thịnh", 2), ("Nghĩa", 2), ("Việt", 2),
    ("Khánh", 2), ("Duy", 2), ("Đạt", 3), ("Kiên", 2), ("Tiến", 2), ("Hậu", 1), ("Thái", 1),
    ("Phương", 1), ("Hiển", 1), ("Chiến", 1), ("Công", 1), ("Đông", 1), ("Giang", 1),
    ("Hạnh", 1), ("Khải", 1), ("Lực", 1), ("Mạnh", 2), ("Nhân", 1), ("Phát", 1), ("Quý", 1),
    ("Sang", 1), ("Thạch", 1), ("Thiện", 1), ("Trí", 2), ("Trọng", 1), ("Tú", 1), ("Tuyến", 1),
    ("Vũ", 1), ("Vương", 1), ("Xuân", 1), ("Bảo", 1), ("Hiệp", 1), ("Thuận", 1), ("Tín", 1),
)
GIVEN_FEMALE: tuple[tuple[str, float], ...] = (
    ("Hương", 6), ("Lan", 5), ("Linh", 6), ("Hoa", 4), ("Hà", 5), ("Thảo", 5), ("Trang", 6),
    ("Ngọc", 3), ("Mai", 4), ("Huyền", 4), ("Phương", 4), ("Thủy", 4), ("Nga", 3), ("Hạnh", 3),
    ("Hằng", 4), ("Dung", 3), ("Yến", 3), ("Loan", 2), ("Nhung", 4), ("Oanh", 2), ("Thúy", 3),
    ("Vân", 3), ("Hiền", 3), ("Liên", 2), ("Tâm", 3), ("Thu", 2), ("Hồng", 2), ("Quỳnh", 3),
    ("Giang", 3), ("Anh", 4), ("Nhàn", 2), ("Thơ", 1), ("Ly", 2), ("Diệp", 1), ("Chi", 2),
    ("Vy", 1), ("Trâm", 2), ("Lành", 1), ("Huệ", 2), ("Lý", 1), ("Nhi", 1), ("Duyên", 2),
    ("Hiên", 1), ("Lụa", 1), ("Thắm", 1), ("Tuyết", 2), ("Vui", 1), ("Xuân", 2), ("Yên", 1),
    ("Bích", 1), ("Châu", 2), ("Diễm", 1), ("Đào", 1), ("Hậu", 1), ("Khánh", 1), ("Kiều", 1),
    ("Lệ", 1), ("My", 1), ("Nguyệt", 1), ("Phượng", 2), ("Quyên", 1),
    ("Sen", 1), ("Thanh", 2), ("Thoa", 1), ("Thư", 2), ("Trinh", 1), ("Uyên", 1),
    ("Vinh", 1),
)

# Ethnic-minority naming. Style: "std" = surname + middle + given like Kinh names (with the
# group's own surnames), "hmong" = surname + A/Seo/Thị + HMông given name, "ede" = Y/H' + given
# + clan name last, "clan" = clan name + given, "clan_h" = the same with H' before women's
# given names (Gia-rai), "ay" = A (men) / Y (women) + given (Ba-na, Xơ-đăng, Gié-Triêng),
# "koho" = K' (men) / Ka (women) + given, "khmer" = family name + (Thị) + Khmer given name.
ETHNIC_NAMING: dict[str, tuple[str, tuple[str, ...]]] = {
    "02": ("std", ("Hoàng", "Nông", "Lương", "Lục", "Ma", "Bế", "Đàm", "Triệu", "Hà", "Vi")),
    "03": ("std", ("Lò", "Lường", "Cầm", "Quàng", "Vì", "Tòng", "Hà", "Điêu", "Sầm", "Lê")),
    "04": ("std", ("Lâm", "Trương", "Quách", "Lý", "Huỳnh", "Tăng", "Mã", "Diệp", "Hứa", "Vương")),
    "05": ("khmer", ("Thạch", "Danh", "Sơn", "Kim", "Lâm", "Chau", "Lý", "Thạch", "Danh")),
    "06": ("std", ("Bùi", "Đinh", "Quách", "Hà", "Xa", "Cao", "Bạch")),
    "07": ("std", ("Hoàng", "Nông", "Lý", "Vy", "Lương", "Chu", "Mã", "Lăng")),
    "08": ("hmong", ("Giàng", "Vàng", "Sùng", "Thào", "Lý", "Mùa", "Hầu", "Lầu", "Sình", "Vừ")),
    "09": ("std", ("Triệu", "Bàn", "Đặng", "Lý", "Chảo", "Phùng")),
    "10": ("clan_h", ("Ksor", "Rơ Châm", "Siu", "Rơ Mah", "Nay", "Kpă", "Rah Lan", "Puih")),
    "12": ("ede", ("Niê", "Ayŭn", "Êban", "Mlô", "Byă", "Adrơng", "Ktla", "Hwing", "Knul")),
    "13": ("ay", ()),
    "14": ("ay", ()),
    "15": ("std", ("Lý", "Hoàng", "La", "Trần", "Đặng")),
    "16": ("koho", ("K'", "Ka")),
    "17": ("std", ("Đàng", "Quảng", "Thông", "Thiên Sanh", "Trượng", "Lưu", "Phú")),
    "18": ("std", ("Trương", "La", "Lý", "Diệp", "Tạ", "Lưu")),
    "19": ("std", ("Đinh", "Phạm", "Nguyễn")),
    "20": ("clan", ("Điểu", "Y", "Thị")),
    "21": ("clan", ("Chamaléa", "Pinăng", "Katơr", "Mấu")),
    "22": ("std", ("Điểu", "Lâm", "Hồ")),
    "23": ("std", ("Hồ", "Lê", "Kray")),
    "25": ("std", ("Lù", "Vương", "Hoàng", "Sần")),
    "26": ("clan", ("Bhling", "Alăng", "Zơrâm", "Clâu", "Pơloong", "Bríu")),
    "27": ("ay", ()),
    "28": ("koho", ("K'", "Ka")),
    "29": ("std", ("Lò", "Vi", "Lữ", "Cụt", "Lương")),
    "30": ("std", ("Đinh", "Hồ", "Phạm")),
    "31": ("std", ("Hồ", "Kăn", "Căn", "Lê")),
    "32": ("std", ("Điểu", "Lâm")),
    "35": ("hmong", ("Lò", "Pờ", "Chu", "Ly")),
    "36": ("clan", ("Touneh", "Ma", "Jơ Lơng", "Ya")),
    "42": ("std", ("Lò", "Tao", "Pìn")),
    "44": ("std", ("Hồ", "Đinh", "Cao")),
}
HMONG_MALE_MIDDLE: tuple[str, ...] = ("A", "Seo", "Văn", "Mí", "A", "Văn")
HMONG_GIVEN_MALE: tuple[str, ...] = (
    "Páo", "Dính", "Chứ", "Sử", "Lử", "Pó", "Chính", "Tủa", "Dế", "Xó", "Tồng", "Chua", "Sình",
    "Lềnh", "Chư", "Phừ", "Sàng", "Hờ",
)
HMONG_GIVEN_FEMALE: tuple[str, ...] = (
    "Mỷ", "Dở", "Sua", "Chu", "Dợ", "Mai", "Say", "Ly", "Sú", "Pằng", "Dung", "Chía", "Mỉ",
    "Vân", "Ca", "Xuân",
)
HIGHLAND_GIVEN: tuple[str, ...] = (
    "Blin", "Bia", "Nguê", "Hen", "Loan", "Thương", "Bơ", "Phun", "Dih", "Khăm", "Hiăm",
    "Dhin", "Ngơn", "Lan", "Mai", "Nga", "Byơ", "Trang", "Bluih", "Yuôn", "Hwin", "Tuyết",
    "Hoa", "Djông", "Kôr", "Thoan", "Thuôn",
)
KHMER_GIVEN: tuple[str, ...] = (
    "Sa Rinh", "Phol", "Rươne", "Sóc", "Thol", "Ny", "Sa Mol", "Sô Phanh", "Chanh Đa",
    "Sa Rươn", "Som Nang", "Sa Ly", "Phai", "Sa Ra", "Kim Hoàng", "Thanh Hải", "Sóc Thi",
    "Đa Ra", "Sê Ri", "Mây", "Ngọc Thanh",
)

# ---------------------------------------------------------------- places and school names
COMMUNE_FIRST: tuple[str, ...] = (
    "Tân", "Phú", "Bình", "An", "Hòa", "Long", "Vĩnh", "Thạnh", "Mỹ", "Phước", "Đông", "Tây",
    "Nam", "Bắc", "Trung", "Hưng", "Thanh", "Xuân", "Quảng", "Đức", "Minh", "Hồng", "Kim",
    "Ngọc", "Thái", "Quang", "Yên", "Cẩm", "Hải", "Sơn", "Lạc", "Thuận", "Tam", "Hiệp",
    "Lộc", "Định", "Thiện", "Gia", "Phong", "Tiên", "Nghĩa", "Đại", "Vạn", "Hoài", "Cát",
)
COMMUNE_SECOND: tuple[str, ...] = (
    "An", "Bình", "Hòa", "Phú", "Lợi", "Thành", "Hưng", "Long", "Sơn", "Lộc", "Thịnh",
    "Phước", "Thuận", "Tiến", "Hiệp", "Định", "Mỹ", "Xuân", "Đông", "Tân", "Trung", "Hải",
    "Lâm", "Quang", "Điền", "Khánh", "Nghĩa", "Hà", "Yên", "Thắng", "Phong", "Châu", "Đức",
    "Vinh", "Hội", "Lạc", "Thủy", "Lương", "Trạch", "Cường",
)
MOUNTAIN_FIRST: tuple[str, ...] = (
    "Mường", "Nà", "Bản", "Pác", "Khau", "Nậm", "Sìn", "Tả", "Pa", "Hua", "Na", "Bó", "Chiềng",
    "Phìn", "Lũng", "Mù", "Xín", "Thông", "Quản", "Lùng", "Bảo", "Tà",
)
MOUNTAIN_SECOND: tuple[str, ...] = (
    "Khương", "Lầu", "Hang", "Nặm", "Hồ", "Phìn", "Cai", "Lay", "Tè", "Thàng", "Ngần", "Sáng",
    "Mòn", "Pồ", "Lèng", "Chải", "Nhè", "Chang", "Vài", "Phăng", "Khoa", "Mần", "Giàng", "Pia",
)
HIGHLAND_FIRST: tuple[str, ...] = (
    "Ia", "Ea", "Krông", "Đắk", "Cư", "Buôn", "Kon", "Đăk", "Ya", "Chư",
)
HIGHLAND_SECOND: tuple[str, ...] = (
    "Grai", "Kar", "Pắc", "Mil", "Hdrăng", "Drông", "Sar", "Tul", "Blang", "Pơ", "Rê", "Hiao",
    "Mơr", "Sup", "Ly", "Dom", "H'leo", "Rvê", "Kênh", "Sê", "Pnan", "Bông", "Wil", "Năng",
)

PRESCHOOL_NAMES: tuple[str, ...] = (
    "Hoa Sen", "Hoa Mai", "Hoa Hồng", "Sơn Ca", "Họa Mi", "Búp Sen Hồng", "Hướng Dương",
    "Tuổi Thơ", "Bình Minh", "Sao Mai", "Măng Non", "Ánh Dương", "Vành Khuyên", "Hoa Phượng",
    "Thỏ Ngọc", "Anh Đào", "Rạng Đông", "Hoa Ban", "Sen Hồng", "Hoa Lan", "Tuổi Ngọc",
    "Hoa Cúc", "Mầm Xanh", "Ngôi Sao", "Thiên Thần Nhỏ",
)
FAMOUS_YOUNG: tuple[str, ...] = (
    "Kim Đồng", "Lê Văn Tám", "Võ Thị Sáu", "Nguyễn Bá Ngọc", "Trần Quốc Toản", "Lý Tự Trọng",
    "Vừ A Dính", "Nguyễn Viết Xuân", "Phan Đình Giót", "Bế Văn Đàn", "Cù Chính Lan",
    "La Văn Cầu", "Hoàng Văn Thụ", "Nguyễn Văn Cừ", "Võ Văn Tần",
)
FAMOUS: tuple[str, ...] = (
    "Nguyễn Du", "Lê Quý Đôn", "Chu Văn An", "Trần Phú", "Nguyễn Trãi", "Lê Lợi", "Quang Trung",
    "Nguyễn Huệ", "Phan Bội Châu", "Lý Thường Kiệt", "Trần Hưng Đạo", "Ngô Quyền",
    "Nguyễn Khuyến", "Lê Hồng Phong", "Nguyễn Văn Trỗi", "Hai Bà Trưng", "Nguyễn Đình Chiểu",
    "Phan Chu Trinh", "Huỳnh Thúc Kháng", "Nguyễn Bỉnh Khiêm", "Lương Thế Vinh", "Trần Quang Khải",
    "Đinh Tiên Hoàng", "Lê Thánh Tông", "Nguyễn Thị Minh Khai", "Tô Hiệu", "Phạm Ngũ Lão",
    "Võ Thị Sáu", "Trưng Vương", "Bà Triệu", "Yết Kiêu", "Nguyễn Tất Thành", "Tô Hiến Thành",
    "Lý Tự Trọng", "Hùng Vương", "Nguyễn Công Trứ", "Phan Đình Phùng", "Mạc Đĩnh Chi",
)

# (name, region) of teacher-training institutions under the Bộ (a selection of the ~100 that
# train teachers).
TEACHER_TRAINING: tuple[tuple[str, str], ...] = (
    ("Trường Đại học Sư phạm Hà Nội", "north"),
    ("Trường Đại học Sư phạm Thành phố Hồ Chí Minh", "south"),
    ("Trường Đại học Sư phạm Hà Nội 2", "north"),
    ("Học viện Quản lý giáo dục", "north"),
    ("Trường Đại học Sư phạm - Đại học Huế", "central"),
    ("Trường Đại học Sư phạm - Đại học Đà Nẵng", "central"),
    ("Trường Đại học Sư phạm - Đại học Thái Nguyên", "north"),
    ("Trường Đại học Vinh", "north"),
    ("Trường Đại học Quy Nhơn", "central"),
    ("Trường Đại học Đồng Tháp", "south"),
    ("Trường Đại học Tây Bắc", "north"),
    ("Trường Đại học Hùng Vương", "north"),
    ("Trường Đại học Tây Nguyên", "central"),
    ("Trường Đại học Sài Gòn", "south"),
    ("Trường Đại học Hồng Đức", "north"),
    ("Trường Đại học Sư phạm Thể dục Thể thao Hà Nội", "north"),
    ("Trường Đại học Sư phạm Nghệ thuật Trung ương", "north"),
    ("Trường Đại học Sư phạm Kỹ thuật Thành phố Hồ Chí Minh", "south"),
    ("Trường Đại học An Giang", "south"),
    ("Trường Đại học Cần Thơ", "south"),
)
MINISTRY_NAME = "Bộ Giáo dục và Đào tạo"
MINISTRY_CODE = "BGDDT"
MOBILE_PREFIXES: tuple[str, ...] = (
    "32", "33", "34", "35", "36", "37", "38", "39", "56", "58", "70", "76", "77", "78", "79",
    "81", "82", "83", "84", "85", "86", "88", "89", "90", "91", "93", "94", "96", "97", "98",
)
# fmt: on
