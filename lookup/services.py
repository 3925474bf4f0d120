"""Loading reference data: provinces, districts, BHXH offices and the
data sets of the lookups (facilities, employer units, collection points)."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from vssid_portal.ratelimit import rate_limit
from vssid_portal.text import fold
from vssid_portal.validators import normalize_id_number

from . import selectors
from .models import (
    CollectionPoint,
    District,
    EmployerUnit,
    MedicalFacility,
    Office,
    Province,
    PublicHoliday,
    SearchableModel,
)
from .selectors import person_candidates

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


def _read(name: str):
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _coordinate(value) -> Decimal | None:
    # Through str(): the JSON float 10.1 must compare equal to the stored
    # Decimal("10.100000") so that a re-run reports the row unchanged.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))


def _office_contact_values(contact: dict | None) -> dict:
    if contact is None:
        return {}
    return {
        "address": contact["address"],
        "phone": contact["phone"],
        "working_hours": contact["working_hours"],
        "latitude": _coordinate(contact.get("latitude")),
        "longitude": _coordinate(contact.get("longitude")),
        "contact_generated": bool(contact.get("generated")),
    }


def _sync(model: type[SearchableModel], rows: list[dict], result: LoadResult) -> None:
    """Create or update ``model`` rows keyed by ``code``, in bulk.

    ``bulk_create``/``bulk_update`` skip ``save()``, so the search column is
    rebuilt here explicitly for every row written.
    """
    existing = {obj.code: obj for obj in model.objects.all()}
    to_create, to_update, changed_fields = [], [], set()
    for row in rows:
        obj = existing.get(row["code"])
        if obj is None:
            obj = model(**row)
            obj.refresh_search_text()
            to_create.append(obj)
            result.count(created=True, changed=False)
            continue
        changed = [name for name, value in row.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, row[name])
        if changed:
            obj.refresh_search_text()
            to_update.append(obj)
            changed_fields.update(changed)
        result.count(created=False, changed=bool(changed))
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(
            to_update, [*sorted(changed_fields), "search_text"], batch_size=500
        )


def _fk_ids(row: dict, **mapping: str) -> dict:
    """Rename foreign-key code columns to ``<field>_id`` (``province`` -> ``province_id``)."""
    out = dict(row)
    for field, column in mapping.items():
        out[column] = out.pop(field)
    return out


# Levels where a BHYT participant may register for initial care (KCB ban
# đầu): commune, district and provincial facilities with a BHYT contract.
# Central hospitals take initial registrations only for a few groups, so the
# reference data marks them as not accepting; an administrator may change a
# facility in the admin, and a data set may say so itself.
INITIAL_REGISTRATION_LEVELS = {"commune", "district", "province"}


def accepts_initial_registration_default(*, level: str, has_bhyt_contract: bool) -> bool:
    return bool(has_bhyt_contract) and level in INITIAL_REGISTRATION_LEVELS


def _facility_rows() -> list[dict]:
    rows = []
    for row in _read("facilities.json"):
        row.setdefault(
            "accepts_initial_registration",
            accepts_initial_registration_default(
                level=row["level"], has_bhyt_contract=row["has_bhyt_contract"]
            ),
        )
        row = _fk_ids(row, province="province_id", district="district_id", generated="is_generated")
        row["latitude"] = _coordinate(row["latitude"])
        row["longitude"] = _coordinate(row["longitude"])
        rows.append(row)
    return rows


def _employer_rows() -> list[dict]:
    office_ids = dict(Office.objects.values_list("code", "pk"))
    rows = []
    for row in _read("employers.json"):
        row = _fk_ids(row, generated="is_generated")
        row["office_id"] = office_ids[row.pop("office")]
        rows.append(row)
    return rows


def _collection_point_rows() -> list[dict]:
    rows = []
    for row in _read("collection_points.json"):
        row = _fk_ids(row, province="province_id", district="district_id", generated="is_generated")
        row["latitude"] = _coordinate(row["latitude"])
        row["longitude"] = _coordinate(row["longitude"])
        rows.append(row)
    return rows


@transaction.atomic
def reference_data_load() -> dict[str, LoadResult]:
    """Create or update provinces, districts, BHXH offices (with contacts),
    medical facilities, employer units and collection points; safe to re-run."""
    units = _read("vn_units_2024.json")
    serials = _read("office_serials.json")
    contacts = {row["code"]: row for row in _read("office_contacts.json")}
    results = {
        "provinces": LoadResult(),
        "districts": LoadResult(),
        "offices": LoadResult(),
        "facilities": LoadResult(),
        "employers": LoadResult(),
        "collection_points": LoadResult(),
        "holidays": LoadResult(),
    }
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
                **_office_contact_values(contacts.get("0" + province.code)),
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
            code = province_office.code + serial
            _upsert(
                Office,
                {"code": code},
                {
                    "name": office_name_for(item["name"]),
                    "level": Office.Level.DISTRICT,
                    "parent": province_office,
                    "province": province,
                    "district": district,
                    **_office_contact_values(contacts.get(code)),
                },
                results["offices"],
            )
    _sync(MedicalFacility, _facility_rows(), results["facilities"])
    _sync(EmployerUnit, _employer_rows(), results["employers"])
    _sync(CollectionPoint, _collection_point_rows(), results["collection_points"])
    for day in _read("holidays.json")["days"]:
        _upsert(
            PublicHoliday,
            {"date": date.fromisoformat(day["date"])},
            {"name": day["name"]},
            results["holidays"],
        )
    selectors.reference_data_changed()  # bulk writes send no signals
    return results


# MÃ SỐ BHXH LOOKUP -----------------------------------------------------------
INSURANCE_LOOKUP_LIMIT = 10
INSURANCE_LOOKUP_WINDOW = 60


class InsuranceLookupOutcome(models.TextChoices):
    FOUND = "found", _("Đã tìm thấy")
    NOT_FOUND = "not_found", _("Không tìm thấy")
    AMBIGUOUS = "ambiguous", _("Cần thêm thông tin")


@dataclass(frozen=True)
class InsuranceNumberMatch:
    """What the public may see of a person: nothing that identifies more."""

    insurance_number: str
    full_name: str
    masked_date_of_birth: str
    office_code: str
    office_name: str


@dataclass(frozen=True)
class InsuranceLookupResult:
    outcome: str
    match: InsuranceNumberMatch | None = None


def mask_date_of_birth(value: date) -> str:
    """15/05/1990 -> "**/**/1990": the year confirms, the day and month stay private."""
    return f"**/**/{value.year}"


def insurance_lookup_rate_limit(*, client_ip: str) -> None:
    """Count one attempt (also a wrong captcha) from ``client_ip``; raise ``RateLimited``."""
    rate_limit(
        scope="lookup-insurance-number",
        key=client_ip or "unknown",
        limit=INSURANCE_LOOKUP_LIMIT,
        window=INSURANCE_LOOKUP_WINDOW,
    )


def insurance_number_lookup(
    *,
    full_name: str,
    date_of_birth: date,
    province_code: str,
    id_number: str = "",
    parent_name: str = "",
) -> InsuranceLookupResult:
    """Find the mã số BHXH of one person from what they know about themselves.

    Name (diacritics and case ignored), birth date and province must match,
    plus the ID number or the parent's name (both, when both are given).
    Several matches are not listed: the caller asks for more detail, so the
    lookup cannot be used to browse strangers sharing a name.
    """
    if not id_number and not parent_name:
        raise ValueError("an ID number or a parent's name is required")
    candidates = person_candidates(
        full_name=full_name,
        date_of_birth=date_of_birth,
        province_code=province_code,
        id_number=normalize_id_number(id_number) if id_number else "",
    )
    if parent_name:
        wanted = fold(parent_name)
        candidates = [p for p in candidates if p.parent_name and fold(p.parent_name) == wanted]
    if not candidates:
        return InsuranceLookupResult(outcome=InsuranceLookupOutcome.NOT_FOUND)
    if len(candidates) > 1:
        return InsuranceLookupResult(outcome=InsuranceLookupOutcome.AMBIGUOUS)
    person = candidates[0]
    return InsuranceLookupResult(
        outcome=InsuranceLookupOutcome.FOUND,
        match=InsuranceNumberMatch(
            insurance_number=person.insurance_number,
            full_name=person.full_name,
            masked_date_of_birth=mask_date_of_birth(person.date_of_birth),
            office_code=person.office.code if person.office else "",
            office_name=person.office.name if person.office else "",
        ),
    )
