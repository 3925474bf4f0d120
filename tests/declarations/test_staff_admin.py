"""Admin: the audit logs are read-only for everyone and exportable as CSV."""

import csv
import io

from django.contrib.auth.models import Group

import pytest

from accounts.models import AccountEvent
from declarations.models import Declaration, DeclarationEvent
from declarations.review import declaration_mark_checked, declaration_reject

from .staff_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(declaration_q4, clerk_q4):
    declaration_mark_checked(declaration=declaration_q4, actor=clerk_q4, ip="198.51.100.4")
    declaration_reject(declaration=declaration_q4, actor=clerk_q4, ip="198.51.100.4", reason="=Mờ")
    return DeclarationEvent.objects.all()


def test_declaration_audit_log_cannot_be_edited_even_by_a_superuser(client, admin_user, events):
    client.force_login(admin_user)
    event = events.first()
    base = "/admin/declarations/declarationevent/"
    assert client.get(base).status_code == 200
    assert client.get(base + "add/").status_code == 403
    assert client.post(base + "add/", {"action": "approved"}).status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"{base}{event.pk}/change/", {"reason": "sửa"})
    assert response.status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert DeclarationEvent.objects.count() == 2


def test_declaration_status_cannot_be_changed_in_admin(client, admin_user, declaration_q4):
    client.force_login(admin_user)
    url = f"/admin/declarations/declaration/{declaration_q4.pk}/change/"
    assert client.post(url, {"status": "approved"}).status_code == 403
    declaration_q4.refresh_from_db()
    assert declaration_q4.status == Declaration.Status.SUBMITTED


def test_declaration_audit_log_filters_and_exports_csv(client, admin_user, events):
    client.force_login(admin_user)
    base = "/admin/declarations/declarationevent/"
    listed = client.get(base, {"action__exact": "rejected"})
    assert list(listed.context["cl"].result_list) == [events.get(action="rejected")]
    response = client.post(
        base, {"action": "export_csv", "_selected_action": [e.pk for e in events]}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["thời điểm", "mã hồ sơ", "hành động"]
    by_action = {row[2]: row for row in rows[1:]}
    assert by_action["rejected"][3:] == [
        "received",
        "rejected",
        "'=Mờ",
        "canbo.quan4",
        "198.51.100.4",
    ]


def test_account_audit_log_is_read_only_and_exports_csv(client, admin_user, citizen_user, clerk_q4):
    event = AccountEvent.objects.create(user=citizen_user, actor=clerk_q4, action="unlocked")
    client.force_login(admin_user)
    base = "/admin/accounts/accountevent/"
    assert client.get(base + "add/").status_code == 403
    assert client.post(f"{base}{event.pk}/change/", {"action": "locked"}).status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(base, {"action": "export_csv", "_selected_action": [event.pk]})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1:4] == ["unlocked", citizen_user.username, "canbo.quan4"]


def test_clerk_group_exists_with_read_only_review_permissions():
    group = Group.objects.get(name="Cán bộ tiếp nhận")
    names = set(group.permissions.values_list("codename", flat=True))
    assert {"view_declaration", "view_declarationevent"} <= names
    assert not {n for n in names if not n.startswith("view_")}
    assert "view_user" not in names  # accounts go through /can-bo/tai-khoan/, office-checked


def test_clerk_in_the_group_sees_only_their_offices_in_admin(
    client, clerk_q1, declaration_q1, declaration_q4, events
):
    clerk_q1.groups.add(Group.objects.get(name="Cán bộ tiếp nhận"))
    client.force_login(clerk_q1)
    listed = client.get("/admin/declarations/declaration/").context["cl"].result_list
    assert list(listed) == [declaration_q1]
    other = client.get(f"/admin/declarations/declaration/{declaration_q4.pk}/change/")
    assert other.status_code == 302  # "does not exist", back to the admin index
    log = client.get("/admin/declarations/declarationevent/").context["cl"].result_list
    assert list(log) == []
    assert client.get("/admin/accounts/user/").status_code == 403
