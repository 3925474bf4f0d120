"""Gap → action: every month of the BHXH history marked, with what to do about it.

From the participation periods already read for the history page (no query
of its own, nothing per month in the database), each month from the first
BHXH month to last month is one of:

- ``paid``: some employer (or the person) paid BHXH for it;
- ``owed``: only a period the employer still owes covers it (status "Còn
  nợ"): it does not count for benefits until the employer pays — the
  action is to report it to the office (a tracked request);
- ``gap``: no BHXH period covers it — the actions are to pay as a voluntary
  contributor from that month, or to report it if the citizen believes an
  employer paid.

Consecutive months of one state form a range; the page shows a year-by-month
strip and the ranges that need attention, the API the same ranges.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .calculations import month_from_index, month_index
from .models import ParticipationPeriod

PAID, OWED, GAP = "paid", "owed", "gap"
ATTENTION_SHOWN = 6  # the most recent ranges shown open; older ones folded
REPORT_SLUG = "bao-sai-qua-trinh"
# The voluntary BHXH page (insurance.payments, issue 21); ``?tu-thang=`` prefills.
VOLUNTARY_PATH = "/ca-nhan/dong-bhxh-tu-nguyen/"


@dataclass(frozen=True)
class MarkAction:
    kind: str  # "report" | "voluntary"
    label: str
    url: str


@dataclass
class MarkRange:
    state: str
    first: dt.date
    last: dt.date
    employers: list[str] = field(default_factory=list)
    actions: list[MarkAction] = field(default_factory=list)

    @property
    def months(self) -> int:
        return month_index(self.last) - month_index(self.first) + 1

    @property
    def label(self) -> str:
        return {
            PAID: _("Đã đóng"),
            OWED: _("Đơn vị chưa đóng đủ"),
            GAP: _("Không có ai đóng"),
        }[self.state]

    @property
    def explanation(self) -> str:
        if self.state == OWED:
            return _(
                "Đơn vị chưa đóng đủ: thời gian này chưa được tính hưởng cho đến khi đơn vị đóng."
            )
        if self.state == GAP:
            if self.months == 1:
                return _("Tháng này không có ai đóng BHXH cho bạn.")
            return _("Những tháng này không có ai đóng BHXH cho bạn.")
        return ""

    def as_json(self) -> dict:
        return {
            "state": self.state,
            "from_month": f"{self.first:%Y-%m}",
            "to_month": f"{self.last:%Y-%m}",
            "months": self.months,
            "label": self.label,
            "explanation": self.explanation,
            "employers": self.employers,
            "actions": [vars(action) for action in self.actions],
        }


@dataclass(frozen=True)
class YearRow:
    year: int
    cells: list[str]  # 12 states ("" outside the marked span)


@dataclass
class MonthMarks:
    ranges: list[MarkRange]
    years: list[YearRow]

    def count(self, state: str) -> int:
        return sum(r.months for r in self.ranges if r.state == state)

    @property
    def paid_months(self) -> int:
        return self.count(PAID)

    @property
    def owed_months(self) -> int:
        return self.count(OWED)

    @property
    def gap_months(self) -> int:
        return self.count(GAP)

    @property
    def attention(self) -> list[MarkRange]:
        """Debts and gaps, the most recent first."""
        return [r for r in reversed(self.ranges) if r.state != PAID]

    @property
    def attention_first(self) -> list[MarkRange]:
        return self.attention[:ATTENTION_SHOWN]

    @property
    def attention_more(self) -> list[MarkRange]:
        return self.attention[ATTENTION_SHOWN:]

    def as_json(self) -> dict:
        return {
            "months": {state: self.count(state) for state in (PAID, OWED, GAP)},
            "ranges": [r.as_json() for r in self.ranges],
        }


def _report_url(mark: MarkRange, *, problem: str, child_id: int | None) -> str:
    params = [("thang", f"{mark.first:%Y-%m}")]
    if mark.last != mark.first:
        params.append(("thang", f"{mark.last:%Y-%m}"))
    params.append(("van-de", problem))
    if child_id:
        params.append(("con", str(child_id)))
    return reverse("requests:new", args=[REPORT_SLUG]) + "?" + urlencode(params)


def _actions(mark: MarkRange, *, child_id: int | None) -> list[MarkAction]:
    if mark.state == OWED:
        return [
            MarkAction(
                "report",
                _("Báo cơ quan BHXH"),
                _report_url(mark, problem="owed", child_id=child_id),
            )
        ]
    if mark.state != GAP:
        return []
    actions = []
    if child_id is None:
        label = (
            _("Đóng BHXH tự nguyện cho tháng này")
            if mark.months == 1
            else _("Đóng BHXH tự nguyện từ tháng {month}").format(month=f"{mark.first:%m/%Y}")
        )
        actions.append(
            MarkAction(
                "voluntary",
                label,
                VOLUNTARY_PATH + "?" + urlencode({"tu-thang": f"{mark.first:%Y-%m}"}),
            )
        )
    actions.append(
        MarkAction("report", _("Báo sai"), _report_url(mark, problem="missing", child_id=child_id))
    )
    return actions


def month_marks(
    *, periods: Iterable[ParticipationPeriod], today: dt.date, child_id: int | None = None
) -> MonthMarks | None:
    """Mark each BHXH month from the first one to last month (None without BHXH)."""
    paid: set[int] = set()
    owed: dict[int, set[str]] = {}
    first = None
    last_covered = None
    for period in periods:
        if period.insurance_type != ParticipationPeriod.InsuranceType.BHXH:
            continue
        start, end = month_index(period.from_month), month_index(period.to_month)
        first = start if first is None else min(first, start)
        last_covered = end if last_covered is None else max(last_covered, end)
        if period.status == ParticipationPeriod.Status.OWED:
            for index in range(start, end + 1):
                owed.setdefault(index, set()).add(period.employer_name)
        else:
            paid.update(range(start, end + 1))
    if first is None:
        return None
    # Up to the month before this one: the current month's contribution is
    # recorded at its end, so it is not a gap yet.
    end = max(last_covered, month_index(today) - 1)
    ranges: list[MarkRange] = []
    for index in range(first, end + 1):
        if index in paid:
            state, employers = PAID, []
        elif index in owed:
            state, employers = OWED, sorted(owed[index])
        else:
            state, employers = GAP, []
        current = ranges[-1] if ranges else None
        if current is not None and current.state == state and current.employers == employers:
            current.last = month_from_index(index)
        else:
            ranges.append(
                MarkRange(
                    state=state,
                    first=month_from_index(index),
                    last=month_from_index(index),
                    employers=employers,
                )
            )
    for mark in ranges:
        mark.actions = _actions(mark, child_id=child_id)
    states = {}
    for mark in ranges:
        for index in range(month_index(mark.first), month_index(mark.last) + 1):
            states[index] = mark.state
    years = [
        YearRow(year=year, cells=[states.get(year * 12 + m, "") for m in range(12)])
        for year in range(first // 12, end // 12 + 1)
    ]
    return MonthMarks(ranges=ranges, years=years)


def month_marks_for_history(history, *, today: dt.date, child_id: int | None = None):
    """The marks from a ``selectors.History`` already read (its BHXH periods)."""
    bhxh = history.for_type(ParticipationPeriod.InsuranceType.BHXH)
    if bhxh is None:
        return None
    periods = [period for group in bhxh.employers for period in group.periods]
    return month_marks(periods=periods, today=today, child_id=child_id)
