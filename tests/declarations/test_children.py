"""The guardian's tờ khai for a child, "Xem tờ khai", and the child's account."""

import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest
from pypdf import PdfReader

from accounts.models import User
from declarations.children import child_check, is_minor
from declarations.models import Declaration
from declarations.review import declaration_approve, declaration_mark_checked
from insurance.models import Person
from notifications.models import Message
from tests.insurance.factories import CardFactory

from .helpers import image_upload
from .staff_fixtures import make_clerk

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


@pytest.fixture
def guardian(person):
    user = User.objects.create_user(
        username=person.insurance_number,
        password="mat-khau-giam-ho-1",
        full_name=person.full_name,
        phone="+84912345678",
        email="an@example.vn",
    )
    person.address = "12 Đường số 3, Phường 9, Quận 4, TP. Hồ Chí Minh"
    person.save()
    return user


@pytest.fixture
def child(offices) -> Person:
    person = Person.objects.create(
        insurance_number="7920170902",
        full_name="Nguyễn Minh Khoa",
        date_of_birth=years_ago(9),
        gender="M",
        parent_name="Nguyễn Văn An",
        office=offices.q4,
    )
    CardFactory(person=person, group="HS", kcb_code="79011")
    return person


@pytest.fixture
def signed_in(client, guardian):
    client.force_login(guardian)
    return client


def register_child(client, *, number="7920170902", name="nguyễn minh  KHOA", mode="at_office"):
    """Walk the wizard up to the commitment; return the last response."""
    response = client.post(
        "/ca-nhan/dang-ky-cho-con/",
        {"insurance_number": number, "full_name": name, "action": "continue"},
    )
    if response.status_code != 302:
        return response
    client.post(
        "/ca-nhan/dang-ky-cho-con/anh/",
        {
            "portrait": image_upload("con.jpg", width=600, height=800),
            "birth_certificate": image_upload("khai-sinh.jpg", gps=True),
            "action": "continue",
        },
    )
    client.post(
        "/ca-nhan/dang-ky-cho-con/noi-nop/",
        {"province": "079", "office": "07914", "submission_mode": mode, "action": "continue"},
    )
    client.post("/ca-nhan/dang-ky-cho-con/xem-lai/", {"action": "continue"})
    return client.post("/ca-nhan/dang-ky-cho-con/cam-ket/", {"action": "agree"})


# THE WIZARD -------------------------------------------------------------------
def test_guardian_registers_a_child_and_gets_code_sms_and_pdf_email(signed_in, guardian, child):
    response = register_child(signed_in)
    assert response.status_code == 302
    assert response["Location"] == "/ca-nhan/dang-ky-cho-con/da-gui/"
    declaration = Declaration.objects.get()
    assert declaration.kind == Declaration.Kind.CHILD_ACCOUNT
    assert declaration.guardian == guardian
    assert declaration.full_name == "Nguyễn Minh Khoa"  # the registry's spelling
    assert declaration.phone == "+84912345678"
    assert declaration.portrait and declaration.birth_certificate and not declaration.id_front

    done = signed_in.get(response["Location"]).content.decode()
    assert declaration.reference_code in done
    assert "Xem tờ khai" in done
    assert f"/ca-nhan/to-khai/{declaration.reference_code}/" in done

    sms = Message.objects.get(channel="sms")
    assert sms.recipient == "+84912345678"
    assert declaration.reference_code in sms.text
    assert "Nguyễn Minh Khoa" not in sms.text
    email = Message.objects.get(channel="email")
    assert email.recipient == "an@example.vn"
    # The tờ khai asked for by e-mail is attached; the body names no one.
    assert email.attachments.count() == 1
    assert declaration.reference_code in email.text and "Nguyễn Minh Khoa" not in email.text


def test_guardian_without_email_gets_only_the_sms(signed_in, guardian, child):
    guardian.email = ""
    guardian.save()
    register_child(signed_in)
    assert list(Message.objects.values_list("channel", flat=True)) == ["sms"]


