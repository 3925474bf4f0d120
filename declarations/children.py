"""The tờ khai for a child's account, filed by a signed-in guardian.

A parent or legal guardian registers an electronic-transaction account for
a child who has no ID card: the child's mã số BHXH and name must match the
registry, the child must be a minor (under 18, the age of majority of the
Civil Code, Bộ luật Dân sự 2015 art. 20/21) and have no account yet. The
guardian's account is the contact: SMS and e-mail go to the guardian, and
once approved the child's account is linked to it (``User.guardian``).
"""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.selectors import account_sms_phone
from insurance.models import Person
from insurance.selectors import card_for_person
from lookup.models import Office
from vssid_portal.text import normalize_name

from .models import Declaration, DeclarationDraft
from .selectors import account_exists, open_declaration_exists
from .services import OPEN_DECLARATION_EXISTS, declaration_store, draft_images

AGE_OF_MAJORITY = 18
CHILD_IMAGE_SLOTS = ("portrait", "birth_certificate")

CHILD_REGISTRY_MISMATCH = _(
    "Họ tên hoặc mã số BHXH của con không khớp với dữ liệu của cơ quan BHXH. "
    "Vui lòng kiểm tra lại theo thẻ BHYT của con."
)
CHILD_IS_ADULT = _(
    "Người có mã số BHXH này đã đủ {age} tuổi, không đăng ký theo diện tài khoản cho con. "
    "Người đó tự đăng ký tài khoản tại mục “Đăng ký”."
)
CHILD_ACCOUNT_EXISTS = _(
    "Mã số BHXH này đã có tài khoản giao dịch điện tử, không cần đăng ký lại. "
    "Nếu là con của bạn, hãy chọn con ở đầu trang “Thông tin cá nhân”."
)
CHILD_IS_SELF = _("Đây là mã số BHXH của chính bạn. Vui lòng nhập mã số BHXH của con.")
GUARDIAN_NO_PHONE = _(
    "Tài khoản của bạn chưa có số điện thoại di động để nhận mã hồ sơ và mật khẩu của con. "
    "Hãy cập nhật số điện thoại ở mục “Tài khoản” trước."
)


def age_in_years(*, born: dt.date, on: dt.date) -> int:
    """Completed years on a date (a 29 February birthday counts on 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_minor(*, born: dt.date, on: dt.date | None = None) -> bool:
    return age_in_years(born=born, on=on or timezone.localdate()) < AGE_OF_MAJORITY


def child_check(*, guardian, insurance_number: str, full_name: str) -> Person:
    """Apply the child-account rules; return the registry person of the child.

    An unknown number and a wrong name give the same message, so the form
    cannot be used to read the registry.
    """
    person = Person.objects.filter(insurance_number=insurance_number).first()
    if person is None or normalize_name(person.full_name) != normalize_name(full_name):
        raise ValidationError(CHILD_REGISTRY_MISMATCH, code="registry_mismatch")
    if insurance_number == guardian.username:
        raise ValidationError(CHILD_IS_SELF, code="own_number")
    if not is_minor(born=person.date_of_birth):
        raise ValidationError(CHILD_IS_ADULT.format(age=AGE_OF_MAJORITY), code="not_minor")
    if account_exists(insurance_number=insurance_number):
        raise ValidationError(CHILD_ACCOUNT_EXISTS, code="account_exists")
    if open_declaration_exists(insurance_number=insurance_number):
        raise ValidationError(OPEN_DECLARATION_EXISTS, code="open_declaration")
    return person


def child_office_suggestion(*, person: Person) -> Office | None:
    """The office to suggest: the child's managing office, else the province
    office of the card's initial-care facility (its first 2 digits)."""
    if person.office_id:
        return Office.objects.select_related("parent").filter(pk=person.office_id).first()
    card = card_for_person(person=person)
    if card is None:
        return None
    return Office.objects.filter(code=f"0{card.kcb_code[:2]}", level=Office.Level.PROVINCE).first()


def child_declaration_submit(
    *,
    guardian,
    insurance_number: str,
    full_name: str,
    office: Office,
    submission_mode: str,
    images: Mapping[str, File],
    submission_key: str,
    draft: DeclarationDraft | None = None,
    ip: str | None = None,
) -> Declaration:
    """File the child-account tờ khai; the guardian is its contact.

    The SMS with the code and the download link goes to the guardian's phone
    and the PDF to the guardian's e-mail when there is one.
    """
    phone = account_sms_phone(user=guardian)
    if not phone:
        raise ValidationError(GUARDIAN_NO_PHONE, code="guardian_no_phone")
    guardian_person = Person.objects.filter(insurance_number=guardian.username).first()

    def build() -> Declaration:
        person = child_check(
            guardian=guardian, insurance_number=insurance_number, full_name=full_name
        )
        return Declaration(
            kind=Declaration.Kind.CHILD_ACCOUNT,
            guardian=guardian,
            full_name=person.full_name,
            insurance_number=insurance_number,
            date_of_birth=person.date_of_birth,
            id_number="",
            contact_address=(guardian_person.address if guardian_person else "")[:255],
            contact_person=guardian.full_name or guardian.username,
            email=guardian.email,
            phone=phone,
            office=office,
            submission_mode=submission_mode,
            send_form_by_email=bool(guardian.email),
        )

    return declaration_store(
        build=build, images=images, submission_key=submission_key, draft=draft, ip=ip
    )


def child_declaration_submit_from_draft(
    *,
    draft: DeclarationDraft,
    guardian,
    insurance_number: str,
    full_name: str,
    office,
    mode: str,
    ip: str | None = None,
) -> Declaration:
    from .selectors import declaration_by_submission_key

    existing = declaration_by_submission_key(key=draft.token)
    if existing is not None:
        return existing
    return child_declaration_submit(
        guardian=guardian,
        insurance_number=insurance_number,
        full_name=full_name,
        office=office,
        submission_mode=mode,
        images=draft_images(draft=draft, slots=CHILD_IMAGE_SLOTS),
        submission_key=draft.token,
        draft=draft,
        ip=ip,
    )
