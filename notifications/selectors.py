"""Read side of the outbox and of the message centre."""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from vssid_portal.validators import normalize_phone

from .models import InboxEntry, Message
from .rendering import inbox_render

logger = logging.getLogger(__name__)


def recipient_normalize(value: str) -> str:
    """A phone number as stored (E.164), or the e-mail address as typed."""
    value = value.strip()
    if "@" in value:
        return value
    try:
        return normalize_phone(value)
    except ValidationError:
        return value


def message_list(*, recipient: str | None = None) -> QuerySet[Message]:
    """Messages newest first, optionally for one phone number or e-mail address."""
    messages = Message.objects.order_by("-created_at", "-id")
    if recipient:
        messages = messages.filter(recipient__iexact=recipient_normalize(recipient))
    return messages


# MESSAGE CENTRE ----------------------------------------------------------------
def inbox_unread_cache_key(user_id: int) -> str:
    """The cache key holding ``user_id``'s unread count (an int), for batched reads.

    Dropped after the commit of every new, read or marked-all entry the
    account sees; ``NOTIFICATIONS_INBOX_UNREAD_CACHE_SECONDS`` bounds how
    long a count drawn just before such a commit may be shown.
    """
    return f"inbox:unread:{user_id}"


def inbox_visible_filter(viewer_or_id) -> Q:
    """The entries an account sees: its own, and those of its children's accounts.

    A child's SMS reach the guardian's phone (``account_sms_phone``), so the
    guardian reads the notices they point to without a second sign-in.
    Written as one ``IN (SELECT …)`` on the accounts, which PostgreSQL turns
    into index scans of the entries of each account.
    """
    viewer_id = getattr(viewer_or_id, "pk", viewer_or_id)
    if viewer_id is None:
        return Q(pk__in=[])
    accounts = get_user_model().objects.filter(
        Q(pk=viewer_id) | Q(guardian_id=viewer_id, is_active=True, is_staff=False)
    )
    return Q(user_id__in=accounts.values("pk"))


def inbox_unread_count(*, user_id: int) -> int:
    """Unread entries the account sees: one cache read, a COUNT on a miss."""
    key = inbox_unread_cache_key(user_id)
    try:
        cached = cache.get(key)
    except Exception as exc:  # the cache is down: count, never fail the page
        logger.warning("inbox.cache_read_failed error=%s", type(exc).__name__)
        cached = None
    if cached is not None:
        return int(cached)
    count = InboxEntry.objects.filter(inbox_visible_filter(user_id), read_at__isnull=True).count()
    try:
        cache.set(key, count, settings.NOTIFICATIONS_INBOX_UNREAD_CACHE_SECONDS)
    except Exception as exc:
        logger.warning("inbox.cache_write_failed error=%s", type(exc).__name__)
    return count


def inbox_entries(*, viewer) -> QuerySet[InboxEntry]:
    """The viewer's entries, newest first, with their accounts."""
    return (
        InboxEntry.objects.filter(inbox_visible_filter(viewer))
        .select_related("user")
        .order_by("-created_at", "-id")
    )


def inbox_entry_for_viewer(*, viewer, entry_id: int) -> InboxEntry | None:
    """One entry if the viewer may read it, else None (the caller answers 404)."""
    return inbox_entries(viewer=viewer).filter(pk=entry_id).first()


@dataclass(frozen=True)
class InboxItem:
    """An entry as its reader sees it."""

    entry: InboxEntry
    title: str
    body: str
    link: str
    child: object | None  # the child's account, when a guardian reads it

    @property
    def pk(self) -> int:
        return self.entry.pk

    @property
    def read(self) -> bool:
        return self.entry.read_at is not None


def _link_for_viewer(entry: InboxEntry, viewer) -> str:
    """The entry's page as the viewer opens it.

    Links are written for the account the notice is about. A guardian reading
    a child's notice opens the child's records page instead of their own
    (``insurance:card`` → ``insurance:child-card``) and the tờ khai they
    filed; pages of the child's own account (password, devices) are not
    the guardian's to open, so they get no link.
    """
    if not entry.link or entry.user_id == viewer.pk:
        return entry.link
    try:
        match = resolve(entry.link)
    except Resolver404:
        return ""
    if match.namespace == "citizen_declarations":
        return entry.link
    if match.namespace == "insurance" and not match.url_name.startswith("child-"):
        try:
            return reverse(
                f"insurance:child-{match.url_name}",
                kwargs={**match.kwargs, "child_id": entry.user_id},
            )
        except NoReverseMatch:
            return ""
    return ""


def inbox_item(*, entry: InboxEntry, viewer) -> InboxItem:
    """Render one entry for ``viewer`` in the active language."""
    text = inbox_render(kind=entry.kind, context=entry.context)
    return InboxItem(
        entry=entry,
        title=text.title,
        body=text.body,
        link=_link_for_viewer(entry, viewer),
        child=entry.user if entry.user_id != viewer.pk else None,
    )
