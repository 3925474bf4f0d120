"""What is cached for speed never crosses from one citizen to another."""

import pytest

from insurance.card_image import card_png

from .factories import CardFactory, CitizenFactory, PersonFactory, VisitFactory

pytestmark = pytest.mark.django_db

PNG = "/ca-nhan/the-bhyt/the-bhyt.png"
PERSONAL_PAGES = ["/ca-nhan/the-bhyt/", "/ca-nhan/lich-su-kcb/", "/api/v1/me/card"]


@pytest.fixture
def twins(client_factory):
    """Two citizens whose registry data is identical except the mã số."""
    citizens = []
    for number in ("7901234567", "7901234568"):
        person = PersonFactory(insurance_number=number, full_name="Nguyễn Văn An")
        card = CardFactory(person=person)
        VisitFactory(person=person, facility_name=f"Phòng khám của {number}")
        client = client_factory()
        client.force_login(CitizenFactory(person=person))
        citizens.append((person, card, client))
    return citizens


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def test_each_citizen_gets_their_own_card_image_from_the_cache(twins):
    (an, an_card, an_client), (twin, twin_card, twin_client) = twins
    first = an_client.get(PNG)
    # Twice each, in turns: the second answers come from the cache.
    for _round in range(2):
        an_png = an_client.get(PNG).content
        twin_png = twin_client.get(PNG).content
        assert an_png == first.content == card_png(card=an_card, person=an)
        assert twin_png == card_png(card=twin_card, person=twin)
        assert an_png != twin_png


def test_a_changed_card_is_drawn_again_not_served_stale(twins):
    (an, an_card, an_client), _twin = twins
    before = an_client.get(PNG)
    an_card.kcb_code, an_card.kcb_name = "79024", "Bệnh viện Quận 7"
    an_card.save()
    after = an_client.get(PNG)
    assert after.content != before.content
    assert after.content == card_png(card=an_card, person=an)
    assert after["ETag"] != before["ETag"]


def test_the_browser_revalidates_the_card_image_with_its_etag(twins):
    (_an, _card, an_client), (_twin, _twin_card, twin_client) = twins
    etag = an_client.get(PNG)["ETag"]
    assert an_client.get(PNG, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Another citizen presenting that tag still gets their own image.
    other = twin_client.get(PNG, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 200
    assert other["ETag"] != etag


@pytest.mark.parametrize("url", PERSONAL_PAGES)
def test_personal_pages_are_never_stored_by_shared_caches(twins, url):
    (_an, _card, an_client), (_twin, _twin_card, twin_client) = twins
    an_page = an_client.get(url)
    twin_page = twin_client.get(url)
    for response in (an_page, twin_page):
        assert response.status_code == 200
        control = response["Cache-Control"]
        assert "private" in control or "no-store" in control
        assert "public" not in control
    if url != "/api/v1/me/card":
        assert "Phòng khám của 7901234568" not in an_page.content.decode()
    assert an_page.content != twin_page.content
