"""Generate the lookup data sets no public list exists for.

    python lookup/data/generate.py

Writes ``office_contacts.json``, ``facilities.json``, ``employers.json``
and ``collection_points.json`` next to this file. The output depends only
on the seed and on ``vn_units_2024.json`` / ``office_serials.json``, so a
re-run produces byte-identical files. Every row carries ``"generated":
true``: the names of well-known hospitals are real, but codes, addresses,
phones, coordinates and flags are invented (see README.md).
"""

import json
import random
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20260808

# Approximate coordinates of each province's capital (generated rows are
# scattered around them); good enough for a map link, not for navigation.
CAPITALS = {
    "01": (21.028, 105.854), "02": (22.823, 104.984), "04": (22.666, 106.258),
    "06": (22.147, 105.835), "08": (21.823, 105.214), "10": (22.486, 103.970),
    "11": (21.386, 103.017), "12": (22.396, 103.458), "14": (21.327, 103.914),
    "15": (21.705, 104.875), "17": (20.817, 105.338), "19": (21.594, 105.848),
    "20": (21.853, 106.761), "22": (20.951, 107.080), "24": (21.273, 106.194),
    "25": (21.322, 105.402), "26": (21.309, 105.605), "27": (21.186, 106.076),
    "30": (20.940, 106.331), "31": (20.845, 106.688), "33": (20.646, 106.051),
    "34": (20.446, 106.342), "35": (20.541, 105.914), "36": (20.434, 106.177),
    "37": (20.251, 105.975), "38": (19.807, 105.776), "40": (18.679, 105.681),
    "42": (18.343, 105.906), "44": (17.468, 106.622), "45": (16.750, 107.186),
    "46": (16.463, 107.590), "48": (16.054, 108.202), "49": (15.573, 108.474),
    "51": (15.120, 108.792), "52": (13.776, 109.224), "54": (13.088, 109.093),
    "56": (12.238, 109.197), "58": (11.565, 108.988), "60": (10.928, 108.102),
    "62": (14.350, 108.000), "64": (13.983, 108.000), "66": (12.667, 108.038),
    "67": (12.004, 107.690), "68": (11.940, 108.458), "70": (11.535, 106.883),
    "72": (11.310, 106.098), "74": (10.980, 106.651), "75": (10.957, 106.843),
    "77": (10.346, 107.084), "79": (10.776, 106.700), "80": (10.536, 106.413),
    "82": (10.360, 106.360), "83": (10.241, 106.376), "84": (9.935, 106.345),
    "86": (10.254, 105.972), "87": (10.456, 105.633), "89": (10.386, 105.435),
    "91": (10.012, 105.081), "92": (10.045, 105.747), "93": (9.784, 105.470),
    "94": (9.603, 105.980), "95": (9.294, 105.727), "96": (9.177, 105.150),
}  # fmt: skip

# Landline area codes (since 2017) of the two big cities; others invented.
AREA_CODES = {"01": "024", "79": "028", "31": "0225", "48": "0236", "92": "0292"}

WORKING_HOURS = "Thứ Hai – Thứ Sáu: 7:30–11:30, 13:00–16:30"
WORKING_HOURS_SAT = "Thứ Hai – Thứ Sáu: 7:30–11:30, 13:00–16:30; sáng Thứ Bảy: 7:30–11:30"

STREETS = [
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt",
    "Quang Trung", "Hùng Vương", "Nguyễn Trãi", "Phan Đình Phùng", "Lê Duẩn",
    "Võ Thị Sáu", "Điện Biên Phủ", "Nguyễn Văn Cừ", "Trần Phú", "Bà Triệu",
    "Nguyễn Thị Minh Khai", "Lạc Long Quân", "Ngô Quyền", "Phạm Văn Đồng", "Tôn Đức Thắng",
]  # fmt: skip

