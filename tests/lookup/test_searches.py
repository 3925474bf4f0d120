"""The GET lookups: folded search, filters, hierarchy, pages, suggestions, links."""

import re
import unicodedata

import pytest

from lookup import selectors
from lookup.models import CollectionPoint, EmployerUnit, MedicalFacility, Office

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    return [obj.code for obj in response.context["page_obj"].object_list]


@pytest.mark.parametrize(
    "typed", ["quan 4", "Quận 4", "QUẬN   4", unicodedata.normalize("NFD", "Quận 4"), "07914"]
)
def test_office_search_ignores_diacritics_case_spaces_and_takes_the_code(
    client, reference_data, typed
):
    response = client.get("/tra-cuu/co-quan-bhxh/", {"q": typed})
    assert codes(response) == ["07914"]


def test_office_shows_parent_address_phone_hours_and_a_map_link(client, reference_data):
    html = client.get("/tra-cuu/co-quan-bhxh/", {"q": "quan 4"}).content.decode()
    office = Office.objects.get(code="07914")
    assert "[079] BHXH Tp. Hồ Chí Minh" in html
    assert office.address in html and office.phone in html
    assert "7:30–11:30" in html
    match = re.search(
        r'href="(https://www\.openstreetmap\.org/\?mlat=([\d.]+)&amp;mlon=([\d.]+)[^"]*)"', html
    )
    assert match, "map link with dotted coordinates"
    assert float(match.group(2)) == pytest.approx(float(office.latitude))
    assert f'href="geo:{match.group(2)},{match.group(3)}' in html


def test_browsing_shows_province_offices_then_a_province_shows_its_tree(client, reference_data):
    start = client.get("/tra-cuu/co-quan-bhxh/")
    assert start.context["page_obj"].paginator.count == 63
    assert (
        'href="?province=79"' in client.get("/tra-cuu/co-quan-bhxh/", {"page": 3}).content.decode()
    )
    tree = client.get("/tra-cuu/co-quan-bhxh/", {"province": "79"})
    assert tree.context["page_obj"].paginator.count == 23
    assert codes(tree)[:2] == ["079", "07901"]


def test_office_search_suggests_a_near_name_when_nothing_matches(client, reference_data):
    response = client.get("/tra-cuu/co-quan-bhxh/", {"q": "cau giai"})
    html = response.content.decode()
    assert response.context["page_obj"].paginator.count == 0
    assert "Có phải bạn muốn tìm:" in html
    assert 'href="?q=C%E1%BA%A7u+Gi%E1%BA%A5y"' in html
    assert codes(client.get("/tra-cuu/co-quan-bhxh/", {"q": "Cầu Giấy"})) == ["00105"]


def test_an_unknown_word_gives_an_empty_state_without_suggestion(client, reference_data):
    html = client.get("/tra-cuu/co-so-kcb/", {"q": "xyzzyq"}).content.decode()
    assert "Không tìm thấy kết quả phù hợp." in html
    assert "Có phải bạn muốn tìm:" not in html


def test_facility_search_by_name_both_ways_and_by_printed_code(client, reference_data):
    for typed in ["cho ray", "Chợ Rẫy", "79 - 001", "79001"]:
        assert codes(client.get("/tra-cuu/co-so-kcb/", {"q": typed})) == ["79001"], typed
    html = client.get("/tra-cuu/co-so-kcb/", {"q": "cho ray"}).content.decode()
    assert "79 - 001" in html
    assert "Có hợp đồng KCB BHYT" in html


def test_facility_suggestion_for_a_misspelt_name(client, reference_data):
    response = client.get("/tra-cuu/co-so-kcb/", {"q": "cho rai"})
    assert response.context["suggestion"] == "Chợ Rẫy"


def test_facility_filters_by_province_and_both_flags(client, reference_data):
    response = client.get("/tra-cuu/co-so-kcb/", {"province": "79", "bhyt": "1", "sick_leave": "1"})
    page = response.context["page_obj"]
    expected = MedicalFacility.objects.filter(
        province_id="79", has_bhyt_contract=True, may_issue_sick_leave=True
    )
    assert page.paginator.count == expected.count() > 0
    assert all(
        f.province_id == "79" and f.has_bhyt_contract and f.may_issue_sick_leave
        for f in page.object_list
    )
    without_contract = client.get("/tra-cuu/co-so-kcb/", {"bhyt": "0"}).context["page_obj"]
    assert (
        without_contract.paginator.count
        == MedicalFacility.objects.filter(has_bhyt_contract=False).count()
    )
    assert not any(f.has_bhyt_contract for f in without_contract.object_list)


def test_facility_level_filter_and_an_invalid_filter_is_a_field_error(client, reference_data):
    central = client.get("/tra-cuu/co-so-kcb/", {"level": "central"}).context["page_obj"]
    assert {f.level for f in central.object_list} == {"central"}
    response = client.get("/tra-cuu/co-so-kcb/", {"bhyt": "maybe"})
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert 'id="id_bhyt_error"' in response.content.decode()


