"""Reading and tampering with issued PDFs in tests (what a forger would do)."""

import io
from pathlib import Path

import zxingcpp
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pypdf import PdfReader

from insurance.signing import signing_key_create


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def qr_texts(data: bytes) -> list[str]:
    """What a phone camera reads from the QR images of the PDF."""
    texts = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for image in page.images:
            texts += [barcode.text for barcode in zxingcpp.read_barcodes(image.image)]
    return texts


def bytes_changed(data: bytes) -> bytes:
    """One byte inside the first content stream flipped: the file still opens."""
    position = data.index(b"stream\n", 100) + 40
    changed = bytearray(data)
    changed[position] ^= 0x01
    return bytes(changed)


def other_signer(folder: Path) -> signers.SimpleSigner:
    """A self-signed key that is not the portal's (a forger's own)."""
    key, cert = signing_key_create(folder=folder, common_name="VssID Portal")
    return signers.SimpleSigner(
        signing_cert=load_cert_from_pemder(str(cert)),
        signing_key=load_private_key_from_pemder(str(key), passphrase=None),
        cert_registry=SimpleCertificateStore(),
    )


def signed_by(data: bytes, signer: signers.SimpleSigner, field: str = "Signature2") -> bytes:
    """``data`` with another signature appended (or the only one, if unsigned)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    metadata = signers.PdfSignatureMetadata(field_name=field)
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def info_changed(data: bytes) -> bytes:
    """An incremental update after the signature (the title changed), signature untouched."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    # The catalog gets one more entry, as a PDF editor saving a change would do.
    writer.root[generic.NameObject("/Lang")] = generic.TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
