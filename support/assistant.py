"""The help assistant ("Trợ lý hỏi đáp"): answers by retrieval, never by generation.

Method
    Okapi BM25 ranking (Robertson and Zaragoza, "The Probabilistic Relevance
    Framework: BM25 and Beyond", 2009; k1 = 1.2, b = 0.75, the non-negative
    IDF ``ln(1 + (N - df + 0.5) / (df + 0.5))`` of Lucene) over the published
    FAQs and the published answers to citizens' questions.

Library
    None: about forty lines of standard-library Python below. The corpus is
    a few dozen to a few thousand short texts, so scoring every document is
    cheaper than a dependency (rank-bm25 pulls in NumPy) and no outside
    service or model is involved.

Terms
    Text is folded with ``vssid_portal.text.fold`` (no diacritics, "đ" → "d",
    lower case), so "mat khau", "mật khẩu" and "MẬT KHẨU" are the same.
    Common abbreviations and synonyms are rewritten to one form first
    ("mk", "pass" → "mat khau"; "bảo hiểm y tế" → "bhyt"). Vietnamese writes
    one syllable per word, so terms are the syllables that are not in a
    small stopword list plus every pair of adjacent such syllables
    ("mat khau", "tai khoan"), which keeps the meaning of two-syllable words.
    The question and the answer of a FAQ are scored as two fields and added
    with weights 3 and 1 (a simple BM25F), so a FAQ whose question says what
    the citizen asks beats one that mentions it in passing.

Confidence
    BM25 scores are not comparable across questions, so the decision to
    answer uses *coverage*: the IDF-weighted share of the question's terms
    found in the best document (a term the corpus has never seen gets the
    highest IDF). Below ``MIN_COVERAGE`` the assistant says it is not sure and
    offers the question form and the hotline.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from vssid_portal.text import fold

from .models import FAQ, Question

K1 = 1.2
B = 0.75
MIN_COVERAGE = 0.5
TITLE_WEIGHT = 3.0
MAX_QUESTION_LENGTH = 500

STOPWORDS = frozenset(
    """
    a ah ak alo anh ba bac be bi biet cac cach can cau cho chi chu chua co cua cung
    da de den di do dum duoc em gi giup ha hay khi khong la lam len long luc minh mot muon
    nao nay ne neu nhe nhi nhu nhung o oi phai qua ra roi sao se the thi thoi toi
    trong tu u va vao van vay ve vi voi vui xin
    """.split()
)

# Folded phrase → folded canonical phrase, applied in two passes: names of
# the schemes first ("bảo hiểm xã hội" → "bhxh"), then everyday wording.
# Longest phrases are tried first within a pass.
ACRONYMS = {
    "bao hiem xa hoi": "bhxh",
    "bao hiem y te": "bhyt",
    "bao hiem that nghiep": "bhtn",
    "bhxh vn": "bhxh",
}
SYNONYMS = {
    "so so bhxh": "ma so bhxh",
    "so so": "ma so bhxh",
    "ma so bao hiem": "ma so bhxh",
    "ma bhxh": "ma so bhxh",
    "so bhxh": "ma so bhxh",
    "ma so bhxh": "ma so bhxh",
    "password": "mat khau",
    "pass": "mat khau",
    "pw": "mat khau",
    "mk": "mat khau",
    "mat khau mac dinh": "mat khau khoi tao",
    "mat khau ban dau": "mat khau khoi tao",
    "mat khau dau tien": "mat khau khoi tao",
    "login": "dang nhap",
    "log in": "dang nhap",
    "signin": "dang nhap",
    "thoat ra": "dang xuat",
    "bi thoat": "dang xuat",
    "logout": "dang xuat",
    "account": "tai khoan",
    "acc": "tai khoan",
    "tk": "tai khoan",
    "nick": "tai khoan",
    "tao tai khoan": "dang ky tai khoan",
    "mo tai khoan": "dang ky tai khoan",
    "lam tai khoan": "dang ky tai khoan",
    "hotline": "tong dai",
    "so tong dai": "tong dai",
    "duong day nong": "tong dai",
    "sdt": "dien thoai",
    "so dt": "dien thoai",
    "so dien thoai": "dien thoai",
    "dt": "dien thoai",
    "e mail": "email",
    "gmail": "email",
    "mail": "email",
    "thu dien tu": "email",
    "cmnd": "cccd",
    "can cuoc cong dan": "cccd",
    "can cuoc": "cccd",
    "chung minh nhan dan": "cccd",
    "sms": "tin nhan",
    "nhan tin": "tin nhan",
    "app": "ung dung",
    "vss id": "vssid",
    "lay lai mat khau": "quen mat khau",
    "khoi phuc mat khau": "quen mat khau",
    "cap lai mat khau": "quen mat khau",
    "reset mat khau": "quen mat khau",
    "reset": "lay lai",
    "khoi phuc": "lay lai",
    "mac dinh": "khoi tao",
    "con toi": "tre em",
    "con nho": "tre em",
    "con cai": "tre em",
    "nguoi nao": "ai",
    "su dung": "dung",
    "nhung viec": "dich vu",
    "chuc nang": "dich vu",
    "tinh nang": "dich vu",
    "hai tai khoan": "nhieu tai khoan",
    "may tai khoan": "nhieu tai khoan",
    "thay so dien thoai": "doi dien thoai",
    "kham chua benh": "kham benh",
    "di kham": "kham benh",
    "kcb": "kham benh",
    "het hieu luc": "het han",
    "may khac": "thiet bi khac",
    "dien thoai khac": "thiet bi khac",
    "dien thoai moi": "thiet bi khac",
    "may moi": "thiet bi khac",
    "hai may": "hai thiet bi",
    "2 may": "hai thiet bi",
    "2 thiet bi": "hai thiet bi",
    "2 dien thoai": "hai thiet bi",
    "hai dien thoai": "hai thiet bi",
    "2 tai khoan": "nhieu tai khoan",
    "thay doi": "doi",
    "thay dien thoai": "doi dien thoai",
    "thay email": "doi email",
    "giup do": "ho tro",
    "tro giup": "ho tro",
    "lien lac": "lien he",
    "website": "cong",
    "trang web": "cong",
    "trang nay": "cong",
    "dich vu cong": "cong",
}


def _phrase_re(mapping: dict[str, str]) -> re.Pattern:
    alternatives = sorted(mapping, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(k) for k in alternatives) + r")\b")


_PASSES = [(_phrase_re(ACRONYMS), ACRONYMS), (_phrase_re(SYNONYMS), SYNONYMS)]
_NON_WORD = re.compile(r"[^0-9a-z]+")


def terms(text: str) -> list[str]:
    """Folded, synonym-normalised syllables (minus stopwords) and their adjacent pairs."""
    folded = _NON_WORD.sub(" ", fold(text))
    for pattern, mapping in _PASSES:
        folded = pattern.sub(lambda m, mapping=mapping: mapping[m.group(1)], folded)
    words = [w for w in folded.split() if w not in STOPWORDS]
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass(frozen=True)
class Source:
    kind: str  # "faq" or "question"
    pk: int
    title: str
    text: str
    url: str


@dataclass
class Reply:
    question: str
    confident: bool
    source: Source | None = None
    related: list[Source] = field(default_factory=list)
    coverage: float = 0.0

    @property
    def kind_label(self) -> str:
        if self.source and self.source.kind == "question":
            return _("Câu hỏi đã được trả lời")
        return _("Câu hỏi thường gặp")

    def as_json(self) -> dict:
        def source_json(source: Source) -> dict:
            return {"title": source.title, "url": source.url, "kind": source.kind}

        return {
            "question": self.question,
            "confident": self.confident,
            "answer": self.source.text if self.confident and self.source else None,
            "source": source_json(self.source) if self.confident and self.source else None,
            "source_label": self.kind_label if self.confident else None,
            "related": [source_json(s) for s in self.related],
        }


class _Field:
    """One field (question or answer) of every document, for BM25."""

    def __init__(self, texts: list[str]):
        self.docs = [Counter(terms(text)) for text in texts]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.avg_length = (sum(self.lengths) / len(self.docs)) if self.docs else 0.0

    def score(self, query_terms: list[str], i: int, idf: dict[str, float]) -> float:
        doc, length = self.docs[i], self.lengths[i]
        total = 0.0
        for term in query_terms:
            tf = doc.get(term)
            if tf:
                norm = K1 * (1 - B + B * length / self.avg_length)
                total += idf[term] * tf * (K1 + 1) / (tf + norm)
        return total


class Index:
    """BM25 over two fields, question and answer (the question weighs more).

    Field scores are added with weights (a simple BM25F); the IDF comes from
    whole documents.
    """

    def __init__(self, sources: list[Source]):
        self.sources = sources
        self.n = len(sources)
        self.titles = _Field([source.title for source in sources])
        self.bodies = _Field([source.text for source in sources])
        self.vocabularies = [
            set(title) | set(body)
            for title, body in zip(self.titles.docs, self.bodies.docs, strict=True)
        ]
        df: Counter = Counter()
        for vocabulary in self.vocabularies:
            df.update(vocabulary)
        self.idf = {t: self._idf(count) for t, count in df.items()}
        self.unseen_idf = self._idf(0)

    def _idf(self, df: int) -> float:
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def score(self, query_terms: list[str], i: int) -> float:
        return TITLE_WEIGHT * self.titles.score(query_terms, i, self.idf) + self.bodies.score(
            query_terms, i, self.idf
        )

    def search(self, text: str, limit: int = 4) -> list[tuple[float, float, Source]]:
        """(score, coverage, source) of the best matches, best first."""
        query_terms = list(dict.fromkeys(terms(text)))  # each term once
        if not query_terms or not self.n:
            return []
        # Coverage counts single syllables only: an unseen *pair* of known
        # syllables is just another way to say the same thing.
        weight = {t: self.idf.get(t, self.unseen_idf) for t in query_terms if "_" not in t}
        if not weight:
            return []
        total_weight = sum(weight.values())
        scored = []
        for i in range(self.n):
            score = self.score(query_terms, i)
            if score > 0:
                found = sum(w for t, w in weight.items() if t in self.vocabularies[i])
                scored.append((score, found / total_weight, self.sources[i]))
        scored.sort(key=lambda row: row[0], reverse=True)
        return scored[:limit]


def _corpus_version() -> tuple:
    faqs = FAQ.objects.filter(published=True).aggregate(n=Count("pk"), at=Max("updated_at"))
    questions = Question.objects.filter(is_published=True).aggregate(
        n=Count("pk"), at=Max("updated_at")
    )
    # An unpublished question is still "updated" after its last publication.
    unpublished = Question.objects.filter(published_at__isnull=False).aggregate(
        at=Max("updated_at")
    )
    return (faqs["n"], faqs["at"], questions["n"], questions["at"], unpublished["at"])


@lru_cache(maxsize=2)
def _index_for(version: tuple) -> Index:
    sources = []
    for faq in FAQ.objects.filter(published=True).order_by("pk"):
        sources.append(Source("faq", faq.pk, faq.question, faq.answer, faq.get_absolute_url()))
    published = Question.objects.filter(
        is_published=True, status=Question.Status.ANSWERED
    ).order_by("pk")
    for question in published:
        sources.append(
            Source(
                "question",
                question.pk,
                question.public_question,
                question.public_answer,
                question.get_absolute_url(),
            )
        )
    return Index(sources)


def assistant_index() -> Index:
    """The index of what is published now (rebuilt when anything published changes)."""
    return _index_for(_corpus_version())


def assistant_answer(*, question: str) -> Reply:
    """Best published answer to ``question``, or a "not sure" reply with suggestions."""
    question = " ".join(question.split())[:MAX_QUESTION_LENGTH]
    matches = assistant_index().search(question)
    if not matches:
        return Reply(question=question, confident=False)
    _score, coverage, best = matches[0]
    if coverage < MIN_COVERAGE:
        # Not sure: show what came closest, but do not present it as the answer.
        related = [source for _s, cov, source in matches[:3] if cov >= MIN_COVERAGE / 2]
        return Reply(question=question, confident=False, related=related, coverage=coverage)
    return Reply(
        question=question,
        confident=True,
        source=best,
        related=[source for _s, _c, source in matches[1:3]],
        coverage=coverage,
    )
