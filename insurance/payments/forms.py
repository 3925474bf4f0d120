"""The two payment forms; the API validates through the same ones.

A form checks what a field can check alone, then prices the whole choice
with ``services.payment_plan`` (rules + registry): the resulting ``plan``
is what the quote, the confirmation screen and the payment show.
"""

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..formatting import group_digits
from .models import PaymentKind, VoluntaryMethod
from .plans import HOUSEHOLD_MONTHS, Member
from .rules import rules_on
from .services import PaymentChoice, payment_quote

MONTH_FORMATS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})"),
    re.compile(r"(?P<m>\d{1,2})/(?P<y>\d{4})"),
)


def month_parse(value: str) -> dt.date | None:
    """ "2026-03" (the month input) or "03/2026" as the first day of that month."""
    for pattern in MONTH_FORMATS:
        match = pattern.fullmatch((value or "").strip())
        if match:
            year, month = int(match["y"]), int(match["m"])
            if 1 <= month <= 12 and 1900 <= year <= 2999:
                return dt.date(year, month, 1)
    return None


class MonthField(forms.CharField):
    widget = forms.DateInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = month_parse(value)
        if month is None:
            raise ValidationError(_("Nhập tháng theo dạng MM/YYYY, ví dụ 03/2026."), code="invalid")
        return month

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value


class AmountField(forms.IntegerField):
    """Đồng, typed with or without thousands separators (1.500.000, 1,500,000, 1 500 000)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = re.sub(r"[\s.,]", "", value.replace("đồng", "").replace("đ", ""))
        return super().to_python(value)


class PaymentForm(forms.Form):
    """Shared: the payer, the day, and pricing the choice once the fields are clean."""

    kind: str = ""

    def __init__(self, *args, payer, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.payer = payer
        self.today = today
        self.rules = rules_on(today)
        self.plan = None

    def choice(self) -> PaymentChoice:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.plan = payment_quote(payer=self.payer, choice=self.choice(), today=self.today)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    self.add_error(name if name in self.fields else None, errors)
            else:
                raise
        return cleaned


class VoluntaryForm(PaymentForm):
    """Đóng BHXH tự nguyện: income, method and months."""

    kind = PaymentKind.VOLUNTARY_BHXH

    income = AmountField(
        label=_("Mức thu nhập tháng làm căn cứ đóng (đồng)"),
        min_value=0,
        max_value=10**12,
        error_messages={"required": _("Nhập mức thu nhập bạn chọn để đóng.")},
    )
    method = forms.ChoiceField(
        label=_("Phương thức đóng"),
        choices=VoluntaryMethod.choices,
        initial=VoluntaryMethod.MONTHLY,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn phương thức đóng.")},
    )
    start_month = MonthField(
        label=_("Từ tháng"),
        help_text=_("Tháng/năm bắt đầu đóng, ví dụ 01/2027."),
        error_messages={"required": _("Nhập tháng bắt đầu đóng.")},
    )
    years = forms.TypedChoiceField(
        label=_("Số năm đóng trước"),
        choices=[("", "—")] + [(str(n), str(n)) for n in range(2, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Chỉ khi chọn đóng một lần cho nhiều năm về sau."),
    )
    months = forms.IntegerField(
        label=_("Số tháng đóng bù"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("Chỉ khi chọn đóng cho những tháng còn thiếu."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["income"].help_text = _(
            "Từ {low} đồng (chuẩn hộ nghèo khu vực nông thôn) đến {high} đồng (20 lần mức "
            "tham chiếu), chẵn nghìn đồng. Số tiền đóng mỗi tháng bằng 22% mức này."
        ).format(low=group_digits(self.rules.income_min), high=group_digits(self.rules.income_max))

    def choice(self) -> PaymentChoice:
        data = self.cleaned_data
        return PaymentChoice(
            kind=self.kind,
            income=data["income"],
            method=data["method"],
            start_month=data["start_month"],
            years=data.get("years"),
            months=data.get("months"),
        )


class MemberCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes of the household; a member who cannot be renewed now is disabled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled_values: set[str] = set()

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class HouseholdForm(PaymentForm):
    """Gia hạn BHYT hộ gia đình: who, and for how long."""

    kind = PaymentKind.HOUSEHOLD_BHYT

    members = forms.MultipleChoiceField(
        label=_("Người được gia hạn"),
        widget=MemberCheckboxes,
        error_messages={
            "required": _("Chọn ít nhất một người để gia hạn."),
            "invalid_choice": _("Chỉ chọn bản thân hoặc con do bạn đăng ký tài khoản."),
        },
    )
    months = forms.TypedChoiceField(
        label=_("Thời hạn gia hạn"),
        choices=[(str(n), _("{n} tháng").format(n=n)) for n in HOUSEHOLD_MONTHS],
        coerce=int,
        initial="12",
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn 3, 6 hoặc 12 tháng.")},
    )

    def __init__(self, *args, members: list[Member], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        # Every member is a choice: one not eligible now gets its reason as
        # an error, not a "not a valid choice".
        self.fields["members"].choices = [
            (m.person.insurance_number, m.person.full_name) for m in members
        ]
        self.fields["members"].initial = [m.person.insurance_number for m in members if m.eligible]
        self.fields["members"].widget.disabled_values = {
            m.person.insurance_number for m in members if not m.eligible
        }

    def member_rows(self) -> list[tuple]:
        """Each member's checkbox with the member (card, eligibility) beside it."""
        return list(zip(self["members"], self.members, strict=True))

    def choice(self) -> PaymentChoice:
        data = self.cleaned_data
        return PaymentChoice(kind=self.kind, months=data["months"], members=tuple(data["members"]))
