"""Upload checks and responsive renditions for images, through Pillow."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError

from blog.conf import blog_settings

ALLOWED_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def validate_image_file(upload) -> None:
    """Refuse anything that is not a real, reasonably sized JPEG, PNG, GIF or WebP."""
    size = getattr(upload, "size", None)
    if size is not None and size > blog_settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; at most %(max)s are allowed.")
            % {
                "size": filesizeformat(size),
                "max": filesizeformat(blog_settings.IMAGE_MAX_BYTES),
            }
        )
    try:
        upload.seek(0)
        with PILImage.open(upload) as img:
            fmt = img.format
            width, height = img.size
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError(
                    _("Images must be JPEG, PNG, GIF or WebP, not %(format)s.") % {"format": fmt}
                )
            if width * height > blog_settings.IMAGE_MAX_PIXELS:
                raise ValidationError(
                    _("The image has %(w)s × %(h)s pixels; at most %(max)s megapixels are allowed.")
                    % {"w": width, "h": height, "max": blog_settings.IMAGE_MAX_PIXELS // 1_000_000}
                )
            img.verify()
        # verify() does not decode the pixels: a truncated JPEG fails only when loaded.
        upload.seek(0)
        with PILImage.open(upload) as img:
            img.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, PILImage.DecompressionBombError):
        raise ValidationError(_("This file is not an image we can read, or it is damaged.")) from None
    finally:
        upload.seek(0)


def make_renditions(field_file) -> dict:
    """Write WebP and JPEG/PNG copies at the configured widths; return their paths.

    The result maps ``"webp"`` and ``"fallback"`` to ``[[width, path], …]`` by width.
    """
    storage = field_file.storage
    field_file.open("rb")
    try:
        with PILImage.open(field_file) as original:
            original = ImageOps.exif_transpose(original)
            has_alpha = original.mode in ("RGBA", "LA") or "transparency" in original.info
            fallback_format, fallback_ext = ("PNG", "png") if has_alpha else ("JPEG", "jpg")
            widths = sorted({w for w in blog_settings.IMAGE_WIDTHS if w < original.width} | {original.width})
            stem = PurePosixPath(field_file.name)
            base = str(stem.parent / "renditions" / stem.stem)
            result = {"source": field_file.name, "webp": [], "fallback": []}
            for width in widths:
                height = max(1, round(original.height * width / original.width))
                frame = original.convert("RGBA" if has_alpha else "RGB")
                if width != original.width:
                    frame = frame.resize((width, height), PILImage.Resampling.LANCZOS)
                for kind, fmt, ext in (
                    ("webp", "WEBP", "webp"),
                    ("fallback", fallback_format, fallback_ext),
                ):
                    buffer = io.BytesIO()
                    options = {"quality": 82} if fmt in ("WEBP", "JPEG") else {"optimize": True}
                    if fmt == "JPEG":
                        options["progressive"] = True
                    frame.save(buffer, fmt, **options)
                    name = storage.save(f"{base}-{width}.{ext}", ContentFile(buffer.getvalue()))
                    result[kind].append([width, name])
            return result
    finally:
        field_file.close()


def delete_renditions(renditions: dict, storage) -> None:
    for kind in ("webp", "fallback"):
        for _width, name in renditions.get(kind, []):
            if name and storage.exists(name):
                storage.delete(name)
