"""Public lookup API under ``/api/v1/lookup/``: the same selectors as the pages.

Everything here is public (``AllowAny``, no authentication, so no CSRF
either); lists are paginated by the project's PageNumberPagination. GET
responses are cached for a few minutes, varying on the language, because
they hold reference data only. The mã số BHXH lookup is a POST with a
captcha and the same per-IP limit as the page, and is never cached.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_headers

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from vssid_portal.captcha import captcha_check, captcha_new
from vssid_portal.ratelimit import client_ip
from vssid_portal.validators import normalize_id_number, validate_id_number

from . import selectors
from .models import CollectionPoint, EmployerUnit, MedicalFacility, Office
from .services import InsuranceLookupOutcome, insurance_lookup_rate_limit, insurance_number_lookup
from .templatetags.lookup_tags import geo_uri, osm_url
from .views import search_rate_limit

CACHE_SECONDS = 300


def public_cache(view_method):
    """Cache a GET for everyone, one copy per language (cookie or header)."""
    return method_decorator(
        [cache_page(CACHE_SECONDS), vary_on_headers("Accept-Language", "Cookie")], name="get"
    )(view_method)


class PublicApi:
    authentication_classes: list = []
    permission_classes = [AllowAny]


# SERIALIZERS -----------------------------------------------------------------
class ProvinceRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DistrictRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class OfficeRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MapLinksMixin(serializers.Serializer):
    map_url = serializers.SerializerMethodField(help_text="OpenStreetMap link, or empty.")
    geo_uri = serializers.SerializerMethodField(help_text="geo: URI (RFC 5870), or empty.")

    def get_map_url(self, obj) -> str:
        return osm_url(obj)

    def get_geo_uri(self, obj) -> str:
        return geo_uri(obj)


class OfficeOutputSerializer(MapLinksMixin, serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display")
    parent = OfficeRefSerializer(allow_null=True)
    province = ProvinceRefSerializer()

    class Meta:
        model = Office
        fields = [
            "code",
            "name",
            "level",
            "level_display",
            "parent",
            "province",
            "address",
            "phone",
            "working_hours",
            "latitude",
            "longitude",
            "map_url",
            "geo_uri",
            "contact_generated",
        ]


class OfficeDetailOutputSerializer(OfficeOutputSerializer):
    children = serializers.SerializerMethodField()

    class Meta(OfficeOutputSerializer.Meta):
        fields = [*OfficeOutputSerializer.Meta.fields, "children"]

    @extend_schema_field(OfficeRefSerializer(many=True))
    def get_children(self, obj) -> list[dict]:
        return OfficeRefSerializer(selectors.office_children(office=obj), many=True).data


class FacilityOutputSerializer(MapLinksMixin, serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display")
    province = ProvinceRefSerializer()

    class Meta:
        model = MedicalFacility
        fields = [
            "code",
            "display_code",
            "name",
            "level",
            "level_display",
            "address",
            "phone",
            "province",
            "has_bhyt_contract",
            "may_issue_sick_leave",
            "accepts_initial_registration",
            "latitude",
            "longitude",
            "map_url",
            "geo_uri",
            "is_generated",
        ]


class EmployerOutputSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display")
    office = OfficeRefSerializer()

    class Meta:
        model = EmployerUnit
        fields = [
            "code",
            "tax_code",
            "name",
            "address",
            "office",
            "status",
            "status_display",
            "is_paying",
            "is_generated",
        ]


class CollectionPointOutputSerializer(MapLinksMixin, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    province = ProvinceRefSerializer()
    district = DistrictRefSerializer(allow_null=True)

    class Meta:
        model = CollectionPoint
        fields = [
            "code",
            "name",
            "kind",
            "kind_display",
            "address",
            "phone",
            "province",
            "district",
            "collects_voluntary_bhxh",
            "collects_household_bhyt",
            "latitude",
            "longitude",
            "map_url",
            "geo_uri",
            "is_generated",
        ]


# SEARCH PARAMETERS -----------------------------------------------------------
@extend_schema_field({"type": "string", "pattern": "^[0-9]{2}$", "example": "79"})
class ProvinceCodeField(serializers.ChoiceField):
    # Documented as a code: the choices are read from the database when
    # validating, so at schema time the enum would be empty (and ungeneratable).
    def __init__(self, **kwargs):
        super().__init__(choices=[], **kwargs)

    def to_internal_value(self, data):
        # Choices are read when validating: the province table may change.
        self.choices = dict(selectors.province_choices())
        return super().to_internal_value(data)


class QueryField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("help_text", "Search text; case, spaces and diacritics are ignored.")
        super().__init__(**kwargs)


class SearchListApi(PublicApi, generics.ListAPIView):
    """A list filtered by query parameters validated by ``FilterSerializer``."""

    class FilterSerializer(serializers.Serializer):
        q = QueryField()

    def filters(self) -> dict:
        serializer = self.FilterSerializer(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if data.get("q"):
            search_rate_limit(self.request)
        return data


def _query_parameters(serializer_class) -> list[OpenApiParameter]:
    params = []
    for name, field in serializer_class().fields.items():
        params.append(
            OpenApiParameter(
                name,
                str if not isinstance(field, serializers.BooleanField) else bool,
                required=field.required,
                description=str(field.help_text or field.label or ""),
                enum=list(field.choices)
                if isinstance(field, serializers.ChoiceField) and field.choices
                else None,
            )
        )
    return params


class OfficeFilterSerializer(serializers.Serializer):
    q = QueryField(help_text='Name or code of the office, e.g. "quan 4" or 07914.')
    province = ProvinceCodeField(required=False, help_text="GSO province code, e.g. 79.")


@public_cache
class OfficeListApi(SearchListApi):
    """BHXH offices: province offices (079) and district offices (07914)."""

    serializer_class = OfficeOutputSerializer
    FilterSerializer = OfficeFilterSerializer

    @extend_schema(parameters=_query_parameters(OfficeFilterSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.filters()
        return selectors.office_search(q=data.get("q", ""), province_code=data.get("province", ""))


@public_cache
class OfficeDetailApi(PublicApi, generics.RetrieveAPIView):
    serializer_class = OfficeDetailOutputSerializer

    def get_object(self):
        office = selectors.office_get(code=self.kwargs["code"])
        if office is None:
            raise Http404
        return office


class FacilityFilterSerializer(serializers.Serializer):
    q = QueryField(help_text='Name or KCB code (79011 or "79 - 011").')
    province = ProvinceCodeField(required=False, help_text="GSO province code, e.g. 79.")
    level = serializers.ChoiceField(choices=MedicalFacility.Level.choices, required=False)
    has_bhyt_contract = serializers.BooleanField(required=False, allow_null=True, default=None)
    may_issue_sick_leave = serializers.BooleanField(required=False, allow_null=True, default=None)
    accepts_initial_registration = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Nhận đăng ký KCB ban đầu (chọn được khi đổi nơi đăng ký KCB ban đầu).",
    )


@public_cache
class FacilityListApi(SearchListApi):
    """Medical facilities (cơ sở KCB) with their BHYT contract and sick-leave flags."""

    serializer_class = FacilityOutputSerializer
    FilterSerializer = FacilityFilterSerializer

    @extend_schema(parameters=_query_parameters(FacilityFilterSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.filters()
        return selectors.facility_search(
            q=data.get("q", ""),
            province_code=data.get("province", ""),
            level=data.get("level", ""),
            has_bhyt_contract=data.get("has_bhyt_contract"),
            may_issue_sick_leave=data.get("may_issue_sick_leave"),
            accepts_initial_registration=data.get("accepts_initial_registration"),
        )


@public_cache
class FacilityDetailApi(PublicApi, generics.RetrieveAPIView):
    serializer_class = FacilityOutputSerializer

    def get_object(self):
        facility = selectors.facility_get(code=self.kwargs["code"])
        if facility is None:
            raise Http404
        return facility


class EmployerFilterSerializer(serializers.Serializer):
    q = QueryField(
        required=True,
        allow_blank=False,
        min_length=2,
        help_text="Unit code (TA0012A), tax code or name; required.",
    )


@public_cache
class EmployerListApi(SearchListApi):
    """Employer units by unit code, tax code or name; no amounts owed."""

    serializer_class = EmployerOutputSerializer
    FilterSerializer = EmployerFilterSerializer

    @extend_schema(parameters=_query_parameters(EmployerFilterSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.employer_search(q=self.filters()["q"])


@public_cache
class EmployerDetailApi(PublicApi, generics.RetrieveAPIView):
    serializer_class = EmployerOutputSerializer

    def get_object(self):
        employer = selectors.employer_get(code=self.kwargs["code"])
        if employer is None:
            raise Http404
        return employer


class CollectionPointFilterSerializer(serializers.Serializer):
    province = ProvinceCodeField(required=True, help_text="GSO province code; required.")
    district = serializers.CharField(required=False, max_length=3, help_text="GSO district code.")
    q = QueryField()


@public_cache
class CollectionPointListApi(SearchListApi):
    """Collection points and agents for voluntary BHXH and household BHYT."""

    serializer_class = CollectionPointOutputSerializer
    FilterSerializer = CollectionPointFilterSerializer

    @extend_schema(parameters=_query_parameters(CollectionPointFilterSerializer))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        data = self.filters()
        return selectors.collection_point_search(
            province_code=data["province"],
            district_code=data.get("district", ""),
            q=data.get("q", ""),
        )


@public_cache
class CollectionPointDetailApi(PublicApi, generics.RetrieveAPIView):
    serializer_class = CollectionPointOutputSerializer

    def get_object(self):
        point = selectors.collection_point_get(code=self.kwargs["code"])
        if point is None:
            raise Http404
        return point


# CAPTCHA AND MÃ SỐ BHXH --------------------------------------------------------
class CaptchaOutputSerializer(serializers.Serializer):
    captcha_key = serializers.CharField()
    image_url = serializers.CharField(help_text="PNG with the 4 characters to type.")


class LookupCaptchaApi(PublicApi, APIView):
    """Issue a "mã kiểm tra" for the mã số BHXH lookup (single use, 5 minutes)."""

    @extend_schema(request=None, responses={201: CaptchaOutputSerializer})
    def post(self, request):
        from django.urls import reverse

        key = captcha_new()
        data = {
            "captcha_key": key,
            "image_url": request.build_absolute_uri(reverse("captcha-image", args=[key])),
        }
        return Response(CaptchaOutputSerializer(data).data, status=status.HTTP_201_CREATED)


class InsuranceNumberMatchSerializer(serializers.Serializer):
    insurance_number = serializers.CharField()
    full_name = serializers.CharField()
    masked_date_of_birth = serializers.CharField(help_text="e.g. **/**/1990")
    office_code = serializers.CharField()
    office_name = serializers.CharField()


class InsuranceNumberLookupApi(PublicApi, APIView):
    """Tra cứu mã số BHXH: one person, safe fields only; captcha and per-IP limit."""

    class InputSerializer(serializers.Serializer):
        full_name = serializers.CharField(max_length=150)
        date_of_birth = serializers.DateField(input_formats=["%Y-%m-%d", "%d/%m/%Y"])
        province = ProvinceCodeField()
        id_number = serializers.CharField(required=False, allow_blank=True, max_length=20)
        parent_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
        captcha_key = serializers.CharField(max_length=64)
        captcha_answer = serializers.CharField(max_length=16)

        def validate_id_number(self, value: str) -> str:
            if not value.strip():
                return ""
            try:
                validate_id_number(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
            return normalize_id_number(value)

        def validate_date_of_birth(self, value):
            from django.utils import timezone

            if value > timezone.localdate():
                raise serializers.ValidationError(_("Ngày sinh không được ở tương lai."))
            return value

        def validate(self, attrs):
            if not attrs.get("id_number") and not attrs.get("parent_name", "").strip():
                raise serializers.ValidationError(
                    {"id_number": [_("Vui lòng nhập số CMND/CCCD hoặc họ tên cha/mẹ để tra cứu.")]}
                )
            # Checked last and only once: checking consumes the challenge.
            if not captcha_check(attrs["captcha_key"], attrs["captcha_answer"]):
                raise serializers.ValidationError(
                    {
                        "captcha_answer": [
                            _("Mã kiểm tra không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.")
                        ]
                    }
                )
            return attrs

    class OutputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=InsuranceLookupOutcome.choices)
        message = serializers.CharField()
        match = InsuranceNumberMatchSerializer(allow_null=True)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(description="Field errors: {field: [messages]}"),
            429: OpenApiResponse(description="Too many lookups from this address"),
        },
    )
    def post(self, request):
        insurance_lookup_rate_limit(client_ip=client_ip(request))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = insurance_number_lookup(
            full_name=" ".join(data["full_name"].split()),
            date_of_birth=data["date_of_birth"],
            province_code=data["province"],
            id_number=data.get("id_number", ""),
            parent_name=" ".join(data.get("parent_name", "").split()),
        )
        messages = {
            InsuranceLookupOutcome.FOUND: _("Đã tìm thấy mã số BHXH."),
            InsuranceLookupOutcome.AMBIGUOUS: _(
                "Có nhiều người trùng thông tin. Vui lòng nhập thêm số CMND/CCCD và họ tên cha/mẹ."
            ),
            InsuranceLookupOutcome.NOT_FOUND: _("Không tìm thấy mã số BHXH phù hợp."),
        }
        output = {
            "outcome": result.outcome,
            "message": messages[result.outcome],
            "match": result.match.__dict__ if result.match else None,
        }
        return Response(self.OutputSerializer(output).data)
