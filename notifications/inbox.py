"""Write side of the message centre: every notice kept in the account.

``message_queue`` calls ``inbox_notice_record`` for every outbox row, so a
business action that queues a notice needs to do nothing more for it to
appear under /ca-nhan/thong-bao/. A notice is kept when

- its template has an inbox text (``notifications/inbox/<key>.txt`` and
  ``.subject.txt``, in any app's ``templates/``); OTPs and the copies of a
  tờ khai sent as PDF have none: they are not notices;
- what it is ``about`` has an owner account: a user is its own owner, other
  models register a resolver (``inbox_owner_resolver_register``, e.g. a
  declaration → the account of its mã số, or the guardian who filed it).

One notice is ONE entry, however many channels carry it: the channels of a
notice are queued in the business transaction, so within one transaction
the same template about the same object for the same account is the same
notice. The transaction's entries are remembered on an ``on_commit``
callback (discarded with a rolled-back savepoint, like the rows), which
also drops the readers' cached unread counts once the entry is visible.
"""

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch
from django.utils import timezone

from .models import InboxEntry
from .rendering import template_render
from .selectors import inbox_unread_cache_key, inbox_visible_filter

logger = logging.getLogger(__name__)

INBOX_TEMPLATES = "notifications/inbox"

# model label ("declarations.declaration") → the account a notice about such
# an object belongs to, or None.
_owner_resolvers: dict[str, Callable[[models.Model], models.Model | None]] = {}


def inbox_owner_resolver_register(
    model_label: str, resolver: Callable[[models.Model], models.Model | None]
) -> None:
    """Let notices about ``model_label`` objects reach an account's message centre.

    Called from an app's ``AppConfig.ready``; ``resolver(obj)`` returns the
    account (or None) and may query.
    """
    _owner_resolvers[model_label.lower()] = resolver


def inbox_owner(about: models.Model | None):
    """The account whose message centre keeps a notice about ``about``."""
    if about is None:
        return None
    if isinstance(about, get_user_model()):
        return about
    resolver = _owner_resolvers.get(about._meta.label_lower)
    return resolver(about) if resolver is not None else None


@lru_cache(maxsize=256)
def inbox_template_exists(template: str) -> bool:
    """Whether the notice ``template`` has an inbox text (cached per process)."""
    try:
        get_template(f"{INBOX_TEMPLATES}/{template}.txt")
        get_template(f"{INBOX_TEMPLATES}/{template}.subject.txt")
    except TemplateDoesNotExist:
        return False
    return True


def inbox_context_clean(context: dict, *, sensitive: Iterable[str] = ()) -> dict:
    """What may be kept of a notice's context: no sensitive value, JSON only.

    Dates become the d/m/Y text the portal shows in both languages.
    """
    hidden = set(sensitive) | {"inbox_url"}
    cleaned: dict = {}
    for key, value in context.items():
        if key in hidden:
            continue
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
        elif isinstance(value, dt.date):
            value = value.strftime("%d/%m/%Y")
        elif value is not None and not isinstance(value, bool | int | float | str):
            value = str(value)
        cleaned[key] = value
    return cleaned


def _link_render(template: str, context: dict) -> str:
    """The page the notice points to (``<key>.link.txt``), or ''."""
    name = f"{INBOX_TEMPLATES}/{template}.link.txt"
    try:
        return template_render(name, context, autoescape=False).strip()
    except TemplateDoesNotExist:
        return ""
    except NoReverseMatch:
        # A context without the value the page needs (e.g. no reference
        # code): the notice is kept without a link rather than refused.
        logger.warning("inbox.link_failed kind=%s", template)
        return ""


class _Pending:
    """The entries a transaction created, and whose counts to drop after commit.

    Registered with ``transaction.on_commit``: Django forgets it when the
    savepoint it was registered in rolls back (with the entries), runs it
    at commit. Entries are only ever added to the callback registered at
    the current savepoint, so every entry listed by a callback still
    registered exists.
    """

    def __init__(self) -> None:
        self.entries: dict[tuple, InboxEntry] = {}
        self.user_ids: set[int] = set()
        self.done = False
        self.__qualname__ = "inbox_pending_commit"

    def __call__(self) -> None:
        self.done = True
        inbox_unread_forget(user_ids=self.user_ids)


