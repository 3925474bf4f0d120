"""A guardian switches to a child's records; nobody else can (pages and API)."""

import datetime as dt

import pytest

from accounts.models import User

from .factories import CardFactory, CitizenFactory, PeriodFactory, PersonFactory, VisitFactory

pytestmark = pytest.mark.django_db

CHILD_PAGES = [
    "",
    "the-bhyt/",
    "the-bhyt/the-bhyt.png",
    "the-bhyt/xac-nhan.pdf",
    "qua-trinh-tham-gia/",
    "qua-trinh-tham-gia/trich-xuat.pdf",
    "lich-su-kcb/",
]
CHILD_API = ["card", "card/attestation", "history", "history/extract", "visits"]


@pytest.fixture
def family():
    parent = CitizenFactory(person=PersonFactory(insurance_number="7901234567"))
    parent.phone = "+84912345678"
    parent.save()
    child_person = PersonFactory(
        insurance_number="7920170902",
        full_name="Nguyễn Minh Khoa",
        date_of_birth=dt.date(2017, 9, 2),
        id_number="",
    )
    CardFactory(person=child_person, group="HS", card_number="7920170902")
    PeriodFactory(
        person=child_person, insurance_type="bhyt", employer_name="Trường Tiểu học Quận 4"
    )
    VisitFactory(person=child_person, facility_name="Bệnh viện Nhi Đồng 1")
    child = User.objects.create_user(
        username="7920170902", password="mat-khau-cua-con-1", full_name="Nguyễn Minh Khoa"
    )
    child.guardian = parent
    child.save()
    return parent, child


def test_guardian_switches_to_the_childs_card_without_signing_in_again(client, family):
    parent, child = family
    client.force_login(parent)
    dashboard = client.get("/ca-nhan/").content.decode()
    assert f'href="/ca-nhan/con/{child.pk}/"' in dashboard  # the switcher
    assert "Nguyễn Minh Khoa" in dashboard
    card = client.get(f"/ca-nhan/con/{child.pk}/the-bhyt/").content.decode()
    assert "Bạn đang xem hồ sơ của con" in card
    assert "7920170902" in card and "Học sinh" in card
    assert f"/ca-nhan/con/{child.pk}/the-bhyt/the-bhyt.png" in card
    assert "Về hồ sơ của tôi" in card
    # Pages a child has no use for are not offered.
    assert "huong-che-do" not in card


@pytest.mark.parametrize("page", CHILD_PAGES)
def test_every_child_page_opens_for_the_guardian(client, family, page):
    parent, child = family
    client.force_login(parent)
    assert client.get(f"/ca-nhan/con/{child.pk}/{page}").status_code == 200


def test_the_childs_pdfs_are_issued_about_the_child(client, family):
    """A guardian's download of a child's attestation is the child's document."""
    from insurance.models import IssuedDocument, Person

    from .pdf_tools import pdf_text

    parent, child = family
    client.force_login(parent)
    card = client.get(f"/ca-nhan/con/{child.pk}/the-bhyt/xac-nhan.pdf")
    extract = client.get(f"/api/v1/me/children/{child.pk}/history/extract")
    assert "Nguyễn Minh Khoa" in pdf_text(card.content)
    assert "Trường Tiểu học Quận 4" in pdf_text(extract.content)
    child_person = Person.objects.get(insurance_number="7920170902")
    kinds = {d.kind: d.subject for d in IssuedDocument.objects.all()}
    assert kinds["card_attestation"] == child_person.cards.get()
    assert kinds["participation_extract"] == child_person


def test_history_and_visits_are_the_childs(client, family):
    parent, child = family
    client.force_login(parent)
    history = client.get(f"/ca-nhan/con/{child.pk}/qua-trinh-tham-gia/").content.decode()
    assert "Trường Tiểu học Quận 4" in history
    visits = client.get(f"/ca-nhan/con/{child.pk}/lich-su-kcb/").content.decode()
    assert "Bệnh viện Nhi Đồng 1" in visits


@pytest.mark.parametrize("page", CHILD_PAGES)
def test_a_non_guardian_gets_404_on_the_childs_pages(client, family, page):
    _parent, child = family
    stranger = CitizenFactory(person=PersonFactory(insurance_number="7911111111"))
    client.force_login(stranger)
    assert client.get(f"/ca-nhan/con/{child.pk}/{page}").status_code == 404


def test_a_child_cannot_open_its_guardians_records_by_id(client, family):
    parent, child = family
    client.force_login(child)
    assert client.get(f"/ca-nhan/con/{parent.pk}/the-bhyt/").status_code == 404
    # Its own sign-in shows its own records.
    assert "7920170902" in client.get("/ca-nhan/the-bhyt/").content.decode()


def test_a_deactivated_child_account_is_no_longer_shown(client, family):
    parent, child = family
    child.is_active = False
    child.save()
    client.force_login(parent)
    assert client.get(f"/ca-nhan/con/{child.pk}/the-bhyt/").status_code == 404
    assert f"/ca-nhan/con/{child.pk}/" not in client.get("/ca-nhan/").content.decode()


def test_api_lists_children_and_serves_their_records(client, family):
    parent, child = family
    client.force_login(parent)
    children = client.get("/api/v1/me/children").json()
    assert children == [
        {"id": child.pk, "insurance_number": "7920170902", "full_name": "Nguyễn Minh Khoa"}
    ]
    card = client.get(f"/api/v1/me/children/{child.pk}/card").json()
    assert card["insurance_number"] == "7920170902" and card["group"] == "HS"
    history = client.get(f"/api/v1/me/children/{child.pk}/history").json()
    assert history["results"][0]["employer_name"] == "Trường Tiểu học Quận 4"
    visits = client.get(f"/api/v1/me/children/{child.pk}/visits").json()
    assert visits["results"][0]["facility_name"] == "Bệnh viện Nhi Đồng 1"


@pytest.mark.parametrize("endpoint", CHILD_API)
def test_api_gives_404_to_a_non_guardian(client, family, endpoint):
    _parent, child = family
    stranger = CitizenFactory(person=PersonFactory(insurance_number="7911111111"))
    client.force_login(stranger)
    assert client.get("/api/v1/me/children").json() == []
    response = client.get(f"/api/v1/me/children/{child.pk}/{endpoint}")
    assert response.status_code == 404
    assert "Nguyễn Minh Khoa" not in response.content.decode()


def test_the_childs_sms_go_to_the_guardian_when_it_has_no_phone(family):
    from accounts.selectors import account_sms_phone

    parent, child = family
    assert account_sms_phone(user=child) == "+84912345678"
    child.phone = "+84900000001"
    assert account_sms_phone(user=child) == "+84900000001"
