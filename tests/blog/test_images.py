"""Image uploads: checks with a clear message, renditions made once, responsive markup."""

import io
import struct
import zlib
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage

from blog.images import make_renditions
from blog.models import Image
from tests.factories import ImageFactory, PostFactory, TagFactory, image_bytes

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/blog/image/add/"


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels but holds almost no data (a "bomb")."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )


def rgba_png(size=(900, 600)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGBA", size, (255, 0, 0, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, name: str, content: bytes):
    return client.post(
        ADD_URL,
        {
            "file": SimpleUploadedFile(name, content),
            "alt_text": "Ein Bild",
            "credit_name": "",
            "credit_url": "",
        },
    )


@pytest.fixture
def admin_client_(client, superuser):
    client.force_login(superuser)
    return client


def test_upload_of_a_real_image_is_accepted(admin_client_):
    response = upload(admin_client_, "foto.jpg", image_bytes("JPEG", (1200, 800)))
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (1200, 800)
    assert image.renditions["webp"]


JPEG = image_bytes("JPEG", (1200, 800))
REFUSED = {
    "not an image": ("brief.jpg", b"Sehr geehrte Damen und Herren, " * 50, "image"),
    "text named png": ("bild.png", b"<svg onload=alert(1)></svg>", "image"),
    "truncated jpeg": ("halb.jpg", JPEG[: len(JPEG) // 2], "damaged"),
    "bmp": ("alt.bmp", image_bytes("BMP", (40, 30)), "not BMP"),
    "tiff": ("scan.tiff", image_bytes("TIFF", (40, 30)), "not TIFF"),
    # Pillow refuses such a header before our pixel limit sees it; Django words the message.
    "decompression bomb": ("bombe.png", png_header_only(20_000, 20_000), "image"),
}


@pytest.mark.parametrize("name,content,message", REFUSED.values(), ids=REFUSED.keys())
def test_upload_refuses_bad_files_with_a_clear_message(admin_client_, name, content, message):
    response = upload(admin_client_, name, content)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["file"]
    assert any(message in error for error in errors), errors
    assert not Image.objects.exists()


def test_upload_refuses_too_many_pixels(admin_client_, settings):
    settings.BLOG_IMAGE_MAX_PIXELS = 100 * 100
    response = upload(admin_client_, "gross.png", image_bytes("PNG", (200, 100)))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["file"]
    assert "200 × 100" in error
    assert not Image.objects.exists()


def test_upload_refuses_too_large_files(admin_client_, settings):
    settings.BLOG_IMAGE_MAX_BYTES = 2_000
    response = upload(admin_client_, "schwer.jpg", image_bytes("JPEG", (600, 400)))
    assert response.status_code == 200
    [error] = response.context["adminform"].form.errors["file"]
    assert "at most" in error or "höchstens" in error
    assert not Image.objects.exists()


def test_renditions_several_widths_webp_and_jpeg(settings):
    settings.BLOG_IMAGE_WIDTHS = (480, 800, 1200, 1600)
    image = ImageFactory(file=ContentFile(image_bytes("JPEG", (1300, 866)), name="foto.jpg"))
    assert [w for w, _path in image.renditions["webp"]] == [480, 800, 1200, 1300]
    assert [w for w, _path in image.renditions["fallback"]] == [480, 800, 1200, 1300]
    root = Path(settings.MEDIA_ROOT)
    for width, path in image.renditions["webp"]:
        with PILImage.open(root / path) as rendition:
            assert rendition.format == "WEBP" and rendition.width == width
    for width, path in image.renditions["fallback"]:
        with PILImage.open(root / path) as rendition:
            assert rendition.format == "JPEG" and rendition.width == width
    assert image.fallback_url.endswith("-1300.jpg")


def test_renditions_keep_transparency_as_png():
    image = ImageFactory(file=ContentFile(rgba_png(), name="logo.png"))
    assert all(path.endswith(".png") for _w, path in image.renditions["fallback"])
    assert all(path.endswith(".webp") for _w, path in image.renditions["webp"])


def test_renditions_of_a_small_image_are_not_upscaled():
    image = ImageFactory(file=ContentFile(image_bytes("JPEG", (300, 200)), name="klein.jpg"))
    assert [w for w, _p in image.renditions["webp"]] == [300]


def test_renditions_are_made_once():
    with mock.patch("blog.models.make_renditions", wraps=make_renditions) as spy:
        image = ImageFactory()
        assert spy.call_count == 1
        image.alt_text = "Neuer Text"
        image.save()
        Image.objects.get(pk=image.pk).save()
        assert spy.call_count == 1
        image.file = ContentFile(image_bytes("PNG", (500, 500)), name="neu.png")
        image.save()
        assert spy.call_count == 2


def test_deleting_an_image_removes_its_files(settings):
    image = ImageFactory()
    paths = [
        Path(settings.MEDIA_ROOT) / p for kind in ("webp", "fallback") for _w, p in image.renditions[kind]
    ]
    paths.append(Path(image.file.path))
    assert all(p.exists() for p in paths)
    image.delete()
    assert not any(p.exists() for p in paths)


def test_post_page_serves_responsive_picture(client):
    image = ImageFactory(
        alt_text="Ein blaues Testbild", credit_name="flickr", credit_url="https://www.flickr.com/"
    )
    post = PostFactory(featured_image=image, tags=[tag := TagFactory()])
    PostFactory(title="Verwandt", featured_image=ImageFactory(alt_text="Zweites Bild"), tags=[tag])
    html = client.get(post.get_absolute_url()).content.decode()
    assert '<source type="image/webp" srcset="' in html
    assert "480w" in html and "800w" in html and "1200w" in html
    assert 'width="1200" height="800"' in html
    assert 'alt="Ein blaues Testbild"' in html
    assert '<a href="https://www.flickr.com/" rel="nofollow noopener">flickr</a>' in html
    related = html[html.index("related-posts") :]
    assert 'alt="Zweites Bild"' in related and 'loading="lazy"' in related


def test_home_teaser_images_load_lazily_except_the_first(client):
    PostFactory(title="Älter", featured_image=ImageFactory(), published_at=timezone.now() - timedelta(days=2))
    PostFactory(title="Neuer", featured_image=ImageFactory())
    html = client.get("/").content.decode()
    assert html.count('loading="eager"') == 1
    assert html.count('loading="lazy"') == 1
    assert html.index('loading="eager"') < html.index('loading="lazy"')
    assert "srcset=" in html and 'height="800"' in html
