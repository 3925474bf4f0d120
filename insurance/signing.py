"""PAdES signatures on the documents the portal issues (pyHanko).

The key and certificate come from settings: ``DOCUMENT_SIGNING_KEY`` and
``DOCUMENT_SIGNING_CERT`` hold a file path or the PEM text itself (for
secrets passed in the environment), ``DOCUMENT_SIGNING_KEY_PASSWORD`` the
key's passphrase if it has one, and ``DOCUMENT_SIGNING_PREVIOUS_CERTS`` the
certificates of retired keys, whose documents still verify after a key
rotation. With ``DEBUG`` on and nothing configured, a self-signed
development key is created in ``DOCUMENT_SIGNING_DEV_DIR`` at first use
(``manage.py signing_key_create`` makes one on purpose); with ``DEBUG`` off
a missing key is an error (and ``check --deploy`` says so beforehand).

Checking an uploaded file pins the signer: a signature counts as the
portal's only when its certificate is one of the configured ones (the
current or a previous one), not merely one that some CA vouches for.
"""

import asyncio
import datetime as dt
import enum
import functools
import logging
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

logger = logging.getLogger(__name__)

KEY_FILENAME = "document-signing-key.pem"
CERT_FILENAME = "document-signing-cert.pem"
SIGNATURE_FIELD = "VssIDPortal"
DEV_COMMON_NAME = "VssID Portal - khoa ky thu nghiem (development)"


# KEYS ------------------------------------------------------------------------
def signing_key_pem_new(*, common_name: str, days: int) -> tuple[bytes, bytes]:
    """A new RSA-3072 key and a self-signed certificate for signing documents.

    The certificate carries the key usages PDF readers and pyHanko expect of
    a document signer (digital signature, non-repudiation).
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "VssID Portal"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


def _write_private(path: Path, content: bytes) -> None:
    """Write ``content`` readable by the owner only, replacing ``path`` at once."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def signing_key_create(
    *, folder: Path, common_name: str = DEV_COMMON_NAME, days: int = 3650
) -> tuple[Path, Path]:
    """Write a new key and self-signed certificate into ``folder``; return their paths.

    A folder that does not exist yet is filled aside and renamed into place
    in one step, so two processes creating the development key at the same
    moment cannot end with one's key beside the other's certificate (the
    second rename fails and that process uses the first one's pair).
    """
    folder = Path(folder)
    key_pem, cert_pem = signing_key_pem_new(common_name=common_name, days=days)
    if folder.exists():
        _write_private(folder / KEY_FILENAME, key_pem)
        _write_private(folder / CERT_FILENAME, cert_pem)
        return folder / KEY_FILENAME, folder / CERT_FILENAME
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    _write_private(staging / KEY_FILENAME, key_pem)
    _write_private(staging / CERT_FILENAME, cert_pem)
    try:
        staging.rename(folder)
    except OSError:  # another process made it first
        for name in (KEY_FILENAME, CERT_FILENAME):
            (staging / name).unlink(missing_ok=True)
        staging.rmdir()
    return folder / KEY_FILENAME, folder / CERT_FILENAME


def _pem_or_file(value: str) -> bytes:
    """The PEM text itself, or the content of the file it names."""
    if value.lstrip().startswith("-----BEGIN"):
        return value.encode()
    return Path(value).expanduser().read_bytes()


def _configured_pair() -> tuple[str, str]:
    key = settings.DOCUMENT_SIGNING_KEY
    cert = settings.DOCUMENT_SIGNING_CERT
    if key and cert:
        return key, cert
    if key or cert:
        raise ImproperlyConfigured(
            "Set both DOCUMENT_SIGNING_KEY and DOCUMENT_SIGNING_CERT (or neither in DEBUG)."
        )
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "DOCUMENT_SIGNING_KEY and DOCUMENT_SIGNING_CERT must be set when DEBUG is false "
            "(README: Verifiable documents)."
        )
    folder = Path(settings.DOCUMENT_SIGNING_DEV_DIR)
    if not (folder / KEY_FILENAME).exists() or not (folder / CERT_FILENAME).exists():
        logger.info("signing.dev_key_created folder=%s", folder)
        signing_key_create(folder=folder)
    return str(folder / KEY_FILENAME), str(folder / CERT_FILENAME)


class _LoadedKeySigner(signers.SimpleSigner):
    """``SimpleSigner`` that parses its private key once.

    pyHanko's signer parses the key again for every signature (twice per
    PDF: a size estimate, then the signature), and parsing an RSA key
    checks it, which costs far more than signing.
    """

    @functools.cached_property
    def _private_key(self):
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        key = self._private_key
        if mechanism == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


