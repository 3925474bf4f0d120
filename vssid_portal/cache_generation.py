"""A token in the cache that starts a new generation of cached entries.

Cached entries put the current token in their keys; replacing the token
makes every older entry unreachable at once (it then expires on its own).
"""

import uuid

from django.core.cache import cache


def generation(key: str) -> str:
    """The current token under ``key`` (created on first use, kept until replaced)."""
    return cache.get_or_set(key, lambda: uuid.uuid4().hex, None)


def new_generation(key: str) -> None:
    """Replace the token: entries keyed by the old one are no longer read."""
    cache.set(key, uuid.uuid4().hex, None)
