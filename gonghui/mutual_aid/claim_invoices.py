"""Invoice photos a member files with a claim: checked by their bytes (Pillow decodes them;
a file's name and the browser's word for its type are never trusted), capped in size and
number by settings, and kept sealed with the field key (core.crypto.encrypt_bytes, with its
own purpose, like an uploaded roster). They are opened only by the claim's invoice view,
which checks who asks; nothing is routed under MEDIA_URL."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO
from uuid import uuid4

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext, gettext_noop
from PIL import Image

from gonghui.core.crypto import decrypt_bytes, encrypt_bytes
from gonghui.core.errors import ValidationFailed
from gonghui.mutual_aid.models import Claim, ClaimInvoice

PURPOSE = b"gonghui claim invoice"
# Pillow's format name -> what the file is served as. HEIC is read only where a plugin
# (pillow-heif) has taught Pillow it; without one an iPhone's HEIC photo is refused by name.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heif"}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heif": "heic"}
MAX_PIXELS = 60_000_000  # a phone camera's 50 megapixels, with room; a decompression bomb is not decoded
MIB = 1024 * 1024
FIELD = "photos"

NOT_AN_IMAGE = gettext_noop("%(name)s：不是可识别的图片，请上传 JPEG、PNG 或 WebP 格式的发票照片")
TOO_LARGE = gettext_noop("%(name)s：超过 %(size)s MB 上限，请压缩后再上传")
TOO_MANY_PIXELS = gettext_noop("%(name)s：图片尺寸过大")
TOO_MANY = gettext_noop("最多上传 %(count)s 张发票照片")
NONE_GIVEN = gettext_noop("请上传发票照片")
EMPTY = gettext_noop("%(name)s：文件是空的")


@dataclass(frozen=True)
class InvoiceImage:
    name: str
    data: bytes
    content_type: str
    width: int
    height: int


def _refuse(text: str, **params: object) -> ValidationFailed:
    return ValidationFailed(gettext(text) % params, field=FIELD)


def megabytes(limit: int) -> str:
    return f"{limit // MIB}" if limit % MIB == 0 else f"{limit / MIB:.1f}"


def _read(upload: IO[bytes], name: str, limit: int) -> bytes:
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _refuse(TOO_LARGE, name=name, size=megabytes(limit))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise _refuse(TOO_LARGE, name=name, size=megabytes(limit))
    if not data:
        raise _refuse(EMPTY, name=name)
    return data


def invoice_image_check(name: str, data: bytes) -> InvoiceImage:
    """The photo as it will be kept, or ValidationFailed naming the file: what it is comes
    from decoding its bytes, so a text file renamed .jpg is refused."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind, (width, height) = probe.format, probe.size
                if width * height > MAX_PIXELS:
                    raise _refuse(TOO_MANY_PIXELS, name=name)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # a truncated or corrupt photo fails here, not in an officer's browser
    except ValidationFailed:
        raise
    except (
        Exception
    ) as exc:  # not an image, a bomb (as a warning made an error), or a decoder's OSError, SyntaxError...
        raise _refuse(NOT_AN_IMAGE, name=name) from exc
    if kind not in FORMATS:
        raise _refuse(NOT_AN_IMAGE, name=name)
    return InvoiceImage(name=name, data=data, content_type=FORMATS[kind], width=width, height=height)


def invoice_images_check(uploads: Sequence[IO[bytes]]) -> list[InvoiceImage]:
    """Every photo checked, or the first problem (each message names its file)."""
    limit, most = settings.GONGHUI_INVOICE_MAX_BYTES, settings.GONGHUI_INVOICE_MAX_FILES
    if not uploads:
        raise _refuse(NONE_GIVEN)
    if len(uploads) > most:
        raise _refuse(TOO_MANY, count=most)
    images = []
    for number, upload in enumerate(uploads, start=1):
        name = str(getattr(upload, "name", "") or "")[-60:] or gettext("第%(n)s张照片") % {"n": number}
        images.append(invoice_image_check(name, _read(upload, name, limit)))
    return images


def invoice_store(claim: Claim, image: InvoiceImage) -> ClaimInvoice:
    invoice = ClaimInvoice(
        claim=claim, content_type=image.content_type, size=len(image.data), width=image.width, height=image.height
    )
    sealed = ContentFile(encrypt_bytes(image.data, purpose=PURPOSE))
    invoice.file.save(f"{uuid4().hex}.sealed", sealed, save=False)
    invoice.save()
    return invoice


def invoice_open(invoice: ClaimInvoice) -> bytes:
    """The photo's bytes; DecryptionError if no configured key opens them."""
    with invoice.file.open("rb") as file:
        return decrypt_bytes(file.read(), purpose=PURPOSE)


def invoice_filename(invoice: ClaimInvoice) -> str:
    return f"invoice-{invoice.claim_id}-{invoice.pk}.{EXTENSIONS.get(invoice.content_type, 'bin')}"
