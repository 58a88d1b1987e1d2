"""Mail has a timeout: an SMTP server that accepts the connection and never answers costs seconds, not a worker."""

import socket
import threading
import time

import pytest
from django.core.mail import get_connection

from tests.config.test_settings import manage


@pytest.fixture
def silent_smtp_server():
    """A real listening socket that never sends the SMTP greeting (connections wait in the backlog)."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def smtp_to(settings, silent_smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent_smtp_server
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 1
    return settings


def test_silent_smtp_server_times_out_instead_of_hanging(smtp_to):
    started = time.monotonic()
    with pytest.raises(OSError, match="timed out"):  # smtplib wraps it in SMTPServerDisconnected
        get_connection(fail_silently=False).open()
    assert time.monotonic() - started < 5


def test_without_a_timeout_the_same_server_would_hang(smtp_to):
    """The control: what EMAIL_TIMEOUT prevents (the thread ends when the fixture closes the socket)."""
    smtp_to.EMAIL_TIMEOUT = None
    connection = get_connection(fail_silently=True)
    thread = threading.Thread(target=connection.open, daemon=True)
    thread.start()
    thread.join(timeout=2)
    assert thread.is_alive(), "connecting should still be waiting for the greeting"


def test_email_timeout_comes_from_the_environment_with_a_safe_default():
    code = "from django.conf import settings; print(settings.EMAIL_TIMEOUT)"
    configured = manage("shell", "-c", code, env={"DEBUG": "true", "EMAIL_TIMEOUT": "7"})
    assert configured.stdout.strip() == "7", configured.stderr
    default = manage("shell", "-c", code, env={"DEBUG": "true"})
    assert default.stdout.strip() == "20", default.stderr
