"""ACL-01 for the requests: every route with a code (or a kind) walked as the
owner, another citizen, a clerk of the office, a clerk of another office, an
administrator and an anonymous visitor; the supporting photo is private
(UPL-06): only the owner, the office's clerks and administrators see it."""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from declarations.requests.models import ServiceRequest
from declarations.requests.services import service_request_file

from .helpers import image_upload
from .request_fixtures import *  # noqa: F403
from .staff_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db
DENIED = {302, 401, 403, 404}


@pytest.fixture
def req(an, person, private_storage) -> ServiceRequest:
    """An's data correction with its photo, sent back to him for a new photo."""
    from declarations.requests.forms import DataCorrectionForm

    upload = DataCorrectionForm.base_fields["attachment"].clean(image_upload())
    service_request = service_request_file(
        kind="data_correction",
        person=person,
        filed_by=an,
        payload={
            "wrong_fields": ["full_name"],
            "full_name": "Nguyễn Văn Ân",
            "document": "cccd",
            "note": "",
        },
        attachment=upload,
        submission_key="test:req",
    )
    ServiceRequest.objects.filter(pk=service_request.pk).update(
        status="returned",
        correction_round=1,
        correction_items=[{"field": "attachment", "reason": "unreadable", "note": ""}],
    )
    service_request.refresh_from_db()
    return service_request


@pytest.fixture
def viewers(an, other_citizen, clerk_q4, clerk_q1, admin_user, person):
    from tests.insurance.factories import PersonFactory

    # The other citizen has records of their own (so their pages work).
    PersonFactory(insurance_number=other_citizen.username, office=person.office)
    return {
        "owner": an,
        "other": other_citizen,
        "clerk": clerk_q4,
        "other_clerk": clerk_q1,
        "admin": admin_user,
        "anonymous": None,
    }


def client_for(user, api: bool = False):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


# route → who gets the object (everyone else: a 302 to sign-in, 401, 403 or 404)
def citizen_routes(code: str) -> list[tuple[str, str, set]]:
    return [
        ("get", f"/ca-nhan/yeu-cau/{code}/", {"owner"}),
        ("get", f"/ca-nhan/yeu-cau/{code}/anh/", {"owner"}),
        ("get", f"/ca-nhan/yeu-cau/{code}/bo-sung/", {"owner"}),
        ("get", f"/api/v1/me/requests/{code}/", {"owner"}),
        ("get", f"/api/v1/me/requests/{code}/attachment/", {"owner"}),
    ]


def staff_routes(code: str) -> list[tuple[str, str, set]]:
    return [
        ("get", f"/can-bo/yeu-cau/{code}/", {"clerk", "admin"}),
        ("get", f"/can-bo/yeu-cau/{code}/anh/", {"clerk", "admin"}),
        ("get", f"/api/v1/staff/requests/{code}/", {"clerk", "admin"}),
        ("get", f"/api/v1/staff/requests/{code}/attachment/", {"clerk", "admin"}),
    ]


def test_every_request_route_shows_the_request_only_to_who_may_see_it(req, viewers):
    code = req.reference_code
    for method, url, allowed in citizen_routes(code) + staff_routes(code):
        for who, user in viewers.items():
            response = getattr(client_for(user), method)(url)
            if who in allowed:
                assert response.status_code == 200, (who, url, response.status_code)
            else:
                assert response.status_code in DENIED, (who, url, response.status_code)
                if response.status_code == 302:
                    assert "/dang-nhap/" in response["Location"], (who, url)
                assert "Nguyễn Văn Ân".encode() not in response.content, (who, url)


def test_the_photo_is_served_privately_to_the_owner_and_the_office(req, viewers):
    for who in ("owner", "clerk", "admin"):
        prefix = "/ca-nhan" if who == "owner" else "/can-bo"
        response = client_for(viewers[who]).get(f"{prefix}/yeu-cau/{req.reference_code}/anh/")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
        assert response["X-Content-Type-Options"] == "nosniff"
        body = b"".join(response.streaming_content)
        assert body.startswith(b"\xff\xd8") and b"Exif" not in body
    # The storage path itself is not served.
    assert client_for(viewers["owner"]).get("/media/" + req.attachment.name).status_code == 404