# Real central hospitals (names only; the codes here are generated).
CENTRAL_HOSPITALS = {
    "01": ["Bệnh viện Bạch Mai", "Bệnh viện Hữu nghị Việt Đức", "Bệnh viện K",
           "Bệnh viện Nhi Trung ương", "Bệnh viện Trung ương Quân đội 108",
           "Bệnh viện Phụ sản Trung ương", "Bệnh viện Mắt Trung ương"],
    "79": ["Bệnh viện Chợ Rẫy", "Bệnh viện Thống Nhất", "Bệnh viện Đại học Y Dược TP.HCM",
           "Bệnh viện Nhân dân 115", "Bệnh viện Nhi Đồng 1", "Bệnh viện Từ Dũ",
           "Bệnh viện Ung Bướu TP.HCM"],
    "46": ["Bệnh viện Trung ương Huế"],
    "48": ["Bệnh viện C Đà Nẵng"],
    "19": ["Bệnh viện Trung ương Thái Nguyên"],
    "92": ["Bệnh viện Đa khoa Trung ương Cần Thơ"],
    "49": ["Bệnh viện Đa khoa Trung ương Quảng Nam"],
}  # fmt: skip
PRIVATE_CLINICS = ["Phòng khám đa khoa An Phúc", "Phòng khám đa khoa Hoàn Mỹ",
                   "Phòng khám đa khoa Medic", "Phòng khám đa khoa Thiện Nhân",
                   "Bệnh viện Đa khoa Tâm Anh", "Bệnh viện Đa khoa Hồng Đức"]  # fmt: skip

COMPANY_FORMS = ["Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV", "Doanh nghiệp tư nhân",
                 "Hợp tác xã"]  # fmt: skip
COMPANY_TRADES = ["Thương mại Dịch vụ", "Xây dựng", "May mặc", "Thực phẩm", "Vận tải",
                  "Cơ khí", "Phần mềm", "Du lịch", "Điện tử", "Nông sản", "Dệt may",
                  "Đầu tư", "Logistics", "In ấn", "Dược phẩm", "Nhựa"]  # fmt: skip
COMPANY_NAMES = ["Hoàng Long", "Minh Phát", "Thành Công", "Việt Tiến", "Phương Nam",
                 "Sao Mai", "Bình Minh", "Hưng Thịnh", "An Khang", "Đại Việt", "Tân Phú",
                 "Hòa Bình", "Kim Ngân", "Thái Sơn", "Nam Việt", "Hồng Hà", "Đông Á",
                 "Trường Sơn", "Phú Quý", "Ánh Dương"]  # fmt: skip
PERSON_NAMES = ["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Mai", "Phạm Minh Tuấn",
                "Hoàng Thị Hoa", "Võ Văn Tài", "Đặng Thị Thu", "Bùi Quang Huy",
                "Đỗ Thị Hạnh", "Huỳnh Văn Phúc"]  # fmt: skip


