"""Read side of the lookups: searches, filters, suggestions, choice lists.

Every search folds what was typed with ``vssid_portal.text.fold`` and
matches it against the model's folded ``search_text`` column, so case,
extra spaces, diacritics and NFC/NFD make no difference either way. Each
word must occur somewhere in the row ("cho ray" finds "Bệnh viện Chợ Rẫy").
On PostgreSQL these ``LIKE '%…%'`` filters are served by trigram indexes.
"""

import difflib
import hashlib
import itertools
import re
from collections.abc import Iterable
from datetime import date
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, QuerySet, Value

from insurance.models import Person
from vssid_portal.cache_generation import generation, new_generation
from vssid_portal.text import fold

from .models import CollectionPoint, District, EmployerUnit, MedicalFacility, Office, Province

REFERENCE_CACHE_SECONDS = 60 * 60
RESULTS_CACHE_SECONDS = 10 * 60
RESULTS_GENERATION_KEY = "lookup:results-generation"


def results_generation() -> str:
    """A token that changes whenever the lookups' reference data changes."""
    return generation(RESULTS_GENERATION_KEY)


def reference_data_changed(**kwargs) -> None:
    """Start a new generation of cached search results (signals, loaders)."""
    new_generation(RESULTS_GENERATION_KEY)


def results_cache_key(view: str, language: str, params) -> str:
    """Cache key of a rendered results list: the view, language and query string."""
    query = urlencode(sorted((k, v) for k in params for v in params.getlist(k)))
    digest = hashlib.sha256(f"{view}|{language}|{query}".encode()).hexdigest()
    return f"lookup:results:{results_generation()}:{digest}"


# "79 - 011" (a KCB code as printed) or "0301234567-001" (a branch tax code).
_DASHED_CODE_RE = re.compile(r"[0-9a-z]+(?:\s*-\s*[0-9a-z]+)+")
_SUGGESTION_MIN_SIMILARITY = 0.5


def search_terms(q: str) -> list[str]:
    """The folded words of a query; a dashed code becomes one compact word."""
    folded = fold(q)
    if _DASHED_CODE_RE.fullmatch(folded) and any(ch.isdigit() for ch in folded):
        return [re.sub(r"[\s-]", "", folded)]
    return folded.split()


def _match_terms(queryset: QuerySet, q: str) -> QuerySet:
    for term in search_terms(q):
        if len(term) <= 2:
            # "quan 4" must not find every code with a 4 in it: a short
            # term matches the start of a word only.
            queryset = queryset.filter(
                Q(search_text__startswith=term) | Q(search_text__contains=" " + term)
            )
        else:
            queryset = queryset.filter(search_text__contains=term)
    return queryset


# CHOICES ---------------------------------------------------------------------
def province_choices() -> list[tuple[str, str]]:
    """``[(code, name)]`` of the 63 provinces; reference data, cached."""
    return cache.get_or_set(
        "lookup:provinces",
        lambda: list(Province.objects.order_by("code").values_list("code", "name")),
        REFERENCE_CACHE_SECONDS,
    )


def district_choices(*, province_code: str) -> list[tuple[str, str]]:
    if not province_code:
        return []
    return cache.get_or_set(
        f"lookup:districts:{province_code}",
        lambda: list(
            District.objects.filter(province_id=province_code)
            .order_by("code")
            .values_list("code", "name")
        ),
        REFERENCE_CACHE_SECONDS,
    )


# SEARCHES --------------------------------------------------------------------
def office_search(*, q: str = "", province_code: str = "") -> QuerySet[Office]:
    """Offices matching ``q`` (name or code), province offices before their districts."""
    queryset = Office.objects.select_related("parent", "province").order_by("code")
    if province_code:
        queryset = queryset.filter(province_id=province_code)
    return _match_terms(queryset, q)


def office_get(*, code: str) -> Office | None:
    return Office.objects.select_related("parent", "province").filter(code=code).first()


def office_children(*, office: Office) -> QuerySet[Office]:
    return office.children.order_by("code")


def facility_search(
    *,
    q: str = "",
    province_code: str = "",
    level: str = "",
    has_bhyt_contract: bool | None = None,
    may_issue_sick_leave: bool | None = None,
    accepts_initial_registration: bool | None = None,
) -> QuerySet[MedicalFacility]:
    queryset = MedicalFacility.objects.select_related("province").order_by("code")
    if province_code:
        queryset = queryset.filter(province_id=province_code)
    if level:
        queryset = queryset.filter(level=level)
    if has_bhyt_contract is not None:
        queryset = queryset.filter(has_bhyt_contract=has_bhyt_contract)
    if may_issue_sick_leave is not None:
        queryset = queryset.filter(may_issue_sick_leave=may_issue_sick_leave)
    if accepts_initial_registration is not None:
        queryset = queryset.filter(accepts_initial_registration=accepts_initial_registration)
    return _match_terms(queryset, q)


def facility_get(*, code: str) -> MedicalFacility | None:
    code = "".join(search_terms(code)).upper()
    return MedicalFacility.objects.select_related("province").filter(code=code).first()


def employer_search(*, q: str = "") -> QuerySet[EmployerUnit]:
    """Employer units by unit code, tax code (with or without the branch dash) or name."""
    queryset = EmployerUnit.objects.select_related("office").order_by("code")
    return _match_terms(queryset, q)


def employer_get(*, code: str) -> EmployerUnit | None:
    return EmployerUnit.objects.select_related("office").filter(code=code.upper()).first()


