"""Tra cứu mã số BHXH: matching, safe output, several matches, captcha, limits."""

import datetime as dt
import unicodedata

import pytest

from lookup.services import InsuranceLookupOutcome, insurance_number_lookup
from tests.conftest import captcha_post_data

pytestmark = pytest.mark.django_db

URL = "/tra-cuu/ma-so-bhxh/"
API = "/api/v1/lookup/insurance-number/"


@pytest.fixture
def one_window():
    """Keep a whole test inside one rate-limit window."""
    import time_machine

    with time_machine.travel("2026-03-02 08:00:05 +0700", tick=False):
        yield


def lookup(**overrides):
    values = {
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": dt.date(1990, 5, 15),
        "province_code": "79",
        "id_number": "079190001234",
    }
    values.update(overrides)
    return insurance_number_lookup(**values)


def form_data(**overrides) -> dict:
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": "1990-05-15",
        "province": "79",
        "id_number": "079190001234",
        "parent_name": "",
        **captcha_post_data(),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "typed",
    [
        "nguyen thi hoa",
        "NGUYEN  THI   HOA ",
        "Nguyễn Thị Hoa",
        unicodedata.normalize("NFD", "Nguyễn Thị Hoa"),
        "nguyễn thị hoa",
    ],
)
def test_name_matches_ignoring_case_spaces_and_diacritics(person_factory, typed):
    person = person_factory()
    result = lookup(full_name=typed)
    assert result.outcome == InsuranceLookupOutcome.FOUND
    assert result.match.insurance_number == person.insurance_number


def test_a_name_stored_without_diacritics_is_found_by_one_typed_with_them(person_factory):
    person = person_factory(full_name="Nguyen Thi Hoa")
    assert lookup(full_name="Nguyễn Thị Hoa").match.insurance_number == person.insurance_number


def test_a_wrong_birth_date_province_or_id_number_finds_nobody(person_factory):
    person_factory()
    assert lookup(date_of_birth=dt.date(1990, 5, 16)).outcome == InsuranceLookupOutcome.NOT_FOUND
    assert lookup(province_code="01").outcome == InsuranceLookupOutcome.NOT_FOUND
    assert lookup(id_number="079190009999").outcome == InsuranceLookupOutcome.NOT_FOUND


def test_the_parent_name_can_replace_the_id_number_and_must_match(person_factory):
    person = person_factory()
    found = lookup(id_number="", parent_name="nguyen van binh")
    assert found.match.insurance_number == person.insurance_number
    wrong = lookup(id_number="", parent_name="Trần Văn Bình")
    assert wrong.outcome == InsuranceLookupOutcome.NOT_FOUND
    # Both given: both must match.
    assert lookup(parent_name="Trần Văn Bình").outcome == InsuranceLookupOutcome.NOT_FOUND


def test_page_shows_only_the_number_name_masked_birth_date_and_office(
    client, captcha_code, person_factory
):
    person_factory(insurance_number="7901234567", address="12 Đường số 3, Phường 9")
    response = client.post(URL, form_data())
    html = response.content.decode()
    assert response.status_code == 200
    assert "7901234567" in html
    assert "Nguyễn Thị Hoa" in html
    assert "**/**/1990" in html
    assert "BHXH Quận 4" in html
    for secret in ["15/05/1990", "1990-05-15", "079190001234", "Đường số 3", "Nguyễn Văn Bình"]:
        assert secret not in html


def test_no_match_says_so_without_echoing_the_id_number(client, captcha_code, person_factory):
    person_factory()
    response = client.post(URL, form_data(id_number="001099012345"))
    html = response.content.decode()
    assert "Không tìm thấy mã số BHXH" in html
    assert "001099012345" not in html


def test_several_matches_ask_for_more_detail_and_list_nobody(client, captcha_code, person_factory):
    first = person_factory(id_number="")
    second = person_factory(id_number="")
    response = client.post(URL, form_data(id_number="", parent_name="Nguyễn Văn Bình"))
    html = response.content.decode()
    assert "Cần thêm thông tin" in html
    assert first.insurance_number not in html
    assert second.insurance_number not in html


