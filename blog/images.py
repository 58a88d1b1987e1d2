"""Upload checks and responsive renditions for images, through Pillow."""

from __future__ import annotations

import html
import io
import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
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


# --- Body images: every picture readers get is a responsive <picture>, never the original ---

_FIGURE = re.compile(r"<figure\b(?P<attrs>[^>]*)>(?P<inner>(?:(?!</figure>).)*?)</figure>", re.S)
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_FIGCAPTION = re.compile(r"<figcaption>(?P<caption>.*?)</figcaption>", re.S)
_RENDITION = re.compile(r"^(?P<dir>.+)/renditions/(?P<stem>.+)-\d+\.\w+$")
BODY_SIZES = "(min-width: 992px) 720px, 100vw"


def _img_attrs(tag: str) -> dict[str, str]:
    return {name: html.unescape(value) for name, value in _ATTR.findall(tag)}


def _media_name(src: str) -> str | None:
    """The storage name behind a media URL of this site, or None for foreign images."""
    path = urlsplit(src).path if src else ""
    media = urlsplit(settings.MEDIA_URL).path or "/media/"
    if not path.startswith(media):
        return None
    return unquote(path[len(media) :])


def _image_lookup(tags: list[str]) -> dict:
    """Load the Image records behind body ``<img>`` tags in one query: by id or by file."""
    from blog.models import Image

    ids, names, stems = set(), set(), set()
    for tag in tags:
        attrs = _img_attrs(tag)
        if attrs.get("data-file", "").isdigit():
            ids.add(int(attrs["data-file"]))
        name = _media_name(attrs.get("src", ""))
        if name:
            match = _RENDITION.match(name)
            if match:
                stems.add(f"{match['dir']}/{match['stem']}.")
            else:
                names.add(name)
    if not (ids or names or stems):
        return {}
    query = Q(pk__in=ids) | Q(file__in=names)
    for stem in stems:
        query |= Q(file__startswith=stem)
    found: dict = {}
    for image in Image.objects.filter(query):
        found[("id", image.pk)] = image
        found[("file", image.file.name)] = image
        for kind in ("webp", "fallback"):
            for _width, path in image.renditions.get(kind, []):
                found[("file", path)] = image
    return found


def _resolve(tag: str, found: dict):
    attrs = _img_attrs(tag)
    image = None
    if attrs.get("data-file", "").isdigit():
        image = found.get(("id", int(attrs["data-file"])))
    if image is None:
        image = found.get(("file", _media_name(attrs.get("src", "")) or ""))
    return image, attrs


def picture_html(image, *, alt: str | None = None, sizes: str = BODY_SIZES, loading: str = "lazy") -> str:
    """The responsive ``<picture>`` for an image: WebP and fallback srcsets, size, lazy."""
    webp = (
        format_html('<source type="image/webp" srcset="{}" sizes="{}">', image.srcset_webp, sizes)
        if image.renditions.get("webp")
        else ""
    )
    fallback_srcset = (
        format_html(' srcset="{}" sizes="{}"', image.srcset_fallback, sizes)
        if image.renditions.get("fallback")
        else ""
    )
    return format_html(
        '<picture>{}<img class="img-fluid" src="{}"{} width="{}" height="{}" alt="{}" loading="{}" '
        'decoding="async"></picture>',
        webp,
        image.fallback_url,
        fallback_srcset,
        image.width,
        image.height,
        alt if alt is not None else image.alt_text,
        loading,
    )


CREDIT_LABEL = '<span class="bw-credit-label"></span>'


def credit_html(image) -> str:
    """The image's source with its link; the label ("Quelle:") is filled in for each reader."""
    if not image.credit_name:
        return ""
    name = (
        format_html('<a href="{}" rel="nofollow noopener">{}</a>', image.credit_url, image.credit_name)
        if image.credit_url
        else escape(image.credit_name)
    )
    return format_html('<span class="bw-credit">{} {}</span>', mark_safe(CREDIT_LABEL), name)


def fill_credit_labels(value: str) -> str:
    """Put "Quelle:" (in the reader's language) before every stored image credit."""
    if CREDIT_LABEL not in value:
        return value
    return value.replace(CREDIT_LABEL, format_html('<span class="bw-credit-label">{}</span>', _("Source:")))


def responsive_body_images(value: str) -> str:
    """Replace body images of our library by ``<picture>`` with credit; one query per body."""
    if "<img" not in value:
        return value
    found = _image_lookup(_IMG.findall(value))
    if not found:
        return value

    def figure(match: re.Match) -> str:
        inner = match.group("inner")
        tags = _IMG.findall(inner)
        if len(tags) != 1:
            return match.group(0)
        image, attrs = _resolve(tags[0], found)
        if image is None:
            return match.group(0)
        caption_match = _FIGCAPTION.search(inner)
        caption = caption_match.group("caption").strip() if caption_match else ""
        credit = credit_html(image)
        figcaption = " ".join(part for part in (caption, credit) if part)
        # The figure's own classes stay: a media-and-text block lays out by them.
        kept = [
            c for c in dict(_ATTR.findall(match.group("attrs"))).get("class", "").split() if c != "bw-figure"
        ]
        classes = " ".join(["bw-figure", *kept])
        return (
            f'<figure class="{escape(classes)}" data-image="{image.pk}">'
            f"{picture_html(image, alt=attrs.get('alt') or image.alt_text)}"
            + (f"<figcaption>{figcaption}</figcaption>" if figcaption else "")
            + "</figure>"
        )

    value = _FIGURE.sub(figure, value)

    def lone(match: re.Match) -> str:
        image, attrs = _resolve(match.group(0), found)
        if image is None:
            return match.group(0)
        html = picture_html(image, alt=attrs.get("alt") or image.alt_text)
        # Its own classes stay (a cover block's background picture is placed by them).
        kept = [
            c for c in attrs.get("class", "").split() if c != "img-fluid" and not c.startswith("wp-image-")
        ]
        if kept:
            html = html.replace(
                '<img class="img-fluid"', f'<img class="img-fluid {escape(" ".join(kept))}"', 1
            )
        return html

    # Images outside a figure; those already inside a <picture> are left alone.
    parts = re.split(r"(<picture>.*?</picture>)", value, flags=re.S)
    return "".join(part if part.startswith("<picture>") else _IMG.sub(lone, part) for part in parts)


def images_missing_alt(value: str) -> list[str]:
    """Sources of body images that readers would get without alternative text."""
    tags = _IMG.findall(value or "")
    found = _image_lookup(tags) if tags else {}
    missing = []
    for tag in tags:
        image, attrs = _resolve(tag, found)
        if not (attrs.get("alt") or "").strip() and not (image and image.alt_text.strip()):
            missing.append(attrs.get("src", ""))
    return missing
