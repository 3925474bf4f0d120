import datetime as dt
import io

import pytest
import time_machine
import zxingcpp
from PIL import Image

from insurance.card_image import card_png
from insurance.cards import card_number_parse, card_qr_parse, card_qr_payload, card_validity
from insurance.models import HealthInsuranceCard, validate_card_number

from .factories import CardFactory, PersonFactory


def test_new_card_number_is_the_ten_digit_insurance_number():
    number = card_number_parse("7901234567")
    assert not number.is_old_format
    assert number.insurance_number == "7901234567"
    assert number.printed == "79 012 34567"


def test_old_card_number_carries_group_level_and_province():
    number = card_number_parse("hs4 01 0120878811")
    assert number.is_old_format
    assert (number.group, number.level, number.province) == ("HS", 4, "01")
    assert number.insurance_number == "0120878811"
    assert number.printed == "HS 4 01 01 208 78811"


@pytest.mark.parametrize(
    "value",
    ["", "790123456", "79012345678", "DN6790123456789", "D14790123456789", "DN479012345678X"],
)
def test_malformed_card_numbers_are_refused(value):
    with pytest.raises(ValueError):
        card_number_parse(value)
    with pytest.raises(Exception, match="Số thẻ BHYT"):
        validate_card_number(value)


@pytest.mark.parametrize(
    "today,state,days_left",
    [
        (dt.date(2026, 5, 1), "valid", 244),
        (dt.date(2026, 12, 1), "expiring", 30),
        (dt.date(2026, 12, 31), "expiring", 0),
        (dt.date(2027, 1, 1), "expired", -1),
        (dt.date(2025, 12, 31), "not_yet", None),
    ],
)
def test_validity_state_by_days_left(today, state, days_left):
    validity = card_validity(
        valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31), today=today
    )
    assert validity.state == state
    assert validity.days_left == days_left


def test_a_card_without_end_date_is_valid():
    validity = card_validity(
        valid_from=dt.date(2026, 1, 1), valid_to=None, today=dt.date(2030, 1, 1)
    )
    assert validity.state == "valid"


@pytest.mark.django_db
def test_card_page_shows_the_state_in_words_and_colour_as_time_passes(client):
    from .factories import CitizenFactory

    card = CardFactory(valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31))
    user = CitizenFactory(person=card.person)
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(user)  # sessions expire after 12 hours
        html = client.get("/ca-nhan/the-bhyt/").content.decode().replace("\xa0", " ")
        assert 'class="state state-valid"' in html and "Còn hạn" in html
    with time_machine.travel(dt.datetime(2026, 12, 20, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(user)  # sessions expire after 12 hours
        html = client.get("/ca-nhan/the-bhyt/").content.decode().replace("\xa0", " ")
        assert 'class="state state-expiring"' in html and "Sắp hết hạn" in html
        assert "còn 11 ngày" in html
    with time_machine.travel(dt.datetime(2027, 1, 2, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(user)  # sessions expire after 12 hours
        html = client.get("/ca-nhan/the-bhyt/").content.decode().replace("\xa0", " ")
        assert 'class="state state-expired"' in html and "Hết hạn" in html


@pytest.mark.django_db
def test_new_card_qr_follows_the_bhyt_layout():
    card = CardFactory(person=PersonFactory(insurance_number="7901234567"))
    payload = card_qr_payload(card=card, person=card.person)
    fields = payload.split("|")
    assert len(fields) == 17 and fields[-1] == "$"
    assert fields[0] == "7901234567"
    # "Nguyễn Văn An" as lower-case hex of UTF-8, as in the domain reference.
    assert fields[1] == "4e677579e1bb856e2056c4836e20416e"
    assert fields[2:4] == ["15/05/1990", "1"]
    assert fields[4] == "-"  # new cards leave the address out
    assert fields[5] == "79 - 011"
    assert fields[6:9] == ["01/01/2026", "-", "20/12/2025"]
    assert fields[12] == " 01/01/2028"
    parsed = card_qr_parse(payload)
    assert parsed["full_name"] == "Nguyễn Văn An"
    assert parsed["issue_place"] == "Quận 4, Thành phố Hồ Chí Minh"


@pytest.mark.django_db
def test_old_card_qr_has_address_and_end_date():
    person = PersonFactory(insurance_number="7901234567")
    card = CardFactory(person=person, card_number="DN4797901234567")
    fields = card_qr_payload(card=card, person=person).split("|")
    assert len(fields) == 15 and fields[-1] == "$"
    assert bytes.fromhex(fields[4]).decode() == person.address
    assert fields[7] == "31/12/2026"


@pytest.mark.django_db
def test_card_png_carries_a_readable_qr_with_the_card_data(tmp_path):
    card = CardFactory(person=PersonFactory(insurance_number="7901234567"))
    png = card_png(card=card, person=card.person)
    (tmp_path / "card.png").write_bytes(png)
    image = Image.open(io.BytesIO(png))
    assert image.size == (1012, 638)
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    assert results[0].text == card_qr_payload(card=card, person=card.person)
    assert card_qr_parse(results[0].text)["full_name"] == "Nguyễn Văn An"


@pytest.mark.django_db
def test_database_refuses_a_benefit_level_outside_1_to_5():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CardFactory(benefit_level=6)
    assert HealthInsuranceCard.objects.count() == 0
