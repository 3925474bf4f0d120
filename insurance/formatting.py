from django.utils.formats import get_format


def group_digits(value: int) -> str:
    """1234567 as 1.234.567 (Vietnamese) or 1,234,567 (English).

    Django's Vietnamese locale defines the separator but no grouping, so
    ``number_format`` would print 1234567.
    """
    separator = get_format("THOUSAND_SEPARATOR")
    return f"{int(value):,}".replace(",", separator)
