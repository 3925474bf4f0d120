"""The signing key: from settings (path or PEM), a development key, rotation, checks, command."""

import datetime as dt
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

import pytest

from insurance.checks import signing_key_configured, signing_key_loads
from insurance.pdf import history_extract_issue
from insurance.signing import (
    CERT_FILENAME,
    KEY_FILENAME,
    SignatureOutcome,
    pdf_signature_check,
    signing_key_create,
    signing_material,
)
from insurance.verification import FileResult, document_file_check

from .factories import PeriodFactory, PersonFactory


@pytest.fixture
def unconfigured(settings, tmp_path):
    settings.DOCUMENT_SIGNING_KEY = ""
    settings.DOCUMENT_SIGNING_CERT = ""
    settings.DOCUMENT_SIGNING_DEV_DIR = tmp_path / "var" / "signing"
    return settings


def test_with_debug_a_development_key_is_made_once_at_first_use(unconfigured):
    unconfigured.DEBUG = True
    first = signing_material()
    folder = Path(unconfigured.DOCUMENT_SIGNING_DEV_DIR)
    assert (folder / KEY_FILENAME).exists() and (folder / CERT_FILENAME).exists()
    assert (folder / KEY_FILENAME).stat().st_mode & 0o077 == 0  # owner only
    assert signing_material().certificate.sha256 == first.certificate.sha256


def test_without_debug_a_missing_key_is_an_error_not_a_silent_dev_key(unconfigured):
    unconfigured.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="must be set when DEBUG is false"):
        signing_material()
    assert not Path(unconfigured.DOCUMENT_SIGNING_DEV_DIR).exists()
    [error] = signing_key_configured(None)
    assert error.id == "insurance.E001"


def test_half_a_configuration_is_an_error(unconfigured, tmp_path):
    key, _cert = signing_key_create(folder=tmp_path / "k")
    unconfigured.DOCUMENT_SIGNING_KEY = str(key)
    with pytest.raises(ImproperlyConfigured, match="both"):
        signing_material()


def test_key_and_certificate_may_be_given_as_pem_text(settings, tmp_path):
    key, cert = signing_key_create(folder=tmp_path / "k")
    settings.DOCUMENT_SIGNING_KEY = key.read_text()
    settings.DOCUMENT_SIGNING_CERT = cert.read_text()
    assert signing_material().certificate.subject.native["organization_name"] == "VssID Portal"
    assert signing_key_loads(None) == []


def test_a_key_that_does_not_match_its_certificate_fails_the_check(settings, tmp_path):
    key, _cert = signing_key_create(folder=tmp_path / "a")
    _key, other_cert = signing_key_create(folder=tmp_path / "b")
    settings.DOCUMENT_SIGNING_KEY, settings.DOCUMENT_SIGNING_CERT = str(key), str(other_cert)
    [error] = signing_key_loads(None)
    assert error.id == "insurance.E002" and "does not belong" in error.msg


@pytest.mark.django_db
def test_after_a_key_rotation_old_documents_verify_through_the_retired_certificate(
    settings, tmp_path
):
    person = PersonFactory()
    PeriodFactory(person=person)
    _record, pdf = history_extract_issue(person=person, today=timezone.localdate())
    old_cert = settings.DOCUMENT_SIGNING_CERT
    key, cert = signing_key_create(folder=tmp_path / "new")
    settings.DOCUMENT_SIGNING_KEY, settings.DOCUMENT_SIGNING_CERT = str(key), str(cert)
    assert pdf_signature_check(pdf) == SignatureOutcome.NOT_OURS
    settings.DOCUMENT_SIGNING_PREVIOUS_CERTS = [old_cert]
    assert document_file_check(data=pdf).result == FileResult.AUTHENTIC


def test_the_command_writes_a_pair_and_never_replaces_one_by_accident(tmp_path, capsys):
    folder = tmp_path / "signing"
    call_command("signing_key_create", folder=str(folder), days=30)
    out = capsys.readouterr().out
    assert f"DOCUMENT_SIGNING_KEY={folder / KEY_FILENAME}" in out
    first = (folder / KEY_FILENAME).read_bytes()
    with pytest.raises(CommandError, match="--force"):
        call_command("signing_key_create", folder=str(folder))
    call_command("signing_key_create", folder=str(folder), if_missing=True)
    assert (folder / KEY_FILENAME).read_bytes() == first
    call_command("signing_key_create", folder=str(folder), force=True)
    assert (folder / KEY_FILENAME).read_bytes() != first


def test_the_development_certificate_is_a_document_signer_for_ten_years(tmp_path, settings):
    key, cert = signing_key_create(folder=tmp_path / "k")
    settings.DOCUMENT_SIGNING_KEY, settings.DOCUMENT_SIGNING_CERT = str(key), str(cert)
    certificate = signing_material().certificate
    assert certificate.key_usage_value.native == {"digital_signature", "non_repudiation"}
    lifetime = certificate.not_valid_after - certificate.not_valid_before
    assert lifetime > dt.timedelta(days=3640)
