from django import template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


@register.filter
def nonfield_code(form, code: str) -> bool:
    """True if the form has a non-field error with ``code`` (e.g. "account_exists")."""
    return bool(form is not None and form.has_error(NON_FIELD_ERRORS, code))


@register.filter
def phone_local(value: str) -> str:
    """+84912345678 -> 0912 345 678."""
    from declarations.documents import phone_display

    return phone_display(value or "")
