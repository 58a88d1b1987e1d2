"""The captcha: a task per reader, nothing written to show one, each task answered once."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments.models import Comment
from core import captcha
from core.models import UsedChallenge
from tests.comments.factories import CommentFactory
from tests.comments.utils import captcha_answer, form_data
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="captcha_0" value="([^"]+)"')
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)", re.I)


def _key(response) -> str:
    return KEY.search(response.content.decode()).group(1)


def _post_comment(client, post, key, **overrides):
    data = form_data(captcha_0=key, captcha_1=captcha_answer(key), **overrides)
    return client.post(reverse("comments:post", args=[post.pk]), data)


def test_challenge_numbers_follow_from_the_key_and_add_up():
    for _ in range(50):
        key = captcha.challenge_new()
        a, b = captcha.challenge_numbers(key)
        assert 1 <= a <= 10 and 1 <= b <= 10
        assert captcha.challenge_text(key) == f"{a} + {b}"
        assert captcha.challenge_numbers(key) == (a, b)  # stable: nothing stored, nothing to lose


@pytest.mark.parametrize(
    "key",
    ["", "nope", "cc1.x", "cc1." + "A" * 16 + ":abc:" + "B" * 43, "x" * 5000, "cc1.\x00", None, 17],
)
def test_forged_or_broken_keys_have_no_task(key):
    assert captcha.challenge_numbers(key) is None
    assert captcha.challenge_use(key) is False


def test_a_tampered_key_has_no_task():
    key = captcha.challenge_new()
    nonce_start = len("cc1.")
    tampered = key[:nonce_start] + ("A" if key[nonce_start] != "A" else "B") + key[nonce_start + 1 :]
    assert captcha.challenge_numbers(tampered) is None


def test_keys_expire(settings):
    key = captcha.challenge_new()
    settings.CORE_CAPTCHA_MAX_AGE = -1
    assert captcha.challenge_numbers(key) is None


def test_a_task_is_used_once():
    key = captcha.challenge_new()
    assert captcha.challenge_use(key) is True
    assert captcha.challenge_use(key) is False
    assert not captcha.challenge_usable(key)


def test_showing_pages_writes_nothing(client):
    post = PostFactory()
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert client.get(post.get_absolute_url()).status_code == 200
        assert client.get(reverse("core:captcha_new")).status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"])]
    assert writes == []
    assert UsedChallenge.objects.count() == 0


def test_every_reader_of_a_cached_page_gets_their_own_task_and_both_succeed():
    post = PostFactory()
    first, second = Client(), Client()
    page_first = first.get(post.get_absolute_url())
    page_second = second.get(post.get_absolute_url())
    assert page_second["X-Page-Cache"] == "hit"
    key_first, key_second = _key(page_first), _key(page_second)
    assert key_first != key_second
    html = page_second.content.decode()
    # The picture and the text link name the reader's own task too.
    assert reverse("core:captcha_image", args=[key_second]) in html
    assert reverse("core:captcha_text", args=[key_second]) in html
    assert key_first not in html
    assert _post_comment(second, post, key_second, body="Die zweite Leserin zuerst.").status_code == 302
    assert _post_comment(first, post, key_first, body="Der erste Leser danach.").status_code == 302
    assert Comment.objects.count() == 2


def test_a_solved_task_sent_twice_counts_once(client):
    post = PostFactory()
    key = captcha.challenge_new()
    assert _post_comment(client, post, key, body="Einmal.").status_code == 302
    again = _post_comment(client, post, key, body="Zweimal mit derselben Aufgabe.")
    assert again.status_code == 200
    assert "expired" in again.content.decode()
    assert "Zweimal mit derselben Aufgabe." in again.content.decode()  # the text is kept
    assert _key(again) != key
    assert Comment.objects.count() == 1


def test_a_right_answer_on_a_form_with_other_mistakes_is_kept(client):
    post = PostFactory()
    key = captcha.challenge_new()
    answer = captcha_answer(key)
    response = _post_comment(client, post, key, email="keine-adresse", body="Mein Text bleibt.")
    html = response.content.decode()
    assert response.status_code == 200
    assert _key(response) == key  # not used up: the reader only fixes the e-mail address
    assert f'name="captcha_1" value="{answer}"' in html
    assert not UsedChallenge.objects.exists()
    fixed = client.post(reverse("comments:post", args=[post.pk]), form_data(captcha_0=key, captcha_1=answer))
    assert fixed.status_code == 302


def test_a_wrong_answer_uses_the_task_up(client):
    post = PostFactory()
    key = captcha.challenge_new()
    wrong = str(int(captcha_answer(key)) + 1)
    response = client.post(
        reverse("comments:post", args=[post.pk]), form_data(captcha_0=key, captcha_1=wrong)
    )
    assert "not right" in response.content.decode()
    assert _key(response) != key
    retry = client.post(
        reverse("comments:post", args=[post.pk]), form_data(captcha_0=key, captcha_1=captcha_answer(key))
    )
    assert retry.status_code == 200 and Comment.objects.count() == 0


def test_test_mode_accepts_passed_only_when_switched_on(client, settings):
    post = PostFactory()
    key = captcha.challenge_new()
    refused = client.post(
        reverse("comments:post", args=[post.pk]), form_data(captcha_0=key, captcha_1="PASSED")
    )
    assert refused.status_code == 200
    settings.CAPTCHA_TEST_MODE = True
    accepted = client.post(
        reverse("comments:post", args=[post.pk]),
        form_data(captcha_0=captcha.challenge_new(), captcha_1="PASSED"),
    )
    assert accepted.status_code == 302


def test_the_picture_is_a_png_that_may_be_kept_for_the_tasks_lifetime(client):
    key = captcha.challenge_new()
    response = client.get(reverse("core:captcha_image", args=[key]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert "max-age=" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert client.get(reverse("core:captcha_image", args=["cc1.forged"])).status_code == 404


def test_the_task_as_text(client):
    key = captcha.challenge_new()
    a, b = captcha.challenge_numbers(key)
    data = client.get(reverse("core:captcha_text", args=[key]), HTTP_ACCEPT="application/json").json()
    assert data == {"text": f"{a} + {b}"}
    page = client.get(reverse("core:captcha_text", args=[key]))
    assert f"{a} + {b}" in page.content.decode()
    assert client.get(reverse("core:captcha_text", args=["nope"])).status_code == 404


def test_a_new_task_for_the_refresh_button(client):
    data = client.get(reverse("core:captcha_new")).json()
    assert captcha.challenge_numbers(data["key"]) is not None
    assert data["image_url"] == reverse("core:captcha_image", args=[data["key"]])
    assert data["text_url"] == reverse("core:captcha_text", args=[data["key"]])


@pytest.mark.parametrize("endpoint", ["new", "image", "text", "text-json"])
def test_captcha_endpoints_are_rate_limited_with_retry_after(client, settings, endpoint):
    settings.CORE_CAPTCHA_FETCHES_PER_IP = 3
    settings.CORE_CAPTCHA_IMAGES_PER_IP = 3
    key = captcha.challenge_new()
    url = {
        "new": reverse("core:captcha_new"),
        "image": reverse("core:captcha_image", args=[key]),
        "text": reverse("core:captcha_text", args=[key]),
        "text-json": reverse("core:captcha_text", args=[key]),
    }[endpoint]
    headers = {"HTTP_ACCEPT": "application/json"} if endpoint == "text-json" else {}
    answers = [client.get(url, **headers) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0


def test_the_form_rendered_once_still_gives_each_reader_their_own_tokens(settings):
    """Without the page cache the empty comment form comes from a fragment cache; its
    CSRF token, captcha task and start time stay personal."""
    settings.PAGECACHE_SECONDS = 0
    post = PostFactory()
    readers = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = [reader.get(post.get_absolute_url()) for reader in readers]
    keys = [_key(page) for page in pages]
    started = [re.search(r'name="started" value="([^"]+)"', p.content.decode()).group(1) for p in pages]
    assert keys[0] != keys[1] and started[0] != started[1]
    for n, (reader, page, key) in enumerate(zip(readers, pages, keys, strict=True)):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        data = form_data(
            captcha_0=key,
            captcha_1=captcha_answer(key),
            csrfmiddlewaretoken=token,
            email=f"leser{n}@example.org",
            body=f"Gedanke von Leser {n}.",
        )
        assert reader.post(reverse("comments:post", args=[post.pk]), data).status_code == 302
    assert Comment.objects.count() == 2


def test_a_reply_form_is_rendered_for_its_comment(client, settings):
    settings.PAGECACHE_SECONDS = 0
    parent = CommentFactory(status="approved")
    post = parent.post
    html = Client().get(f"{post.get_absolute_url()}?replytocom={parent.pk}").content.decode()
    assert f'name="parent" value="{parent.pk}"' in html
    plain = Client().get(post.get_absolute_url()).content.decode()
    assert f'name="parent" value="{parent.pk}"' not in plain
