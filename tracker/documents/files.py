"""What an uploaded file is, decided from its bytes, and making it safe.

The type comes from the content (magic bytes, and for the Office formats
the container's own table of contents), never from the name or the
browser's Content-Type. Only the types of ``ALLOWED`` pass. Images are
decoded and encoded again with Pillow, which drops EXIF (GPS), XMP and
comments, and get a thumbnail.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass

from PIL import Image, ImageOps
from werkzeug.utils import secure_filename

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
GIF = "image/gif"
TEXT = "text/plain"

# Content type -> the extension a download carries.
ALLOWED = {
    PDF: "pdf",
    DOCX: "docx",
    XLSX: "xlsx",
    PPTX: "pptx",
    ODT: "odt",
    DOC: "doc",
    XLS: "xls",
    PPT: "ppt",
    JPEG: "jpg",
    PNG: "png",
    WEBP: "webp",
    GIF: "gif",
    TEXT: "txt",
}
IMAGES = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP", GIF: "GIF"}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream each legacy Office format keeps in its OLE2 directory (UTF-16).
OLE_STREAMS = {
    DOC: "WordDocument",
    XLS: "Workbook",
    PPT: "PowerPoint Document",
}
THUMBNAIL_SIZE = (320, 320)
# Pillow refuses larger images (decompression bombs) with an error we report.
Image.MAX_IMAGE_PIXELS = 50_000_000


class RefusedFile(ValueError):
    """The file is not one we accept; the message says why, for the user."""


def detect_type(data: bytes) -> str | None:
    """The content type ``data`` really has, if it is one of ``ALLOWED``."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    if data.startswith(OLE2):
        return _ole_type(data)
    if _is_plain_text(data):
        return TEXT
    return None


def _zip_type(data: bytes) -> str | None:
    """OOXML by its parts, ODF by its ``mimetype`` entry; any other ZIP: None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            mimetype = archive.read("mimetype")[:100].strip()
            return ODT if mimetype == ODT.encode() else None
    except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for part, kind in (
        ("word/document.xml", DOCX),
        ("xl/workbook.xml", XLSX),
        ("ppt/presentation.xml", PPTX),
    ):
        if part in names:
            return kind
    return None


def _ole_type(data: bytes) -> str | None:
    """Word, Excel or PowerPoint 97-2003 by the stream each one must hold.

    Other OLE2 files (installers, for one) hold none of them.
    """
    for kind, stream in OLE_STREAMS.items():
        if stream.encode("utf-16-le") in data:
            return kind
    if "Book".encode("utf-16-le") + b"\x00\x00" in data:
        return XLS  # Excel 5 workbooks name the stream "Book"
    return None


def _is_plain_text(data: bytes) -> bool:
    """UTF-8 text without NUL or other control characters (tabs, newlines pass)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch in "\t\n\r\f" or unicodedata.category(ch) != "Cc" for ch in text)


def display_name(raw: str | None, content_type: str) -> str:
    """A readable name to show and to offer in downloads, never a path.

    Keeps Unicode letters (``Strategija Kuçovë.pdf``), drops directories,
    control characters and quotes, and ends with the extension of the type
    the content really has.
    """
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    name = name.replace('"', "").replace(";", " ").strip(" .")
    stem = name.rsplit(".", 1)[0].strip(" .") if "." in name else name
    stem = stem[:150] or "document"
    return f"{stem}.{ALLOWED[content_type]}"


def ascii_name(name: str) -> str:
    """The ASCII fallback name for old browsers (werkzeug's secure_filename)."""
    return secure_filename(name) or "document"


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    content_type: str
    thumbnail: bytes | None = None


def clean(data: bytes) -> CleanFile:
    """Check ``data`` against the allow-list; images come back re-encoded."""
    if not data:
        raise RefusedFile("empty")
    content_type = detect_type(data)
    if content_type is None:
        raise RefusedFile("type")
    if content_type not in IMAGES:
        return CleanFile(data, content_type)
    try:
        return _reencode(data, content_type)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise RefusedFile("image") from error


def _reencode(data: bytes, content_type: str) -> CleanFile:
    with Image.open(io.BytesIO(data)) as original:
        if original.format != IMAGES[content_type]:
            raise ValueError("the image is not what its signature says")
        # Turn the pixels as the camera meant, since the EXIF that said so goes.
        image = ImageOps.exif_transpose(original)
        image.load()
    # Nothing of the original's metadata rides along (GIF comments, PNG text).
    image.info = {}
    out = io.BytesIO()
    fmt = IMAGES[content_type]
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "GIF":
        image.save(out, "GIF")
    else:
        image.save(out, fmt)
    thumbnail = image.convert("RGB")
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    small = io.BytesIO()
    thumbnail.save(small, "JPEG", quality=80)
    return CleanFile(out.getvalue(), content_type, small.getvalue())