def test_office_is_suggested_from_the_childs_card(signed_in, child, offices):
    child.office = None
    child.save()
    signed_in.post(
        "/ca-nhan/dang-ky-cho-con/",
        {"insurance_number": child.insurance_number, "full_name": child.full_name},
    )
    signed_in.post(
        "/ca-nhan/dang-ky-cho-con/anh/",
        {
            "portrait": image_upload("con.jpg"),
            "birth_certificate": image_upload("ks.jpg"),
        },
    )
    page = signed_in.get("/ca-nhan/dang-ky-cho-con/noi-nop/").content.decode()
    # The card's facility 79011 lies in Ho Chi Minh City: office 079 is preselected.
    assert '<option value="079" selected>' in page
    assert "Gợi ý theo thẻ BHYT của con" in page


def test_a_wrong_name_is_refused_and_what_was_typed_is_kept(signed_in, child):
    response = register_child(signed_in, name="Nguyễn Minh Khang")
    assert response.status_code == 400
    page = response.content.decode()
    assert "không khớp với dữ liệu của cơ quan BHXH" in page
    assert 'value="Nguyễn Minh Khang"' in page
    assert not Declaration.objects.exists()


def test_an_adult_cannot_be_registered_as_a_child(signed_in, offices):
    Person.objects.create(
        insurance_number="7900000018",
        full_name="Nguyễn Thị Mai",
        date_of_birth=years_ago(18),  # 18 today
        gender="F",
    )
    response = register_child(signed_in, number="7900000018", name="Nguyễn Thị Mai")
    assert response.status_code == 400
    assert "đã đủ 18 tuổi" in response.content.decode()
    assert not Declaration.objects.exists()


def test_minor_means_under_18_on_the_day():
    assert is_minor(born=years_ago(18, days=-1))  # turns 18 tomorrow
    assert not is_minor(born=years_ago(18))
    assert is_minor(born=dt.date(2008, 2, 29), on=dt.date(2026, 2, 28))
    assert not is_minor(born=dt.date(2008, 2, 29), on=dt.date(2026, 3, 1))


def test_a_child_who_already_has_an_account_cannot_be_registered_again(signed_in, child):
    User.objects.create_user(username=child.insurance_number, password="x-y-z-1234567")
    response = register_child(signed_in)
    assert response.status_code == 400
    assert "đã có tài khoản giao dịch điện tử" in response.content.decode()
    assert not Declaration.objects.exists()


def test_a_child_with_a_pending_declaration_cannot_be_registered_twice(signed_in, child):
    register_child(signed_in)
    response = register_child(signed_in)
    assert response.status_code == 400
    assert "đang chờ cơ quan BHXH xử lý" in response.content.decode()
    assert Declaration.objects.count() == 1


def test_the_guardian_cannot_register_themself(signed_in, guardian, person):
    response = register_child(signed_in, number=person.insurance_number, name=person.full_name)
    assert response.status_code == 400
    assert "chính bạn" in response.content.decode()


def test_back_keeps_everything_and_agree_submits_once(signed_in, child):
    register_child(signed_in)
    assert Declaration.objects.count() == 1
    # A second "Đồng ý" (double click, refresh) lands on the same confirmation.
    again = signed_in.post("/ca-nhan/dang-ky-cho-con/cam-ket/", {"action": "agree"})
    assert again["Location"] == "/ca-nhan/dang-ky-cho-con/da-gui/"
    assert Declaration.objects.count() == 1


def test_quay_lai_from_the_commitment_returns_to_the_review(signed_in, child):
    signed_in.post(
        "/ca-nhan/dang-ky-cho-con/",
        {"insurance_number": child.insurance_number, "full_name": child.full_name},
    )
    signed_in.post(
        "/ca-nhan/dang-ky-cho-con/anh/",
        {"portrait": image_upload("a.jpg"), "birth_certificate": image_upload("b.jpg")},
    )
    signed_in.post(
        "/ca-nhan/dang-ky-cho-con/noi-nop/",
        {"province": "079", "office": "07914", "submission_mode": "by_post"},
    )
    review = signed_in.get("/ca-nhan/dang-ky-cho-con/xem-lai/").content.decode()
    assert "Nguyễn Minh Khoa" in review and "Gửi" in review
    back = signed_in.post("/ca-nhan/dang-ky-cho-con/xem-lai/", {"action": "back"})
    assert back["Location"] == "/ca-nhan/dang-ky-cho-con/noi-nop/"
    commit = signed_in.get("/ca-nhan/dang-ky-cho-con/cam-ket/").content.decode()
    assert "Đồng ý" in commit and "người giám hộ hợp pháp" in commit
    back = signed_in.post("/ca-nhan/dang-ky-cho-con/cam-ket/", {"action": "back"})
    assert back["Location"] == "/ca-nhan/dang-ky-cho-con/xem-lai/"
    assert not Declaration.objects.exists()