def short(unit_name: str) -> str:
    """ "Tỉnh An Giang" -> "An Giang", "Quận 4" stays "Quận 4"."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if unit_name.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name


def near(rng: random.Random, code: str, spread: float) -> tuple[float, float]:
    lat, lon = CAPITALS[code]
    return (
        round(lat + rng.uniform(-spread, spread), 4),
        round(lon + rng.uniform(-spread, spread), 4),
    )


def phone(rng: random.Random, province: str) -> str:
    area = AREA_CODES.get(province, f"02{rng.randrange(10, 99)}")
    digits = 11 - len(area)
    number = str(rng.randrange(10 ** (digits - 1) * 3, 10**digits))
    return f"{area} {number[:4]} {number[4:]}" if digits == 8 else f"{area} {number}"


def street_address(rng: random.Random, district: str, province: str) -> str:
    return f"Số {rng.randrange(1, 400)} {rng.choice(STREETS)}, {district}, {province}"


def office_contacts(rng, units, serials):
    rows = []
    for unit in units:
        code = unit["code"]
        lat, lon = near(rng, code, 0.01)
        first_district = unit["districts"][0]["name"]
        rows.append(
            {
                "code": "0" + code,
                "address": street_address(rng, first_district, unit["name"]),
                "phone": phone(rng, code),
                "working_hours": WORKING_HOURS_SAT if code in {"01", "79"} else WORKING_HOURS,
                "latitude": lat,
                "longitude": lon,
                "generated": True,
            }
        )
        explicit = serials.get(code, {})
        for position, district in enumerate(unit["districts"], start=1):
            lat, lon = near(rng, code, 0.25)
            rows.append(
                {
                    "code": "0" + code + explicit.get(district["code"], f"{position:02d}"),
                    "address": street_address(rng, district["name"], unit["name"]),
                    "phone": phone(rng, code),
                    "working_hours": WORKING_HOURS,
                    "latitude": lat,
                    "longitude": lon,
                    "generated": True,
                }
            )
    return rows


def _add_facility(
    rows, rng, unit, serial, facility_name, level, district, sick_leave, contract=True
):
    code = unit["code"]
    lat, lon = near(rng, code, 0.2 if district else 0.02)
    district_name = district["name"] if district else unit["districts"][0]["name"]
    rows.append(
        {
            "code": f"{code}{next(serial):03d}",
            "name": facility_name,
            "level": level,
            "address": street_address(rng, district_name, unit["name"]),
            "phone": phone(rng, code),
            "province": code,
            "district": district["code"] if district else None,
            "has_bhyt_contract": contract,
            "may_issue_sick_leave": sick_leave,
            "latitude": lat,
            "longitude": lon,
            "generated": True,
        }
    )


def facilities(rng, units):
    rows = []
    for unit in units:
        code = unit["code"]
        name = short(unit["name"])
        districts = unit["districts"]
        add = partial(_add_facility, rows, rng, unit, iter(range(1, 1000)))

        for hospital in CENTRAL_HOSPITALS.get(code, []):
            add(hospital, "central", None, True)
        kind = "thành phố" if unit["name"].startswith("Thành phố") else "tỉnh"
        add(f"Bệnh viện Đa khoa {kind} {name}", "province", None, True)
        add(f"Bệnh viện Y dược cổ truyền {kind} {name}", "province", None, True)
        add(f"Bệnh viện Sản - Nhi {kind} {name}", "province", None, True)
        for district in districts:
            add(f"Trung tâm Y tế {district['name']}", "district", district, True)
        big = code in {"01", "79", "31", "48", "92"}
        for district in rng.sample(districts, k=min(len(districts), 6 if big else 2)):
            ward = rng.randrange(1, 16)
            label = "Phường" if district["name"].startswith("Quận") else "Thị trấn"
            add(
                f"Trạm y tế {label} {ward}, {district['name']}",
                "commune",
                district,
                sick_leave=rng.random() < 0.3,
                contract=rng.random() < 0.95,
            )
        for clinic in rng.sample(PRIVATE_CLINICS, k=3 if big else 1):
            add(
                f"{clinic} {name}",
                "district",
                rng.choice(districts),
                sick_leave=rng.random() < 0.5,
                contract=rng.random() < 0.7,
            )
    return rows


def office_letters(rng: random.Random, used: set[str]) -> str:
    letters = "ABCDEGHKLMNPQRSTVXY"
    while True:
        pair = rng.choice(letters) + rng.choice(letters)
        if pair not in used:
            used.add(pair)
            return pair


def employers(rng, units, serials, count=320):
    rows = []
    offices = []
    for unit in units:
        explicit = serials.get(unit["code"], {})
        for position, district in enumerate(unit["districts"], start=1):
            offices.append(
                (
                    unit,
                    district,
                    "0" + unit["code"] + explicit.get(district["code"], f"{position:02d}"),
                )
            )
    # Big cities hold most enterprises.
    weighted = [o for o in offices for _ in range(8 if o[0]["code"] in {"01", "79"} else 1)]
    letters_by_office: dict[str, str] = {}
    used_letters: set[str] = set()
    used_codes: set[str] = set()
    tax_prefix = {"01": "01", "79": "03"}
    for _i in range(count):
        unit, district, office_code = rng.choice(weighted)
        if office_code not in letters_by_office:
            letters_by_office[office_code] = office_letters(rng, used_letters)
        while True:
            code = (
                letters_by_office[office_code]
                + f"{rng.randrange(1, 10000):04d}"
                + rng.choice("ABCDEFGHKLMNPQRSTUVXYZ")
            )
            if code not in used_codes:
                used_codes.add(code)
                break
        tax = tax_prefix.get(unit["code"], f"{rng.randrange(2, 60):02d}") + "".join(
            str(rng.randrange(10)) for _d in range(8)
        )
        if rng.random() < 0.12:
            tax += f"{rng.randrange(1, 20):03d}"  # a branch: 13 digits
        status = rng.choices(["paying", "suspended", "closed"], weights=[80, 12, 8])[0]
        rows.append(
            {
                "code": code,
                "tax_code": tax,
                "name": f"{rng.choice(COMPANY_FORMS)} {rng.choice(COMPANY_TRADES)} "
                f"{rng.choice(COMPANY_NAMES)}",
                "address": street_address(rng, district["name"], unit["name"]),
                "office": office_code,
                "status": status,
                "generated": True,
            }
        )
    rows.sort(key=lambda row: row["code"])
    return rows


def collection_points(rng, units):
    rows = []
    for unit in units:
        code = unit["code"]
        big = code in {"01", "79"}
        serial = iter(range(1, 10000))
        districts = unit["districts"] if big else rng.sample(unit["districts"], k=2)
        for district in districts:
            points = [("post_office", f"Bưu điện {district['name']}")]
            ward = rng.randrange(1, 16)
            label = "Phường" if district["name"].startswith("Quận") else "Xã"
            if big or rng.random() < 0.5:
                points.append(("commune", f"UBND {label} {ward}, {district['name']}"))
            if big:
                points.append(
                    ("post_office", f"Bưu điện văn hóa {label.lower()} {rng.randrange(1, 16)}")
                )
            points.append(("agent", f"Đại lý thu BHXH, BHYT {rng.choice(PERSON_NAMES)}"))
            for kind, name in points:
                lat, lon = near(rng, code, 0.2)
                rows.append(
                    {
                        "code": f"DT{code}{next(serial):04d}",
                        "name": name,
                        "kind": kind,
                        "address": street_address(rng, district["name"], unit["name"]),
                        "phone": phone(rng, code)
                        if kind != "agent"
                        else "09" + "".join(str(rng.randrange(10)) for _d in range(8)),
                        "province": code,
                        "district": district["code"],
                        "collects_voluntary_bhxh": kind != "commune" or rng.random() < 0.5,
                        "collects_household_bhyt": True,
                        "latitude": lat,
                        "longitude": lon,
                        "generated": True,
                    }
                )
    return rows


def write(name: str, rows: list[dict]) -> None:
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    # One row per line: small diffs, still compact.
    text = text.replace("},{", "},\n{")
    (HERE / name).write_text(text + "\n", encoding="utf-8")
    print(f"{name}: {len(rows)} rows, {len(text.encode()) // 1024} KiB")


def main() -> None:
    units = json.loads((HERE / "vn_units_2024.json").read_text(encoding="utf-8"))
    serials = json.loads((HERE / "office_serials.json").read_text(encoding="utf-8"))
    # One generator per file, so that changing one set leaves the others as they are.
    write("office_contacts.json", office_contacts(random.Random(SEED), units, serials))
    write("facilities.json", facilities(random.Random(SEED + 1), units))
    write("employers.json", employers(random.Random(SEED + 2), units, serials))
    write("collection_points.json", collection_points(random.Random(SEED + 3), units))


if __name__ == "__main__":
    main()
