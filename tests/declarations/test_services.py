import datetime as dt
import importlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

import pytest
import time_machine

from declarations import services
from declarations.models import Declaration, DeclarationDraft, DeclarationUpload
from declarations.services import (
    DeclarantData,
    declaration_submit,
    draft_create,
    draft_upload_store,
    drafts_purge_abandoned,
)
from declarations.tasks import drafts_purge_task

from .conftest import jpeg_bytes, stored_files
from .factories import DeclarationFactory

pytestmark = pytest.mark.django_db


def declarant(**overrides) -> DeclarantData:
    values = {
        "full_name": "Nguyễn Văn An",
        "insurance_number": "7901234567",
        "date_of_birth": dt.date(1990, 5, 15),
        "id_number": "079090001234",
        "contact_address": "12 Đường số 3",
        "contact_person": "Nguyễn Văn An",
        "email": "an@example.vn",
        "phone": "+84912345678",
    }
    values.update(overrides)
    return DeclarantData(**values)


def images() -> dict:
    return {slot: ContentFile(jpeg_bytes(), name=f"{slot}.jpg") for slot in services.IMAGE_SLOTS}


def submit(offices, key="k1", **overrides):
    return declaration_submit(
        declarant=declarant(**overrides),
        office=offices.q4,
        submission_mode="by_post",
        send_form_by_email=True,
        images=images(),
        submission_key=key,
    )


def test_submit_queues_an_sms_with_a_signed_link_and_an_email_with_the_pdf(person, offices, outbox):
    declaration = submit(offices)
    sms = outbox.messages("sms")[0]
    link = sms["context"]["download_url"] if "context" in sms else None
    if link is not None:
        assert declaration.reference_code == sms["context"]["reference_code"]
        assert "/dang-ky/tai-to-khai/" in link
        assert not link.endswith(declaration.reference_code + "/")
    email = outbox.messages("email")[0]
    if "attachments" in email:
        name, data, mimetype = email["attachments"][0]
        assert name == f"to-khai-{declaration.reference_code}.pdf"
        assert data.startswith(b"%PDF") and mimetype == "application/pdf"


def test_same_submission_key_returns_the_first_declaration(person, offices, outbox):
    first = submit(offices, key="same")
    second = submit(offices, key="same")
    assert first.pk == second.pk
    assert Declaration.objects.count() == 1
    assert len(outbox.messages("sms")) == 1


def test_a_failing_notification_leaves_no_declaration_and_no_files(
    person, offices, monkeypatch, private_storage
):
    notifications_services = importlib.import_module("notifications.services")

    def broken(**kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(notifications_services, "message_queue", broken)
    with pytest.raises(RuntimeError):
        submit(offices)
    assert not Declaration.objects.exists()
    assert stored_files(private_storage) == []


def test_one_open_declaration_per_insurance_number_is_enforced_by_the_database(person, offices):
    DeclarationFactory(insurance_number="7900000001", office=offices.q4)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeclarationFactory(insurance_number="7900000001", office=offices.q4)
    # A rejected one does not block a new registration.
    DeclarationFactory(insurance_number="7900000002", office=offices.q4, rejected=True)
    DeclarationFactory(insurance_number="7900000002", office=offices.q4)


def test_rejection_needs_a_reason(offices):
    with pytest.raises(IntegrityError), transaction.atomic():
        DeclarationFactory(office=offices.q4, status="rejected", reject_reason="")


def test_open_declaration_blocks_a_second_submission(person, offices, private_storage):
    submit(offices, key="a")
    with pytest.raises(ValidationError, match="đang chờ cơ quan BHXH xử lý") as info:
        submit(offices, key="b")
    assert info.value.code == "open_declaration"
    assert len(stored_files(private_storage)) == 3


def test_race_past_the_check_is_stopped_by_the_partial_unique_index(
    person, offices, monkeypatch, private_storage
):
    submit(offices, key="a")
    monkeypatch.setattr(services, "open_declaration_exists", lambda **kwargs: False)
    with pytest.raises(ValidationError) as info:
        submit(offices, key="b")
    assert info.value.code == "open_declaration"
    assert Declaration.objects.count() == 1
    assert len(stored_files(private_storage)) == 3


def test_registry_mismatch_is_refused_by_the_service_too(person, offices):
    with pytest.raises(ValidationError) as info:
        submit(offices, date_of_birth=dt.date(1991, 5, 15))
    assert info.value.code == "registry_mismatch"


def test_reference_codes_are_unguessable_and_unique(person, offices):
    codes = {services.Declaration._meta.get_field("reference_code").default() for _i in range(500)}
    assert len(codes) == 500
    assert all(len(code) == 16 and code.startswith("DK") for code in codes)


def test_replacing_an_upload_removes_the_old_file(
    db, private_storage, django_capture_on_commit_callbacks
):
    draft = draft_create()
    with django_capture_on_commit_callbacks(execute=True):
        draft_upload_store(draft=draft, slot="portrait", image=ContentFile(b"1", name="a.jpg"))
        draft_upload_store(draft=draft, slot="portrait", image=ContentFile(b"2", name="b.jpg"))
    files = stored_files(private_storage)
    assert len(files) == 1 and files[0].read_bytes() == b"2"
    assert DeclarationUpload.objects.count() == 1


def test_abandoned_drafts_and_their_files_are_purged_after_24_hours(
    db, private_storage, django_capture_on_commit_callbacks
):
    with time_machine.travel("2025-03-01 08:00 +07:00", tick=False):
        old = draft_create()
        for slot in services.IMAGE_SLOTS:
            draft_upload_store(draft=old, slot=slot, image=ContentFile(b"x", name=f"{slot}.jpg"))
    with time_machine.travel("2025-03-02 07:00 +07:00", tick=False):
        recent = draft_create()
        draft_upload_store(draft=recent, slot="portrait", image=ContentFile(b"y", name="p.jpg"))
    assert len(stored_files(private_storage)) == 4
    with time_machine.travel("2025-03-02 08:30 +07:00", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert drafts_purge_abandoned() == 1
    assert list(DeclarationDraft.objects.all()) == [recent]
    files = stored_files(private_storage)
    assert [f.read_bytes() for f in files] == [b"y"]


def test_purge_task_is_scheduled_and_runs(db, settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["declarations-drafts-purge"]
    assert schedule["task"] == "declarations.drafts_purge"
    assert drafts_purge_task.delay().get() == 0
