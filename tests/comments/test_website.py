"""A commenter's website: plain http(s) addresses of public hosts; deceptive ones refused with a reason."""

import pytest
from django.urls import reverse

from comments.forms import CommentForm
from comments.models import Comment
from tests.comments.utils import form_data
from tests.factories import PostFactory

REFUSED = {
    "http://evil.example@blog.example/": "without a user name or password",
    "https://user:secret@example.org/": "without a user name or password",
    "https://blog.example:443@evil.example/": "without a user name or password",
    "http://evil.example\\blog.example/": "without backslashes",
    "javascript:alert(1)": "starts with http:// or https://",
    "JaVaScRiPt:alert(1)": "starts with http:// or https://",
    "data:text/html,<script>alert(1)</script>": "starts with http:// or https://",
    "vbscript:msgbox(1)": "starts with http:// or https://",
    "ftp://example.org/": "starts with http:// or https://",
    "http://localhost:8000/admin/": "not of a local or private computer",
    "http://127.0.0.1/": "not of a local or private computer",
    "http://192.168.178.1/": "not of a local or private computer",
    "http://[::1]/": "not of a local or private computer",
    "http://pаypal.com/": "different alphabets",  # Cyrillic "а"
    "https://xn--pypal-4ve.com/": "different alphabets",  # the same, as punycode
    "http://gοοgle.com/": "different alphabets",  # Greek omicrons
    "https://" + "a" * 300 + ".example/": "at most 200 characters",
    "http://exa mple.org/": "Enter a valid URL",
    "http:/example.org": "Enter a valid URL",
}

ACCEPTED = {
    "https://www.example.org/blog/?p=1#kommentare": "https://www.example.org/blog/?p=1#kommentare",
    "example.org": "https://example.org",
    "http://müller-bäckerei.de/": "http://müller-bäckerei.de/",
    "https://пример.рф/": "https://пример.рф/",  # one alphabet: a real Cyrillic domain
    "https://日本語ドメイン.jp/": "https://日本語ドメイン.jp/",
    "http://93.184.216.34/": "http://93.184.216.34/",
    "": "",
}


@pytest.mark.parametrize(("value", "message"), REFUSED.items(), ids=list(REFUSED))
def test_deceptive_or_dangerous_websites_are_refused_with_one_clear_message(value, message):
    form = CommentForm(data={"url": value})
    form.is_valid()
    errors = form.errors.get("url")
    assert errors, value
    assert len(errors) == 1, errors  # one reason, not the same complaint twice
    assert message in errors[0]


@pytest.mark.parametrize(("value", "cleaned"), ACCEPTED.items(), ids=list(ACCEPTED))
def test_ordinary_websites_are_accepted(value, cleaned):
    form = CommentForm(data={"url": value})
    form.is_valid()
    assert "url" not in form.errors
    assert form.cleaned_data["url"] == cleaned


@pytest.mark.django_db
def test_refused_website_comes_back_with_the_message_and_the_typed_text(client):
    post = PostFactory()
    response = client.post(
        reverse("comments:post", args=[post.pk]),
        form_data(url="http://evil.example@blog.example/", body="Mein langer Kommentar."),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "without a user name or password" in html
    assert "Mein langer Kommentar." in html
    assert not Comment.objects.exists()
