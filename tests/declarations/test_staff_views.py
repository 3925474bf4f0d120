"""/can-bo/ pages: office scoping on every URL, the queue, the detail, the actions."""

import datetime as dt

from django.utils import timezone

import pytest

from accounts.models import RecordAccess, User
from declarations.models import Declaration
from insurance.models import Person
from notifications.models import Message

from .factories import DeclarationFactory
from .staff_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def page_urls(d):
    return [f"/can-bo/to-khai/{d.reference_code}/"]


def image_urls(d):
    return [
        f"/dang-ky/ho-so/{d.reference_code}/anh/{s}/" for s in ("portrait", "id_front", "id_back")
    ]


POST_ACTIONS = [{"action": "check"}, {"action": "approve"}, {"action": "reject", "reason": "x"}]


# SCOPING ---------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_sign_in_everywhere(client, declaration_q4):
    for url in ["/can-bo/", "/can-bo/to-khai/", *page_urls(declaration_q4)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/"), url
    for url in image_urls(declaration_q4):
        assert client.get(url).status_code == 404
    for data in POST_ACTIONS:
        assert client.post(page_urls(declaration_q4)[0], data).status_code == 302
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == "submitted"


def test_citizens_are_refused_everywhere(client, declaration_q4, citizen_user):
    client.force_login(citizen_user)
    for url in ["/can-bo/", "/can-bo/to-khai/", *page_urls(declaration_q4)]:
        assert client.get(url).status_code == 403, url
    for url in image_urls(declaration_q4):
        assert client.get(url).status_code == 404, url
    for data in POST_ACTIONS:
        assert client.post(page_urls(declaration_q4)[0], data).status_code == 403
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == "submitted"


def test_staff_without_an_office_is_refused(client, declaration_q4):
    staff = User.objects.create_user("nhanvien", password="x-mat-khau-1", is_staff=True)
    client.force_login(staff)
    assert client.get("/can-bo/to-khai/").status_code == 403
    assert client.get(page_urls(declaration_q4)[0]).status_code == 403


def test_clerk_of_another_office_gets_404_on_every_url_and_sees_nothing(
    client, declaration_q4, clerk_q1
):
    client.force_login(clerk_q1)
    for url in page_urls(declaration_q4) + image_urls(declaration_q4):
        assert client.get(url).status_code == 404, url
    for data in POST_ACTIONS:
        assert client.post(page_urls(declaration_q4)[0], data).status_code == 404
    queue = client.get("/can-bo/to-khai/", {"trang-thai": "all"}).content.decode()
    assert declaration_q4.reference_code not in queue
    search = client.get("/can-bo/to-khai/", {"q": declaration_q4.reference_code})
    assert search.context["page_obj"].paginator.count == 0
    home = client.get("/can-bo/")
    assert [c for v, _l, c in home.context["statuses"] if v == "submitted"] == [0]
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == "submitted" and not declaration_q4.events.exists()


def test_clerk_of_the_office_province_clerk_and_admin_see_it(
    client, declaration_q4, clerk_q4, province_clerk, admin_user
):
    for user in (clerk_q4, province_clerk, admin_user):
        client.force_login(user)
        for url in page_urls(declaration_q4) + image_urls(declaration_q4):
            response = client.get(url)
            assert response.status_code == 200, (user, url)
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Type"] == "image/jpeg"


def test_unknown_image_slot_is_404(client, declaration_q4, clerk_q4):
    client.force_login(clerk_q4)
    secret = f"/dang-ky/ho-so/{declaration_q4.reference_code}/anh/secret/"
    assert client.get(secret).status_code == 404


# HOME AND QUEUE --------------------------------------------------------------
def test_home_counts_declarations_per_status_and_links_account_support(client, offices, clerk_q4):
    DeclarationFactory.create_batch(3, office=offices.q4)
    DeclarationFactory(office=offices.q4, received=True)
    DeclarationFactory(office=offices.q4, rejected=True)
    DeclarationFactory(office=offices.q1)
    client.force_login(clerk_q4)
    response = client.get("/can-bo/")
    counts = {value: count for value, _label, count in response.context["statuses"]}
    assert counts == {"submitted": 3, "received": 1, "returned": 0, "approved": 0, "rejected": 1}
    assert response.context["open_count"] == 4
    html = response.content.decode()
    assert 'href="/can-bo/tai-khoan/"' in html and 'href="/can-bo/hoi-dap/"' in html


def test_queue_finds_a_name_typed_without_diacritics(client, offices, clerk_q4):
    DeclarationFactory(office=offices.q4, full_name="Nguyễn Văn An")
    DeclarationFactory(office=offices.q4, full_name="Đặng Thị Đào")
    DeclarationFactory(office=offices.q4, full_name="Trần Văn Bình")
    client.force_login(clerk_q4)
    found = client.get("/can-bo/to-khai/", {"q": "nguyen van an"}).context["page_obj"]
    assert [d.full_name for d in found] == ["Nguyễn Văn An"]
    found = client.get("/can-bo/to-khai/", {"q": "dang thi dao"}).context["page_obj"]
    assert [d.full_name for d in found] == ["Đặng Thị Đào"]
    found = client.get("/can-bo/to-khai/", {"q": "VĂN"}).context["page_obj"]
    assert len(found) == 2


def test_queue_finds_by_code_insurance_number_and_phone(client, offices, clerk_q4):
    target = DeclarationFactory(office=offices.q4, phone="+84987654321")
    DeclarationFactory(office=offices.q4)
    client.force_login(clerk_q4)
    for q in (target.reference_code.lower(), target.insurance_number, "0987 654 321"):
        found = client.get("/can-bo/to-khai/", {"q": q}).context["page_obj"]
        assert [d.pk for d in found] == [target.pk], q


def test_queue_filters_by_status_mode_kind_and_dates_newest_first(client, offices, clerk_q4):
    old = DeclarationFactory(office=offices.q4)
    Declaration.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=10))
    new = DeclarationFactory(office=offices.q4, submission_mode="by_post")
    done = DeclarationFactory(office=offices.q4, approved=True)
    client.force_login(clerk_q4)

    def codes(**params):
        page = client.get("/can-bo/to-khai/", params).context["page_obj"]
        return [d.pk for d in page]

    assert codes() == [new.pk, old.pk]  # open ones by default, newest first
    assert codes(**{"trang-thai": "all"}) == [done.pk, new.pk, old.pk]
    assert codes(**{"trang-thai": "approved"}) == [done.pk]
    assert codes(**{"hinh-thuc": "by_post"}) == [new.pk]
    assert codes(loai="child_account") == []
    today = timezone.localdate().isoformat()
    assert codes(**{"tu-ngay": today}) == [new.pk]
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert codes(**{"den-ngay": week_ago}) == [old.pk]