def _pending_all() -> list[_Pending]:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return []
    return [
        func
        for _sids, func, _robust in connection.run_on_commit
        if isinstance(func, _Pending) and not func.done
    ]


def _pending_here() -> _Pending:
    """The callback of the current savepoint, registered on first use."""
    connection = transaction.get_connection()
    savepoints = set(connection.savepoint_ids)
    for sids, func, _robust in connection.run_on_commit:
        if isinstance(func, _Pending) and not func.done and sids == savepoints:
            return func
    pending = _Pending()
    transaction.on_commit(pending, robust=True)
    return pending


def inbox_notice_record(
    *,
    template: str,
    about: models.Model | None,
    context: dict,
    sensitive: Iterable[str] = (),
) -> InboxEntry | None:
    """The entry that keeps this notice in its owner's message centre.

    Called by ``message_queue`` for each channel of a notice, inside the
    business transaction; returns the entry already made in this
    transaction for the same notice (its context completed with what this
    channel adds), a new one, or None when the notice is not kept.
    """
    if about is None or not inbox_template_exists(template):
        return None
    owner = inbox_owner(about)
    if owner is None:
        return None
    cleaned = inbox_context_clean(context, sensitive=sensitive)
    key = (owner.pk, template, about._meta.label_lower, str(about.pk))
    for pending in _pending_all():
        entry = pending.entries.get(key)
        if entry is not None:
            if not cleaned.items() <= entry.context.items():
                entry.context = {**cleaned, **entry.context}
                entry.save(update_fields=["context"])
            return entry
    full = {"site_url": settings.SITE_URL, **cleaned}
    entry = InboxEntry.objects.create(
        user=owner, kind=template, context=cleaned, link=_link_render(template, full)[:300]
    )
    user_ids = {owner.pk} | ({owner.guardian_id} if getattr(owner, "guardian_id", None) else set())
    if transaction.get_connection().in_atomic_block:
        pending = _pending_here()
        pending.entries[key] = entry
        pending.user_ids |= user_ids
    else:
        inbox_unread_forget(user_ids=user_ids)
    logger.info("inbox.recorded id=%s kind=%s user=%s", entry.pk, template, owner.pk)
    return entry


def inbox_unread_forget(*, user_ids: Iterable[int]) -> None:
    """Drop the cached unread counts (the next read counts again)."""
    keys = [inbox_unread_cache_key(user_id) for user_id in set(user_ids)]
    if not keys:
        return
    try:
        cache.delete_many(keys)
    except Exception as exc:  # the cache is down: its entries expire on their own
        logger.warning("inbox.cache_forget_failed error=%s", type(exc).__name__)


def _readers(entries) -> set[int]:
    """Whose counts change when these entries are read: owners and their guardians."""
    ids: set[int] = set()
    for user_id, guardian_id in entries.values_list("user_id", "user__guardian_id"):
        ids.add(user_id)
        if guardian_id:
            ids.add(guardian_id)
    return ids


@transaction.atomic
def inbox_entry_mark_read(*, entry: InboxEntry) -> InboxEntry:
    """Mark an entry read (once; reading it again changes nothing)."""
    if entry.read_at is not None:
        return entry
    now = timezone.now()
    rows = InboxEntry.objects.filter(pk=entry.pk, read_at__isnull=True)
    readers = _readers(rows)
    if rows.update(read_at=now):
        entry.read_at = now
        transaction.on_commit(lambda: inbox_unread_forget(user_ids=readers), robust=True)
    return entry


@transaction.atomic
def inbox_mark_all_read(*, viewer) -> int:
    """ "Đánh dấu tất cả là đã đọc": every unread entry the viewer sees; how many."""
    rows = InboxEntry.objects.filter(inbox_visible_filter(viewer), read_at__isnull=True)
    readers = _readers(rows) | {viewer.pk}
    count = rows.update(read_at=timezone.now())
    transaction.on_commit(lambda: inbox_unread_forget(user_ids=readers), robust=True)
    logger.info("inbox.read_all user=%s count=%s", viewer.pk, count)
    return count
