"""A full disk: the visitor or editor is told nothing was saved, never a 500."""

import errno

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from blog.models import Image
from tests.factories import image_bytes

pytestmark = pytest.mark.django_db


class FullDiskStorage(FileSystemStorage):
    """A file system that has run out of space, as the kernel reports it."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_image_upload_on_a_full_disk_says_it_was_not_saved(client, superuser, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.config.test_faults.FullDiskStorage"},
    }
    client.force_login(superuser)
    upload = SimpleUploadedFile("bild.jpg", image_bytes(), content_type="image/jpeg")
    response = client.post(
        "/admin/blog/image/add/",
        {"file": upload, "alt_text": "Ein Bild", "credit_name": "", "credit_url": ""},
    )
    assert response.status_code == 507
    assert "Traceback" not in response.content.decode()
    assert Image.objects.count() == 0


def test_other_os_errors_are_not_mistaken_for_a_full_disk(rf):
    from core.middleware import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(rf.get("/"), OSError(errno.EACCES, "denied")) is None
