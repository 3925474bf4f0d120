from django import template
from django.utils.translation import gettext as _

from insurance.formatting import group_digits

register = template.Library()


@register.filter
def vnd(value) -> str:
    """An amount in đồng with the locale's thousands separator: 1.234.567 đ."""
    if value is None or value == "":
        return "-"
    return f"{group_digits(value)}\u00a0đ"


@register.filter
def years_months(months: int) -> str:
    years, rest = divmod(int(months or 0), 12)
    if years and rest:
        return _("{years} năm {months} tháng").format(years=years, months=rest)
    if years:
        return _("{years} năm").format(years=years)
    return _("{months} tháng").format(months=rest)
