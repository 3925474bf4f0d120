"""A form's or a service's ``ValidationError`` as the API's 400 body: a field map."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def error_map(form_or_error) -> dict[str, list[str]]:
    """``{"field": ["message", ...], "non_field_errors": [...]}`` in the active language."""
    if isinstance(form_or_error, ValidationError):
        if hasattr(form_or_error, "error_dict"):
            return {
                key: [str(m) for m in ValidationError(v).messages]
                for key, v in form_or_error.error_dict.items()
            }
        return {"non_field_errors": [str(m) for m in form_or_error.messages]}
    return {
        "non_field_errors" if name == NON_FIELD_ERRORS else name: [str(m) for m in messages]
        for name, messages in form_or_error.errors.items()
    }