def test_the_wizard_needs_a_signed_in_citizen(client, child):
    response = client.get("/ca-nhan/dang-ky-cho-con/")
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_child_check_rules_without_the_web(guardian, child):
    assert (
        child_check(
            guardian=guardian,
            insurance_number=child.insurance_number,
            full_name="  nguyễn MINH khoa ",
        )
        == child
    )
    with pytest.raises(ValidationError, match="không khớp"):
        child_check(guardian=guardian, insurance_number="7999999999", full_name="Ai Đó")


# XEM TỜ KHAI ------------------------------------------------------------------
@pytest.fixture
def submitted(signed_in, child) -> Declaration:
    register_child(signed_in)
    Message.objects.all().delete()
    return Declaration.objects.get()


def test_guardian_views_the_childs_declaration_and_its_pdf_keeps_diacritics(signed_in, submitted):
    listing = signed_in.get("/ca-nhan/to-khai/").content.decode()
    assert submitted.reference_code in listing and "Nguyễn Minh Khoa" in listing
    detail = signed_in.get(f"/ca-nhan/to-khai/{submitted.reference_code}/")
    page = detail.content.decode()
    assert "Nguyễn Minh Khoa" in page and "Chia sẻ" in page and "Sao chép" in page
    assert "/dang-ky/tai-to-khai/" in page  # the link the share sheet sends
    pdf = signed_in.get(f"/ca-nhan/to-khai/{submitted.reference_code}/to-khai.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"]
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "Nguyễn Minh Khoa" in text
    assert "TỜ KHAI ĐĂNG KÝ TÀI KHOẢN GIAO DỊCH ĐIỆN TỬ CHO TRẺ EM" in text
    assert "Người giám hộ" in text and "Nguyễn Văn An" in text


def test_own_declaration_is_listed_for_its_owner(client, guardian, offices):
    from tests.declarations.factories import DeclarationFactory

    own = DeclarationFactory(insurance_number=guardian.username, office=offices.q4)
    client.force_login(guardian)
    assert own.reference_code in client.get("/ca-nhan/to-khai/").content.decode()
    assert client.get(f"/ca-nhan/to-khai/{own.reference_code}/").status_code == 200


def test_empty_list_says_so(signed_in):
    page = signed_in.get("/ca-nhan/to-khai/").content.decode()
    assert "Bạn chưa có tờ khai nào" in page


def test_declaration_is_emailed_to_a_typed_address(signed_in, submitted):
    url = f"/ca-nhan/to-khai/{submitted.reference_code}/"
    response = signed_in.post(url, {"email": "ong.ba@example.vn"})
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.recipient == "ong.ba@example.vn"
    assert message.attachments.count() == 1
    assert "Đã gửi tờ khai đến ong.ba@example.vn" in signed_in.get(url).content.decode()