def test_without_id_number_or_parent_name_the_form_asks_for_one(
    client, captcha_code, person_factory
):
    person_factory()
    response = client.post(URL, form_data(id_number=""))
    assert "Vui lòng nhập số CMND/CCCD hoặc họ tên cha/mẹ" in response.content.decode()


def test_a_wrong_captcha_gives_no_answer(client, captcha_code, person_factory):
    person_factory(insurance_number="7901234567")
    response = client.post(URL, form_data(**captcha_post_data(answer="WXYZ")))
    html = response.content.decode()
    assert "Mã kiểm tra không đúng" in html
    assert "7901234567" not in html
    assert "079190001234" not in html


def test_the_lookup_is_a_post_so_a_query_string_searches_nothing(client, person_factory):
    person_factory(insurance_number="7901234567")
    response = client.get(URL, {"full_name": "Nguyễn Thị Hoa", "id_number": "079190001234"})
    assert response.status_code == 200
    assert "7901234567" not in response.content.decode()


def test_eleventh_attempt_in_a_minute_is_refused_wrong_captchas_included(
    client, captcha_code, person_factory, one_window
):
    person_factory()
    for _attempt in range(5):
        assert client.post(URL, form_data(**captcha_post_data(answer="WXYZ"))).status_code == 200
    for _attempt in range(5):
        assert client.post(URL, form_data()).status_code == 200
    response = client.post(URL, form_data())
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Bạn đã thao tác quá nhiều lần" in response.content.decode()


def test_the_limit_is_per_client_address(client, captcha_code, person_factory, one_window):
    person_factory()
    for _attempt in range(10):
        client.post(URL, form_data(), REMOTE_ADDR="10.0.0.1")
    assert client.post(URL, form_data(), REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post(URL, form_data(), REMOTE_ADDR="10.0.0.2").status_code == 200


# API -------------------------------------------------------------------------
def api_data(client, **overrides) -> dict:
    captcha = client.post("/api/v1/lookup/captcha/").json()
    data = {
        "full_name": "nguyen thi hoa",
        "date_of_birth": "1990-05-15",
        "province": "79",
        "id_number": "079190001234",
        "captcha_key": captcha["captcha_key"],
        "captcha_answer": "ABCD",
    }
    data.update(overrides)
    return data


def test_api_returns_the_same_safe_fields(client, captcha_code, person_factory):
    person_factory(insurance_number="7901234567")
    response = client.post(API, api_data(client), content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "found"
    assert body["match"] == {
        "insurance_number": "7901234567",
        "full_name": "Nguyễn Thị Hoa",
        "masked_date_of_birth": "**/**/1990",
        "office_code": "07914",
        "office_name": "BHXH Quận 4",
    }
    assert "079190001234" not in response.content.decode()
    assert "1990-05-15" not in response.content.decode()


def test_api_answers_bad_input_with_a_field_map(client, captcha_code, hcm):
    response = client.post(
        API,
        {"full_name": "", "date_of_birth": "15-05-1990", "province": "99", "id_number": "12"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert {"full_name", "date_of_birth", "province", "id_number", "captcha_key"} <= set(body)


def test_api_refuses_a_wrong_captcha(client, captcha_code, person_factory):
    person_factory(insurance_number="7901234567")
    response = client.post(
        API, api_data(client, captcha_answer="WXYZ"), content_type="application/json"
    )
    assert response.status_code == 400
    assert "captcha_answer" in response.json()
    assert "7901234567" not in response.content.decode()


def test_api_not_found_and_ambiguous(client, captcha_code, person_factory):
    person_factory(id_number="")
    person_factory(id_number="")
    not_found = client.post(API, api_data(client), content_type="application/json").json()
    assert not_found == {"outcome": "not_found", "message": not_found["message"], "match": None}
    several = client.post(
        API,
        api_data(client, id_number="", parent_name="Nguyễn Văn Bình"),
        content_type="application/json",
    ).json()
    assert several["outcome"] == "ambiguous"
    assert several["match"] is None


def test_api_is_rate_limited_with_json_429(client, captcha_code, person_factory, one_window):
    person_factory()
    for _attempt in range(10):
        client.post(API, api_data(client), content_type="application/json")
    response = client.post(API, api_data(client), content_type="application/json")
    assert response.status_code == 429
    assert response.json()["retry_after"] >= 1
