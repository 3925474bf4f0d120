"""Per-viewer caches of the rendered records pages and the records API.

A citizen opens the card again and again (at the clinic, on each visit to
the app); the registry rows behind it change when an import or a clerk
changes them, a few times a year. What is stored is one person's records as
one account sees them, so the key holds:

- the registry generation, which any change to the registry replaces (a
  save or delete through the ORM, an import batch that wrote rows, the demo
  seed, the bench generator), so no entry outlives the rows it was drawn
  from;
- the viewing account and the person (own records, or a guardian's view of
  a child, whose links differ): an entry is never served to another account;
- the language and the day (card validity and "days left" depend on it);
- for the API, the full URL (query string, page, host of the links).

Only the registry part of a page is stored. The layout, navigation, the
children switcher, messages, the CSRF token and the CSP nonce are rendered
on every request.

``settings.RECORDS_CACHE_SECONDS`` (5 minutes; ``0`` turns the cache off)
bounds how long an entry lives even if a change reached the database by a
path that starts no new generation, or (with a read replica) a page was drawn
from the replica within its lag after the change.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from rest_framework.response import Response

from vssid_portal.cache_generation import generation, new_generation

GENERATION_KEY = "insurance:records-generation"


def registry_generation() -> str:
    """A token that changes whenever any registry row changes."""
    return generation(GENERATION_KEY)


def registry_changed() -> None:
    """Start a new generation: every cached records page is drawn again."""
    new_generation(GENERATION_KEY)


def registry_changed_on_commit(*, using: str | None = None, **kwargs) -> None:
    """After the current transaction commits (at once outside one).

    Not before: a page drawn between the change and the commit would read
    the old rows and keep them under the new generation.
    """
    transaction.on_commit(registry_changed, using=using)


def records_key(kind: str, *, owner, viewer, extra: str = "") -> str:
    parts = (
        kind,
        str(viewer.pk),
        str(owner.person.pk),
        str(owner.child_id or ""),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        extra,
    )
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"insurance:records:{registry_generation()}:{digest}"


def cached_section(name: str, *, owner, viewer, render: Callable[[], str]) -> SafeString:
    """The rendered registry part of a records page, drawn at most once per generation."""
    if settings.RECORDS_CACHE_SECONDS <= 0:
        return render()
    key = records_key(f"page:{name}", owner=owner, viewer=viewer)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, str(html), settings.RECORDS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by our own templates, escaped there


def cached_api_response(get):
    """Decorate a records API ``get``: its 200 answer's data is kept per viewer and URL."""

    @wraps(get)
    def wrapper(view, request, *args, **kwargs):
        from .access import records_owner

        if settings.RECORDS_CACHE_SECONDS <= 0:
            return get(view, request, *args, **kwargs)
        owner = records_owner(request, child_id=kwargs.get("child_id"))
        key = records_key(
            f"api:{type(view).__name__}",
            owner=owner,
            viewer=request.user,
            extra=request.build_absolute_uri(),
        )
        data = cache.get(key)
        if data is not None:
            return Response(data)
        response = get(view, request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, response.data, settings.RECORDS_CACHE_SECONDS)
        return response

    return wrapper