@dataclass(frozen=True)
class SigningMaterial:
    signer: signers.SimpleSigner
    certificate: asn1_x509.Certificate
    # The current certificate first, then the retired ones still accepted.
    trusted: tuple[asn1_x509.Certificate, ...]

    @property
    def fingerprints(self) -> frozenset[bytes]:
        return frozenset(cert.sha256 for cert in self.trusted)


@functools.lru_cache(maxsize=8)
def _material(key: str, cert: str, password: str, previous: tuple[str, ...]) -> SigningMaterial:
    private_key = load_private_key_from_pemder_data(
        _pem_or_file(key), passphrase=password.encode() if password else None
    )
    certificates = list(load_certs_from_pemder_data(_pem_or_file(cert)))
    if not certificates:
        raise ImproperlyConfigured("DOCUMENT_SIGNING_CERT holds no certificate.")
    certificate = certificates[0]
    public = (
        serialization.load_der_private_key(private_key.dump(), password=None)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    if public != certificate.public_key.dump():
        raise ImproperlyConfigured("DOCUMENT_SIGNING_KEY does not belong to DOCUMENT_SIGNING_CERT.")
    chain = SimpleCertificateStore()
    chain.register_multiple(certificates[1:])  # intermediates of a CA-issued certificate
    signer = _LoadedKeySigner(
        signing_cert=certificate, signing_key=private_key, cert_registry=chain
    )
    retired = [c for value in previous for c in load_certs_from_pemder_data(_pem_or_file(value))]
    return SigningMaterial(signer=signer, certificate=certificate, trusted=(certificate, *retired))


def signing_material() -> SigningMaterial:
    """The configured key, certificate and accepted certificates (loaded once per value)."""
    key, cert = _configured_pair()
    return _material(
        key,
        cert,
        settings.DOCUMENT_SIGNING_KEY_PASSWORD,
        tuple(settings.DOCUMENT_SIGNING_PREVIOUS_CERTS),
    )


def _outside_event_loop(function, /, *args, **kwargs):
    """Call ``function`` (which runs ``asyncio.run``) even from a thread with a loop.

    pyHanko's synchronous API wraps its async one in ``asyncio.run``, which
    refuses to start inside a running loop (an ASGI thread, Playwright's
    sync API in a test); there it runs in a short-lived worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


# SIGNING ---------------------------------------------------------------------
def pdf_sign(data: bytes) -> bytes:
    """``data`` (a PDF) with an invisible PAdES B-B signature of the portal appended."""
    material = signing_material()
    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="VssID Portal: tai lieu dien tu co ma xac thuc",
        location="Viet Nam",
    )
    output = _outside_event_loop(
        signers.sign_pdf, writer, metadata, signer=material.signer, output=BytesIO()
    )
    return output.getvalue()


# CHECKING --------------------------------------------------------------------
class SignatureOutcome(enum.StrEnum):
    # A signature of the portal, intact, over every byte of the file.
    INTACT = "intact"
    # A signature of the portal is there, but the bytes it covers changed,
    # or more was appended after it (an edit, another signature).
    MODIFIED = "modified"
    # No signature of the portal at all (none, or someone else's).
    NOT_OURS = "not_ours"


class UnreadablePdf(ValueError):
    """The bytes are not a PDF that can be read."""


def pdf_signature_check(data: bytes) -> SignatureOutcome:
    """Whether ``data`` carries the portal's signature over the whole, unchanged file."""
    material = signing_material()
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise UnreadablePdf(str(exc)) from exc
    ours = []
    for signature in signatures:
        try:
            if signature.signer_cert.sha256 in material.fingerprints:
                ours.append(signature)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a damaged signature dictionary: not one of ours
    if not ours:
        return SignatureOutcome.NOT_OURS
    for signature in ours:
        try:
            moment = signature.self_reported_timestamp
            context = ValidationContext(
                trust_roots=list(material.trusted), allow_fetching=False, moment=moment
            )
            status = _outside_event_loop(validate_pdf_signature, signature, context, skip_diff=True)
        except (PdfError, ValueError, KeyError, TypeError) as exc:
            logger.info("signing.check_failed error=%s", type(exc).__name__)
            continue
        if (
            status.intact
            and status.valid
            and status.trusted
            and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        ):
            return SignatureOutcome.INTACT
    return SignatureOutcome.MODIFIED
