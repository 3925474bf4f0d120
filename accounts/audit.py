"""The account's audit and transparency log: who did what, and who looked.

``account_event_record`` writes what happened to an account (sign-in, lock,
password, contact, second factor); ``record_access_log`` is the one door
for every staff or admin view that opens a citizen's declaration, account
or registry record. Both tables are append-only (their models refuse
updates and deletes); ``account_log_purge`` removes rows past the 5-year
retention, in bulk, from the beat task.
"""

import hashlib
import ipaddress
import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vssid_portal.ratelimit import client_ip

from .models import AccountEvent, RecordAccess, User


def account_event_record(
    *,
    user: User,
    action: str,
    actor: User | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AccountEvent:
    """Write one audit row; never put a password, OTP or token in ``detail``."""
    return AccountEvent.objects.create(
        user=user, actor=actor, action=action, ip=ip or None, detail=detail or {}
    )


def staff_snapshot(actor: User) -> dict[str, Any]:
    profile = getattr(actor, "staff_profile", None)
    office = profile.office if profile is not None else None
    return {
        "role": RecordAccess.Role.ADMIN if actor.is_superuser else RecordAccess.Role.CLERK,
        "office_id": office.pk if office else None,
        "office": office.name if office else "",
    }


def _channel(path: str) -> str:
    if path.startswith("/admin/"):
        return RecordAccess.Channel.ADMIN
    if path.startswith("/api/"):
        return RecordAccess.Channel.STAFF_API
    return RecordAccess.Channel.STAFF_PAGES


def record_access_log(
    *,
    request,
    subject: str,
    declaration=None,
    insurance_number: str = "",
    reference: str = "",
) -> RecordAccess | None:
    """Record that the signed-in clerk or administrator opened a citizen's
    declaration, account or registry record; nothing for anyone else.

    Called from the staff pages, the staff API, the private image and PDF
    views and Django admin, one line each; ``declaration=`` fills the mã số
    and the reference code (``subject`` "declaration_image:portrait" adds
    which image). The row keeps the actor for the
    audit; the citizen's log shows office and role only (unless
    ``TRANSPARENCY_LOG_SHOWS_STAFF_NAMES``).
    """
    actor = getattr(request, "user", None)
    if actor is None or not actor.is_authenticated or not actor.is_staff:
        return None
    subject, _sep, part = subject.partition(":")  # "declaration_image:portrait"
    if declaration is not None:
        insurance_number = declaration.insurance_number
        reference = declaration.reference_code + (f" · {part}" if part else "")
    if not insurance_number:
        return None
    snapshot = staff_snapshot(actor)
    return RecordAccess.objects.create(
        insurance_number=insurance_number,
        actor=actor,
        role=snapshot["role"],
        office_id=snapshot["office_id"],
        subject=subject,
        reference=(reference or "")[:40],
        channel=_channel(request.path),
        ip=client_ip(request) or None,
    )


# DEVICES AND PLACES ----------------------------------------------------------
# (pattern, name), first match wins: the order matters (Edge and Opera say
# "Chrome" too, Chrome says "Safari").
_BROWSERS = [
    (r"coc_coc_browser", "Cốc Cốc"),
    (r"Zalo", "Zalo"),
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser", "Samsung Internet"),
    (r"Firefox/|FxiOS", "Firefox"),
    (r"CriOS|Chrome/|Chromium/", "Chrome"),
    (r"Safari/", "Safari"),
    (r"okhttp|Dalvik|CFNetwork|VssID", _("Ứng dụng di động")),
]
_SYSTEMS = [
    (r"Android", "Android"),
    (r"iPhone|iPad|iPod|iOS", "iOS"),
    (r"Windows", "Windows"),
    (r"CrOS", "ChromeOS"),
    (r"Mac OS X|Macintosh", "macOS"),
    (r"Linux", "Linux"),
]


def device_label(user_agent: str) -> str:
    """A short readable name of the device from its user agent: "Chrome ·
    Android". Kept at sign-in; the raw user agent is not shown."""
    user_agent = user_agent or ""
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent)), "")
    parts = [str(part) for part in (browser, system) if part]
    return " · ".join(parts) if parts else str(_("Thiết bị không xác định"))


def network_label(ip: str | None) -> str:
    """The approximate place of an address from the address alone: its /24
    (IPv4) or /48 (IPv6) network, or "mạng nội bộ" for private ranges. No
    GeoIP database and no outside lookup."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_private or address.is_link_local:
        return str(_("mạng nội bộ"))
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def device_ref(device_id: str) -> str:
    """A short digest of a device id: enough to recognise a device again,
    useless to sign in with."""
    return hashlib.sha256(f"device:{device_id}".encode()).hexdigest()[:16] if device_id else ""


def account_sign_in_record(
    *, user: User, request, device_id: str, method: str = "password"
) -> AccountEvent:
    """The sign-in row of the citizen's log: time, device, network, whether
    the device is new to the account, and how (password, passkey)."""
    ref = device_ref(device_id)
    known = bool(ref) and (
        AccountEvent.objects.filter(
            user=user, action=AccountEvent.Action.SIGN_IN, detail__device_ref=ref
        ).exists()
    )
    return account_event_record(
        user=user,
        actor=user,
        action=AccountEvent.Action.SIGN_IN,
        ip=client_ip(request),
        detail={
            "device": device_label(request.META.get("HTTP_USER_AGENT", "")),
            "device_ref": ref,
            "new_device": not known,
            "method": method,
        },
    )


# RETENTION -------------------------------------------------------------------
def account_log_purge(*, now=None) -> int:
    """Remove log rows older than ``ACCOUNT_LOG_RETENTION_DAYS`` (5 years).

    Bulk deletes bypass the models' refusal to delete one row: this is the
    only way rows leave the log.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACCOUNT_LOG_RETENTION_DAYS)
    with transaction.atomic():
        removed, _detail = AccountEvent.objects.filter(created_at__lt=cutoff).delete()
        accessed, _detail = RecordAccess.objects.filter(created_at__lt=cutoff).delete()
    return removed + accessed