def test_staff_actions_on_a_request_of_another_office_are_404(req, viewers):
    base = f"/api/v1/staff/requests/{req.reference_code}/"
    ServiceRequest.objects.filter(pk=req.pk).update(status="submitted")
    actions = [("check/", {}), ("approve/", {}), ("reject/", {}), ("return/", {"items": []})]
    for who, expected in (
        ("anonymous", {401, 403}),
        ("owner", {403}),
        ("other", {403}),
        ("other_clerk", {404}),
    ):
        client = client_for(viewers[who])
        for suffix, data in actions:
            response = client.post(base + suffix, data, format="json")
            assert response.status_code in expected, (who, suffix, response.status_code)
    for who in ("other_clerk",):
        response = client_for(viewers[who]).post(
            f"/can-bo/yeu-cau/{req.reference_code}/", {"action": "check"}
        )
        assert response.status_code == 404
    req.refresh_from_db()
    assert req.status == "submitted" and not req.events.exclude(action="submitted").exists()
    # The office's clerk reaches it: a reject without a reason is a field error.
    response = client_for(viewers["clerk"]).post(base + "reject/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_the_forms_are_the_viewers_own_and_closed_to_staff(req, viewers):
    for slug in ("cap-lai-the", "sua-thong-tin", "doi-noi-kcb", "bao-sai-qua-trinh"):
        for who in ("clerk", "admin"):
            assert client_for(viewers[who]).get(f"/ca-nhan/yeu-cau/moi/{slug}/").status_code == 403
        response = client_for(None).get(f"/ca-nhan/yeu-cau/moi/{slug}/")
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
        page = client_for(viewers["other"]).get(f"/ca-nhan/yeu-cau/moi/{slug}/")
        assert page.status_code == 200 and "7901234567" not in page.content.decode()
    assert client_for(viewers["owner"]).get("/ca-nhan/yeu-cau/moi/khong-co/").status_code == 404


def test_a_photo_chosen_on_a_form_is_shown_only_to_that_browser(an, viewers):
    owner = client_for(an)
    owner.post(
        "/ca-nhan/yeu-cau/moi/sua-thong-tin/",
        {"wrong_fields": ["full_name"], "attachment": image_upload()},
    )
    assert owner.get("/ca-nhan/yeu-cau/moi/sua-thong-tin/anh/").status_code == 200
    same_user_other_browser = client_for(an)
    assert same_user_other_browser.get("/ca-nhan/yeu-cau/moi/sua-thong-tin/anh/").status_code == 404
    for who in ("other", "clerk", "anonymous"):
        response = client_for(viewers[who]).get("/ca-nhan/yeu-cau/moi/sua-thong-tin/anh/")
        assert response.status_code in DENIED


def test_a_new_photo_on_the_correction_page_is_shown_only_to_that_browser(req, an, viewers):
    owner = client_for(an)
    url = f"/ca-nhan/yeu-cau/{req.reference_code}/bo-sung/"
    response = owner.post(url, {"attachment": image_upload()})  # no commitment: kept
    assert response.status_code == 400
    assert owner.get(url + "anh/").status_code == 200
    assert client_for(an).get(url + "anh/").status_code == 404
    for who in ("other", "clerk", "admin", "anonymous"):
        assert client_for(viewers[who]).get(url + "anh/").status_code in DENIED


def test_lists_show_only_what_the_viewer_may_see(req, viewers, offices):
    owner_list = client_for(viewers["owner"]).get("/api/v1/me/requests/").json()
    assert [r["reference_code"] for r in owner_list["results"]] == [req.reference_code]
    other_list = client_for(viewers["other"]).get("/api/v1/me/requests/").json()
    assert other_list["results"] == []
    assert (
        req.reference_code
        not in client_for(viewers["other"]).get("/ca-nhan/yeu-cau/").content.decode()
    )
    staff_q1 = client_for(viewers["other_clerk"]).get("/api/v1/staff/requests/", {"status": "all"})
    assert staff_q1.json()["count"] == 0
    assert (
        req.reference_code
        not in client_for(viewers["other_clerk"])
        .get("/can-bo/yeu-cau/?trang-thai=all")
        .content.decode()
    )
    province = client_for(User.objects.get(username="quantri")).get(
        "/api/v1/staff/requests/", {"status": "all"}
    )
    assert province.json()["count"] == 1


def test_a_clerk_opening_a_request_or_its_photo_shows_in_the_citizens_log(req, viewers):
    from accounts.models import RecordAccess

    number = req.person.insurance_number
    client_for(viewers["owner"]).get(f"/ca-nhan/yeu-cau/{req.reference_code}/anh/")
    assert not RecordAccess.objects.filter(insurance_number=number).exists()  # the owner
    client_for(viewers["clerk"]).get(f"/can-bo/yeu-cau/{req.reference_code}/")
    client_for(viewers["clerk"]).get(f"/can-bo/yeu-cau/{req.reference_code}/anh/")
    client_for(viewers["admin"]).get(f"/api/v1/staff/requests/{req.reference_code}/")
    rows = RecordAccess.objects.filter(insurance_number=number).order_by("pk")
    assert [(r.subject, r.role) for r in rows] == [
        ("service_request", "clerk"),
        ("service_request_image", "clerk"),
        ("service_request", "admin"),
    ]
    assert all(r.reference.startswith(req.reference_code) for r in rows)
    log = client_for(viewers["owner"]).get("/ca-nhan/nhat-ky/").content.decode()
    assert "yêu cầu đã gửi" in log and "ảnh kèm yêu cầu" in log