def collection_point_search(
    *, province_code: str, district_code: str = "", q: str = ""
) -> QuerySet[CollectionPoint]:
    queryset = CollectionPoint.objects.select_related("province", "district").filter(
        province_id=province_code
    )
    if district_code:
        queryset = queryset.filter(district_id=district_code)
    return _match_terms(queryset.order_by("district_id", "kind", "code"), q)


def collection_point_get(*, code: str) -> CollectionPoint | None:
    return (
        CollectionPoint.objects.select_related("province", "district")
        .filter(code=code.upper())
        .first()
    )


def person_candidates(
    *, full_name: str, date_of_birth: date, province_code: str, id_number: str = ""
) -> list[Person]:
    """Registry people with this folded name, birth date and province.

    ``name_search`` is ``fold(full_name)`` (indexed), so the comparison is
    the same whichever way the name was typed. An ID number narrows the
    match in the database; a parent's name is compared by the caller.
    """
    queryset = Person.objects.select_related("office").filter(
        name_search=fold(full_name), date_of_birth=date_of_birth, province_id=province_code
    )
    if id_number:
        queryset = queryset.filter(id_number=id_number)
    # A handful is enough to tell "one" from "several"; never load a crowd.
    return list(queryset.order_by("pk")[:5])


# DID YOU MEAN ----------------------------------------------------------------
def _trigram_available() -> bool:
    if connection.vendor != "postgresql":
        return False
    return cache.get_or_set(
        "lookup:pg_trgm",
        lambda: _has_pg_trgm(),
        REFERENCE_CACHE_SECONDS,
    )


def _has_pg_trgm() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _trigram_shortlist(scope: QuerySet, folded: str, limit: int = 50) -> list[str]:
    """Names of the rows whose folded text is most similar to the query.

    ``search_text %> 'query'`` (word similarity above
    ``pg_trgm.word_similarity_threshold``, 0.6 by default) is what the GIN
    index answers; only the few rows it returns are ranked.
    """
    # Imported here: django.contrib.postgres needs psycopg, SQLite does not.
    from django.contrib.postgres.lookups import TrigramWordSimilar
    from django.contrib.postgres.search import TrigramWordSimilarity

    return list(
        scope.filter(TrigramWordSimilar(F("search_text"), Value(folded)))
        .annotate(rank=TrigramWordSimilarity(Value(folded), "search_text"))
        .order_by("-rank", "pk")
        .values_list("name", flat=True)[:limit]
    )


def _suggest_from_names(names: Iterable[str], folded: str) -> str | None:
    """Replace misspelt words by close words of ``names``.

    Each word of the query gets a few candidates (itself if it is a word of
    some name, plus ``difflib``'s closest words); the best-scoring
    combination that occurs as whole words in some name wins, so "cau
    giai" becomes "Cầu Giấy" (a real phrase) and not "Cầu Gia".
    """
    vocabulary: set[str] = set()
    known: list[tuple[list[str], list[str]]] = []  # (folded words, words as written)
    for name in names:
        words = [word.strip(",.()") for word in name.split()]
        folded_words = [fold(word) for word in words]
        vocabulary.update(folded_words)
        known.append((folded_words, words))
    options: list[list[tuple[str, float]]] = []
    for word in folded.split():
        candidates = [(word, 1.5)] if word in vocabulary else []
        candidates += _close_words(word, vocabulary)
        if not candidates:
            return None
        options.append(candidates)
    best: tuple[float, str] | None = None
    for combination in itertools.islice(itertools.product(*options), 512):
        words = [word for word, _ratio in combination]
        score = sum(ratio for _word, ratio in combination)
        if " ".join(words) == folded or (best and score <= best[0]):
            continue
        written = _find_phrase(known, words)
        if written:
            best = (score, written)
    return best[1] if best else None


def _close_words(word: str, vocabulary: set[str], limit: int = 6) -> list[tuple[str, float]]:
    """Words similar to ``word``; a shared first letter and length break the
    many ties of short Vietnamese syllables ("rai": "ray", "tai", "hai"…)."""
    matcher = difflib.SequenceMatcher(b=word)
    scored = []
    for known in vocabulary:
        if known == word:
            continue
        matcher.set_seq1(known)
        if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
            continue
        ratio = matcher.ratio()
        if ratio >= 0.6:
            bonus = 0.1 * (known[0] == word[0]) + 0.05 * (len(known) == len(word))
            scored.append((ratio + bonus, known))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [(known, score) for score, known in scored[:limit]]


def _find_phrase(names: list[tuple[list[str], list[str]]], phrase: list[str]) -> str | None:
    """The words of ``phrase`` as written in the first name holding it whole."""
    size = len(phrase)
    for folded_words, words in names:
        for start in range(len(folded_words) - size + 1):
            if folded_words[start : start + size] == phrase:
                return " ".join(words[start : start + size])
    return None


def search_suggestion(*, scope: QuerySet, q: str) -> str | None:
    """A query close to ``q`` that finds something in ``scope``, or None.

    ``scope`` is the search without the text filter (province and other
    filters kept), so the suggestion respects what else was chosen.
    """
    folded = " ".join(search_terms(q))
    if len(folded) < 3:
        return None
    if _trigram_available():
        # The trigram index finds the few similar rows; the words are then
        # corrected from those names only, as on SQLite from all of them.
        shortlist = _trigram_shortlist(scope, folded)
        suggestion = _suggest_from_names(shortlist, folded) or next(iter(shortlist), None)
    else:
        suggestion = _suggest_from_names(scope.values_list("name", flat=True)[:20000], folded)
    if not suggestion or fold(suggestion) == folded:
        return None
    if not _match_terms(scope, suggestion).exists():
        return None
    return suggestion
