"""OpenAPI schema post-processing: document the errors every API route can give.

Any operation may answer 400 (field map), 401 (missing, expired, revoked or
other-device token), 403 (CSRF on session auth, password change required),
404 (unknown object or page) and 429 (rate limits, with ``Retry-After``):
they come from shared authentication, pagination and the rate-limit
middleware rather than from each view, so views rarely list them. Clients
and schemathesis read them from here.
"""

from django.utils.translation import gettext_lazy as _

# An error body: {"detail": "...", "code": "..."} or a field map
# {"<field>": ["message", ...], "non_field_errors": [...]}; the field names
# vary, so no property is required. Views use it for their 400s too.
ERROR_BODY = {
    "type": "object",
    "description": "{detail, code, ...} or a field map {field: [messages]}",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "integer"},  # retry_after of a 429
        ]
    },
}
ERRORS = {
    "400": _("Dữ liệu không hợp lệ: lỗi theo từng trường"),
    "401": _("Chưa đăng nhập, hoặc khoá truy cập không hợp lệ, hết hạn, bị thu hồi"),
    "403": _("Không có quyền, thiếu CSRF, hoặc cần đổi mật khẩu trước"),
    "404": _("Không tìm thấy"),
    "429": _("Quá nhiều yêu cầu; thử lại sau số giây trong Retry-After"),
}
METHODS = {"get", "post", "put", "patch", "delete"}


def error_responses_document(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS)."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": str(description),
                        "content": {"application/json": {"schema": ERROR_BODY}},
                    },
                )
    return result
