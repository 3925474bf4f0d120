"""/api/v1/me/messages/: the message centre for the mobile client.

Token or session authentication like the other /api/v1/me/ routes;
titles and texts come in the request's language (Accept-Language).
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from drf_spectacular.utils import extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from insurance.access import IsCitizen

from .inbox import inbox_entry_mark_read, inbox_mark_all_read
from .selectors import (
    InboxItem,
    inbox_entries,
    inbox_entry_for_viewer,
    inbox_item,
    inbox_unread_count,
)


class InboxPagination(PageNumberPagination):
    """Page-number pagination that also carries the unread count."""

    page_size = settings.NOTIFICATIONS_INBOX_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "unread_count": inbox_unread_count(user_id=self.request.user.pk),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["unread_count"] = {
            "type": "integer",
            "description": "Thông báo chưa đọc (cả của các con với người giám hộ).",
        }
        response["required"] = [*response.get("required", []), "unread_count"]
        return response


@extend_schema_serializer(component_name="MeMessageChild")
class MessageChildSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    full_name = serializers.CharField()


@extend_schema_serializer(component_name="MeMessage")
class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField(
        source="entry.kind", help_text="Loại thông báo, ví dụ account_locked."
    )
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.SerializerMethodField(help_text="Trang liên quan trên cổng, hoặc null.")
    created_at = serializers.DateTimeField(source="entry.created_at")
    read = serializers.BooleanField()
    read_at = serializers.DateTimeField(source="entry.read_at", allow_null=True)
    child = MessageChildSerializer(
        allow_null=True,
        help_text="Tài khoản của con mà thông báo nói về (người giám hộ xem), hoặc null.",
    )

    def get_link(self, item: InboxItem) -> str | None:
        if not item.link:
            return None
        return self.context["request"].build_absolute_uri(item.link)


class MessageListMeApi(generics.GenericAPIView):
    """Every notice the account was sent, newest first, and the unread count."""

    permission_classes = [IsCitizen]
    pagination_class = InboxPagination
    serializer_class = MessageOutputSerializer

    def get_queryset(self):
        return inbox_entries(viewer=self.request.user)

    @extend_schema(operation_id="me_messages", responses=MessageOutputSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        items = [inbox_item(entry=entry, viewer=request.user) for entry in page]
        return self.get_paginated_response(self.get_serializer(items, many=True).data)


class MessageDetailMeApi(APIView):
    """One notice; reading it marks it read."""

    permission_classes = [IsCitizen]

    @extend_schema(operation_id="me_message", responses=MessageOutputSerializer)
    def get(self, request, pk: int):
        entry = inbox_entry_for_viewer(viewer=request.user, entry_id=pk)
        if entry is None:
            raise NotFound(_("Không tìm thấy thông báo."))
        inbox_entry_mark_read(entry=entry)
        item = inbox_item(entry=entry, viewer=request.user)
        return Response(MessageOutputSerializer(item, context={"request": request}).data)


class MessageReadAllMeApi(APIView):
    """ "Đánh dấu tất cả là đã đọc"."""

    permission_classes = [IsCitizen]

    @extend_schema(
        operation_id="me_messages_read_all",
        request=None,
        responses=inline_serializer(
            "MeMessagesReadAll",
            fields={
                "detail": serializers.CharField(),
                "marked": serializers.IntegerField(),
                "unread_count": serializers.IntegerField(),
            },
        ),
    )
    def post(self, request):
        count = inbox_mark_all_read(viewer=request.user)
        detail = ngettext(
            "Đã đánh dấu %(count)d thông báo là đã đọc.",
            "Đã đánh dấu %(count)d thông báo là đã đọc.",
            count,
        ) % {"count": count}
        return Response(
            {
                "detail": detail,
                "marked": count,
                "unread_count": inbox_unread_count(user_id=request.user.pk),
            }
        )
