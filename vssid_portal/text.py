"""Text helpers for Vietnamese names and search.

Citizens type names with or without diacritics, in NFC or NFD (macOS and
some Android keyboards send decomposed text), with stray spaces. Two forms
are used across the portal:

- ``normalize_name`` keeps the diacritics: it is what a name is compared
  with when it must match the registry ("Nguyễn" is not "Nguyên").
- ``fold`` removes them: it is what search compares, so "nguyen van a"
  finds "Nguyễn Văn A".
"""

import secrets
import unicodedata

# Upper-case letters and digits without 0/O, 1/I/L and U: a code made of
# these can be read out over the phone and typed back without doubt.
READABLE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def readable_random(length: int) -> str:
    """``length`` characters of ``READABLE_ALPHABET`` from ``secrets`` (~4.9 bits each)."""
    return "".join(secrets.choice(READABLE_ALPHABET) for _i in range(length))


def collapse_spaces(value: str) -> str:
    return " ".join(value.split())


def normalize_name(value: str) -> str:
    """NFC, case-folded, single-spaced: equal for the same name however typed."""
    return collapse_spaces(unicodedata.normalize("NFC", value)).casefold()


def fold(value: str) -> str:
    """Lower-case ASCII-ish form without diacritics, for search."""
    decomposed = unicodedata.normalize("NFD", value.casefold())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    # "đ" is a letter of its own, not a "d" with a combining mark.
    return collapse_spaces(stripped.replace("đ", "d"))
