"""Loading reference data (provinces, districts, BHXH offices)."""

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import District, Office, Province

DATA_DIR = Path(__file__).resolve().parent / "data"

_PREFIXES = [
    ("Thành phố ", "Tp. "),
    ("Tỉnh ", "tỉnh "),
    ("Huyện ", "huyện "),
    ("Thị xã ", "thị xã "),
]


def office_name_for(unit_name: str) -> str:
    """ "Thành phố Hồ Chí Minh" -> "BHXH Tp. Hồ Chí Minh", "Tỉnh An Giang" -> "BHXH tỉnh An Giang"."""
    for long, short in _PREFIXES:
        if unit_name.startswith(long):
            return "BHXH " + short + unit_name[len(long) :]
    return "BHXH " + unit_name


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1


def _upsert(model, lookup: dict, values: dict, result: LoadResult):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        result.count(created=True, changed=False)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    result.count(created=False, changed=bool(changed))
    return obj


@transaction.atomic
def reference_data_load() -> dict[str, LoadResult]:
    """Create or update provinces, districts and BHXH offices; safe to re-run."""
    units = json.loads((DATA_DIR / "vn_units_2024.json").read_text(encoding="utf-8"))
    serials = json.loads((DATA_DIR / "office_serials.json").read_text(encoding="utf-8"))
    results = {"provinces": LoadResult(), "districts": LoadResult(), "offices": LoadResult()}
    for unit in units:
        province = _upsert(
            Province, {"code": unit["code"]}, {"name": unit["name"]}, results["provinces"]
        )
        province_office = _upsert(
            Office,
            {"code": "0" + province.code},
            {
                "name": office_name_for(unit["name"]),
                "level": Office.Level.PROVINCE,
                "parent": None,
                "province": province,
                "district": None,
            },
            results["offices"],
        )
        explicit = serials.get(province.code, {})
        for position, item in enumerate(unit["districts"], start=1):
            district = _upsert(
                District,
                {"code": item["code"]},
                {"name": item["name"], "province": province},
                results["districts"],
            )
            serial = explicit.get(district.code, f"{position:02d}")
            _upsert(
                Office,
                {"code": province_office.code + serial},
                {
                    "name": office_name_for(item["name"]),
                    "level": Office.Level.DISTRICT,
                    "parent": province_office,
                    "province": province,
                    "district": district,
                },
                results["offices"],
            )
    return results
