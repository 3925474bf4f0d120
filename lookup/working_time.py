"""Working-hours arithmetic for the offices' clocks.

A deadline such as "acknowledged within 8 working hours" counts only the
working periods of working days (``settings.WORKING_HOURS``, e.g. 07:30-11:30
and 13:00-17:00, Monday to Friday) and skips the public holidays kept in
``PublicHoliday``. A dossier sent on Friday at 16:00 is therefore due on
Monday at 15:30, or on Tuesday if Monday is a holiday.
"""

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from .models import PublicHoliday

# Far enough for a deadline of several working days, even across Tết.
_HORIZON_DAYS = 120


@lru_cache(maxsize=8)
def _periods(spec: str) -> tuple[tuple[dt.time, dt.time], ...]:
    periods = []
    for part in spec.split(","):
        start, end = (dt.time.fromisoformat(value.strip()) for value in part.split("-"))
        if end <= start:
            raise ValueError(f"WORKING_HOURS: {part!r} ends before it starts")
        periods.append((start, end))
    return tuple(sorted(periods))


def working_periods() -> tuple[tuple[dt.time, dt.time], ...]:
    return _periods(settings.WORKING_HOURS)


def holidays_between(first: dt.date, last: dt.date) -> set[dt.date]:
    return set(
        PublicHoliday.objects.filter(date__gte=first, date__lte=last).values_list("date", flat=True)
    )


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    return day.weekday() < 5 and day not in holidays


def working_deadline(start: dt.datetime, hours: float) -> dt.datetime:
    """The moment ``hours`` working hours after ``start`` (aware, in local time)."""
    tz = timezone.get_current_timezone()
    cursor = timezone.localtime(start, tz)
    remaining = dt.timedelta(hours=hours)
    day = cursor.date()
    holidays = holidays_between(day, day + dt.timedelta(days=_HORIZON_DAYS))
    for _offset in range(_HORIZON_DAYS):
        if is_working_day(day, holidays):
            for begin, end in working_periods():
                period_start = timezone.make_aware(dt.datetime.combine(day, begin), tz)
                period_end = timezone.make_aware(dt.datetime.combine(day, end), tz)
                if period_end <= cursor:
                    continue
                usable_from = max(period_start, cursor)
                if period_end - usable_from >= remaining:
                    return usable_from + remaining
                remaining -= period_end - usable_from
                cursor = period_end
        day += dt.timedelta(days=1)
    raise ValueError("No working time within the horizon: check WORKING_HOURS and the holidays")


def working_hours_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working hours elapsed from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    if end <= start:
        return 0.0
    tz = timezone.get_current_timezone()
    start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    holidays = holidays_between(start.date(), end.date())
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if is_working_day(day, holidays):
            for begin, finish in working_periods():
                period_start = timezone.make_aware(dt.datetime.combine(day, begin), tz)
                period_end = timezone.make_aware(dt.datetime.combine(day, finish), tz)
                overlap = min(period_end, end) - max(period_start, start)
                if overlap > dt.timedelta():
                    total += overlap
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600