def test_a_bad_email_address_is_shown_next_to_the_field(signed_in, submitted):
    response = signed_in.post(f"/ca-nhan/to-khai/{submitted.reference_code}/", {"email": "ong.ba@"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Địa chỉ thư điện tử không hợp lệ" in page and 'value="ong.ba@"' in page
    assert not Message.objects.exists()


def test_sending_by_email_is_rate_limited(signed_in, submitted):
    url = f"/ca-nhan/to-khai/{submitted.reference_code}/"
    for i in range(5):
        assert signed_in.post(url, {"email": f"nguoi{i}@example.vn"}).status_code == 302
    response = signed_in.post(url, {"email": "nguoi6@example.vn"})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "thao tác quá nhiều lần" in response.content.decode()
    assert Message.objects.count() == 5


# WHO MAY SEE WHAT -------------------------------------------------------------
@pytest.fixture
def stranger(offices):
    Person.objects.create(
        insurance_number="7911111111",
        full_name="Lê Văn Lạ",
        date_of_birth=dt.date(1985, 1, 1),
        gender="M",
    )
    return User.objects.create_user(
        username="7911111111", password="mat-khau-nguoi-la-1", phone="+84987654321"
    )


def test_a_non_guardian_cannot_see_the_childs_declaration(client, stranger, submitted):
    client.force_login(stranger)
    code = submitted.reference_code
    assert code not in client.get("/ca-nhan/to-khai/").content.decode()
    assert client.get(f"/ca-nhan/to-khai/{code}/").status_code == 404
    assert client.get(f"/ca-nhan/to-khai/{code}/to-khai.pdf").status_code == 404
    assert client.post(f"/ca-nhan/to-khai/{code}/", {"email": "x@example.vn"}).status_code == 404
    assert not Message.objects.exists()


def test_staff_and_anonymous_do_not_get_the_citizen_pages(client, submitted):
    code = submitted.reference_code
    client.logout()
    assert "/dang-nhap/" in client.get(f"/ca-nhan/to-khai/{code}/")["Location"]
    clerk = User.objects.create_user(username="canbo", password="x-y-z-123456", is_staff=True)
    client.force_login(clerk)
    assert client.get(f"/ca-nhan/to-khai/{code}/").status_code == 403


# APPROVAL ---------------------------------------------------------------------
def approve(declaration, office, on_commit) -> User:
    """A clerk of ``office`` checks and approves; the child's new account."""
    clerk = make_clerk(office, "canbo.q4.duyet")
    with on_commit(execute=True):
        declaration_mark_checked(declaration=declaration, actor=clerk, ip="127.0.0.1")
        declaration_approve(declaration=declaration, actor=clerk, ip="127.0.0.1")
    return User.objects.get(username=declaration.insurance_number)


def test_approval_opens_the_childs_account_linked_to_the_guardian(
    submitted, guardian, offices, django_capture_on_commit_callbacks
):
    account = approve(submitted, offices.q4, django_capture_on_commit_callbacks)
    assert account.guardian == guardian and account.phone == ""
    assert account.must_change_password and account.has_usable_password()
    sms = Message.objects.get(channel="sms", about_id=account.pk)
    assert sms.recipient == "+84912345678"  # the guardian's phone


def test_the_guardian_reads_the_childs_notices_in_their_message_centre(
    signed_in, guardian, child, offices, django_capture_on_commit_callbacks
):
    from notifications.models import InboxEntry

    with django_capture_on_commit_callbacks(execute=True):
        register_child(signed_in)
    declaration = Declaration.objects.get()
    received = InboxEntry.objects.get(kind="declaration_received")
    assert received.user == guardian  # no child account yet: the guardian who filed it
    sms = Message.objects.get(channel="sms", template="declaration_received")
    assert sms.text.endswith(f"/ca-nhan/thong-bao/{received.pk}/")
    assert "Nguyễn Minh Khoa" not in sms.text and "7920170902" not in sms.text
    account = approve(declaration, offices.q4, django_capture_on_commit_callbacks)
    approved = InboxEntry.objects.get(kind="account_approved")
    assert approved.user == account
    password_sms = Message.objects.get(channel="sms", template="account_approved")
    assert password_sms.recipient == guardian.phone
    password = password_sms.text.split("Mật khẩu khởi tạo: ")[1][:10]
    html = signed_in.get(f"/ca-nhan/thong-bao/{approved.pk}/").content.decode()
    assert "Tài khoản của con: Nguyễn Minh Khoa" in html
    assert "Mật khẩu khởi tạo đã được gửi đến số điện thoại của bạn." in html
    assert password not in html
    assert f'href="/ca-nhan/con/{account.pk}/"' in html  # the child's records, not mine
    listing = signed_in.get("/ca-nhan/thong-bao/").content.decode()
    assert listing.count('class="inbox-item') == 2


def test_the_clerk_sees_the_guardians_account_next_to_the_childs_form(
    client, submitted, guardian, offices
):
    from accounts.models import StaffProfile

    clerk = User.objects.create_user(username="canbo.q4b", password="x-y-z-123456", is_staff=True)
    StaffProfile.objects.create(user=clerk, office=offices.q4)
    client.force_login(clerk)
    page = client.get(f"/can-bo/to-khai/{submitted.reference_code}/").content.decode()
    assert "Tài khoản người giám hộ" in page and guardian.username in page
    assert "birth_certificate" in page and "/anh/id_front/" not in page