def test_queue_shows_a_date_error_next_to_the_field_and_keeps_input(client, clerk_q4):
    client.force_login(clerk_q4)
    response = client.get(
        "/can-bo/to-khai/", {"q": "nguyen", "tu-ngay": "2026-05-02", "den-ngay": "2026-05-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "“Đến ngày” phải sau hoặc bằng “Nộp từ ngày”." in html
    assert 'value="nguyen"' in html


def test_queue_paginates_and_keeps_filters_in_page_links(client, offices, clerk_q4):
    DeclarationFactory.create_batch(30, office=offices.q4, full_name="Lê Văn Cường")
    client.force_login(clerk_q4)
    first = client.get("/can-bo/to-khai/", {"q": "le van"})
    assert len(first.context["page_obj"]) == 25
    assert "q=le+van&amp;trang=2" in first.content.decode()
    second = client.get("/can-bo/to-khai/", {"q": "le van", "trang": 2})
    assert len(second.context["page_obj"]) == 5


def test_queue_query_count_does_not_grow_with_rows(
    client, offices, clerk_q4, django_assert_max_num_queries
):
    DeclarationFactory.create_batch(25, office=offices.q4)
    client.force_login(clerk_q4)
    client.get("/can-bo/to-khai/")
    with django_assert_max_num_queries(8):
        client.get("/can-bo/to-khai/", {"q": "nguyen"})


def test_empty_queue_says_so(client, clerk_q4):
    client.force_login(clerk_q4)
    assert "Không có tờ khai nào" in client.get("/can-bo/to-khai/").content.decode()


# DETAIL AND ACTIONS ----------------------------------------------------------
def test_detail_compares_with_the_registry_and_highlights_mismatches(
    client, declaration_q4, clerk_q4
):
    Declaration.objects.filter(pk=declaration_q4.pk).update(id_number="079090009999")
    client.force_login(clerk_q4)
    response = client.get(page_urls(declaration_q4)[0])
    rows = {r.label: r for r in response.context["comparison"]}
    assert rows["Số CMND/HC/CC"].matches is False
    assert rows["Họ và tên"].matches and rows["Ngày sinh"].matches
    html = response.content.decode()
    assert html.count('class="mismatch"') == 1 and "Không khớp" in html
    assert "079090009999" in html and "079090001234" in html
    assert html.count(f'src="/dang-ky/ho-so/{declaration_q4.reference_code}/anh/') == 3


def test_detail_says_when_the_number_is_not_in_the_registry(client, declaration_q1, clerk_q1):
    client.force_login(clerk_q1)
    html = client.get(page_urls(declaration_q1)[0]).content.decode()
    assert "Không tìm thấy mã số BHXH này trong dữ liệu BHXH." in html


def test_check_then_approve_through_the_page(client, declaration_q4, clerk_q4):
    client.force_login(clerk_q4)
    url = page_urls(declaration_q4)[0]
    response = client.post(url, {"action": "approve"}, follow=True)
    assert "Chưa kiểm tra giấy tờ" in response.content.decode()
    response = client.post(url, {"action": "check"}, follow=True)
    assert "Đã ghi nhận: giấy tờ đã được kiểm tra." in response.content.decode()
    response = client.post(url, {"action": "approve"}, follow=True)
    html = response.content.decode()
    assert f"Tài khoản {declaration_q4.insurance_number} đã được tạo" in html
    assert User.objects.get(username=declaration_q4.insurance_number).must_change_password
    password_sms = Message.objects.get(template="account_approved", channel="sms")
    assert password_sms.text.split("Mật khẩu khởi tạo: ")[1][:10] not in html
    history = [e.action for e in response.context["history"]]
    assert history == ["checked", "approved"]
    assert [e.ip for e in response.context["history"]] == ["127.0.0.1", "127.0.0.1"]


def test_reject_without_reason_shows_the_error_and_keeps_the_page(client, declaration_q4, clerk_q4):
    client.force_login(clerk_q4)
    response = client.post(page_urls(declaration_q4)[0], {"action": "reject", "reason": " "})
    assert response.status_code == 400
    assert "Vui lòng chọn hoặc nhập lý do từ chối." in response.content.decode()
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == "submitted"


def test_reject_with_a_common_reason_and_a_note(client, declaration_q4, clerk_q4):
    client.force_login(clerk_q4)
    reason = "Ảnh giấy tờ tùy thân bị mờ, mất góc hoặc không đọc được."
    response = client.post(
        page_urls(declaration_q4)[0],
        {"action": "reject", "common_reason": reason, "reason": "Chụp lại mặt sau."},
        follow=True,
    )
    declaration_q4.refresh_from_db()
    assert declaration_q4.reject_reason == reason + " Chụp lại mặt sau."
    assert "Đã từ chối tờ khai." in response.content.decode()
    sms = Message.objects.get(template="declaration_rejected", channel="sms")
    assert f"/dang-ky/tra-cuu/?ma={declaration_q4.reference_code}" in sms.text
    assert "Chụp lại mặt sau." not in sms.text  # read on the status page


def test_acting_on_a_decided_declaration_shows_the_current_state(client, declaration_q4, clerk_q4):
    Declaration.objects.filter(pk=declaration_q4.pk).update(
        status="rejected", reject_reason="Trùng hồ sơ"
    )
    client.force_login(clerk_q4)
    response = client.post(page_urls(declaration_q4)[0], {"action": "check"}, follow=True)
    assert "trạng thái hiện tại: “Bị từ chối”" in response.content.decode()


def test_looking_up_an_account_at_the_counter_is_recorded(client, clerk_q4, offices):
    Person.objects.create(
        insurance_number="7901112223",
        full_name="Phạm Văn Đức",
        date_of_birth=dt.date(1980, 1, 1),
        gender="M",
        office=offices.q4,
    )
    account = User.objects.create_user("7901112223", password="mat-khau-cong-dan-2")
    client.force_login(clerk_q4)
    client.get("/can-bo/tai-khoan/", {"q": "7901112223"})
    # One log of staff openings (issue 20), shown in the citizen's log.
    opened = RecordAccess.objects.get(insurance_number=account.username, subject="account")
    assert opened.actor == clerk_q4 and opened.ip == "127.0.0.1"