def test_results_are_paginated_and_pages_keep_the_filters(client, reference_data):
    first = client.get("/tra-cuu/co-so-kcb/", {"province": "01"})
    page = first.context["page_obj"]
    assert len(page.object_list) == 20 and page.has_next()
    html = first.content.decode()
    assert 'href="?province=01&amp;page=2"' in html
    second = client.get("/tra-cuu/co-so-kcb/", {"province": "01", "page": "2"})
    assert set(codes(first)).isdisjoint(codes(second))
    # A page number out of range shows the last page rather than an error.
    assert client.get("/tra-cuu/co-so-kcb/", {"page": "9999"}).status_code == 200


def test_a_result_page_carries_its_own_share_link(client, reference_data):
    html = client.get("/tra-cuu/co-so-kcb/", {"q": "cho ray", "province": "79"}).content.decode()
    assert 'id="share-link"' in html
    assert 'href="http://testserver/tra-cuu/co-so-kcb/?q=cho+ray&amp;province=79"' in html
    assert 'data-copy-target="share-link"' in html


def test_employer_search_by_code_tax_code_or_name(client, reference_data):
    unit = EmployerUnit.objects.filter(tax_code__regex=r"^\d{13}$").first()
    for typed in [unit.code.lower(), unit.tax_code, unit.display_tax_code, unit.name.upper()]:
        assert unit.code in codes(client.get("/tra-cuu/don-vi/", {"q": typed})), typed
    html = client.get("/tra-cuu/don-vi/", {"q": unit.code}).content.decode()
    assert unit.office.name in html
    assert unit.get_status_display() in html


def test_employers_are_not_listed_without_a_query(client, reference_data):
    response = client.get("/tra-cuu/don-vi/")
    assert response.context["page_obj"] is None
    assert "Nhập mã đơn vị, mã số thuế hoặc tên đơn vị" in response.content.decode()


def test_collection_points_need_a_province_and_filter_by_district(client, reference_data):
    start = client.get("/tra-cuu/diem-thu/")
    assert start.context["page_obj"] is None
    assert "Vui lòng chọn" not in start.content.decode()
    no_province = client.get("/tra-cuu/diem-thu/", {"q": "buu dien"})
    assert "Vui lòng chọn tỉnh/thành phố để xem điểm thu." in no_province.content.decode()
    quan4 = client.get("/tra-cuu/diem-thu/", {"province": "79", "district": "773"})
    points = quan4.context["page_obj"].object_list
    assert points and all(p.district_id == "773" for p in points)
    assert {p.kind for p in points} >= {
        CollectionPoint.Kind.POST_OFFICE,
        CollectionPoint.Kind.AGENT,
    }
    assert "Quận 4" in quan4.content.decode()


def test_collection_point_district_list_follows_the_chosen_province(client, reference_data):
    html = client.get("/tra-cuu/diem-thu/", {"province": "79"}).content.decode()
    assert '<option value="773">Quận 4</option>' in html
    assert '<option value="005">' not in html  # Cầu Giấy is in Hà Nội


def test_lookup_index_links_the_five_lookups(client):
    html = client.get("/tra-cuu/").content.decode()
    for path in ["ma-so-bhxh", "co-quan-bhxh", "co-so-kcb", "don-vi", "diem-thu"]:
        assert f'href="/tra-cuu/{path}/"' in html


def test_search_pages_work_in_english_too(client, reference_data):
    client.cookies["django_language"] = "en"
    response = client.get("/tra-cuu/co-so-kcb/", {"q": "cho ray"})
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "1 result for “cho ray”" in html
    assert "Has a health insurance contract" in html


def test_query_count_does_not_grow_with_the_page(
    client, reference_data, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        client.get("/tra-cuu/co-quan-bhxh/", {"province": "01"})
    with django_assert_max_num_queries(6):
        client.get("/tra-cuu/don-vi/", {"q": "cong ty"})


def test_searches_are_rate_limited_per_address(client, hcm):
    import time_machine

    from lookup import views

    limit = views.SEARCH_LIMIT_PER_MINUTE
    # Frozen inside one window: a minute boundary must not reset the count.
    with time_machine.travel("2026-03-02 08:00:05 +0700", tick=False):
        for _i in range(limit):
            client.get("/tra-cuu/co-quan-bhxh/", {"q": "quan"})
        response = client.get("/tra-cuu/co-quan-bhxh/", {"q": "quan"})
        assert response.status_code == 429
        # Browsing without a query is not counted.
        assert client.get("/tra-cuu/co-quan-bhxh/").status_code == 200


def test_search_terms_compact_printed_codes_but_not_words():
    assert selectors.search_terms(" 79 - 011 ") == ["79011"]
    assert selectors.search_terms("0301234567-001") == ["0301234567001"]
    assert selectors.search_terms("Phan Rang-Tháp Chàm") == ["phan", "rang-thap", "cham"]
    assert selectors.search_terms("Quận 4") == ["quan", "4"]


def test_saving_a_facility_keeps_its_folded_search_text(hcm):
    facility = MedicalFacility(
        code="79999", name="Trạm Y tế Phường 9", level="commune", province=hcm["province"]
    )
    facility.save()
    assert facility.search_text == "79999 tram y te phuong 9"
    facility.name = "Trạm Y tế Phường Đa Kao"
    facility.save(update_fields=["name"])
    facility.refresh_from_db()
    assert facility.search_text == "79999 tram y te phuong da kao"
