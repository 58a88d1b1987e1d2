"""Hostile path, query, form and header values never answer with a 5xx.

Walks every URL pattern of the project (``get_resolver()``), fills each path parameter in
turn with hostile values while the others stay valid, adds hostile values of the query
parameters the site and the admin read, posts hostile form data, and asserts that every
answer is below 500 — on SQLite and, with ``DATABASE_URL`` pointing at it, on PostgreSQL,
where a NUL byte or an out-of-range number reaching a query raises ``DataError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from blog.models import Post
from comments.models import Comment
from tests.comments.factories import CommentFactory
from tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory, UserFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db

# Values typed as text: percent-encoded before they go into the URL.
HOSTILE_TEXT = [
    "0",
    "-1",
    "00",
    "0000",
    "0001",
    "9999",
    "13",
    "2147483648",
    "9223372036854775808",
    "9" * 40,
    "1.5",
    "1e99",
    "NaN",
    "0x10",
    "a\x00b",
    "\x00",
    "ünïcödé-straße",
    "日本語",
    "😀",
    "\u202egnp.exe",
    "１２３",  # fullwidth digits: \d matches them, [0-9] does not
    "x" * 300,
    "y" * 5000,
    "../../../etc/passwd",
    "..",
    "%00",
    "' OR '1'='1",
    "1; DROP TABLE blog_post; --",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "\r\nSet-Cookie: injected=1",
    " ",
    "null",
    "[]",
]
# Values put into the URL as they are: broken encodings and literal traversal.
HOSTILE_RAW = ["%FF%FE", "%ED%A0%80", "%C0%AE%C0%AE", "%2e%2e%2f%2e%2e%2f", "../", "%00", "a%00b"]

HOSTILE = [quote(value, safe="") for value in HOSTILE_TEXT] + HOSTILE_RAW

# Fewer values for the walks that render whole pages per value: one of each kind.
HOSTILE_SHORT = [
    quote(value, safe="")
    for value in ["-1", "9" * 40, "a\x00b", "ünï😀", "x" * 3000, "' OR 1=1--", "1.5", ""]
] + ["%FF%FE", "%00"]

# What reader pages read from the query string (the admin's own parameters are walked on
# every change list below, with each list's filters).
QUERY_PARAMETERS = [
    "page", "q", "p", "page_id", "cpage", "replytocom", "next", "status", "feed", "s",
    "format", "language", "preview",
]  # fmt: skip

# What the forms read from a POST body.
FORM_FIELDS = [
    "name", "email", "url", "body", "parent", "started", "homepage", "captcha_0", "captcha_1",
    "choice", "other_text", "next", "reason", "username", "password", "language", "remember",
    "subscribe", "action", "_selected_action", "confirm", "q",
]  # fmt: skip

_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()]|\([^()]*\))*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern as a template: ``"category/{slug}/feed/"`` and its parameter names."""

    template: str
    names: tuple[str, ...]
    name: str

    def fill(self, values: dict[str, str]) -> str:
        return "/" + self.template.format(**values)

    def __str__(self):
        return "/" + self.template


def _template(pattern) -> tuple[str, list[str]]:
    text = str(pattern.pattern).replace("{", "{{").replace("}", "}}")
    names = [m.group("name") for m in _ROUTE_PARAMETER.finditer(text)] + [
        m.group("name") for m in _REGEX_GROUP.finditer(text)
    ]
    text = _ROUTE_PARAMETER.sub(lambda m: "{{{}}}".format(m.group("name")), text)
    text = _REGEX_GROUP.sub(lambda m: "{{{}}}".format(m.group("name")), text)
    text = text.replace("^", "").replace("$", "").replace("\\.", ".")
    return text, names


def all_routes(resolver=None, prefix="", names=()) -> list[Route]:
    """Every URL pattern of the project, nested includes flattened."""
    resolver = resolver or get_resolver()
    routes = []
    for entry in resolver.url_patterns:
        text, own = _template(entry)
        if isinstance(entry, URLResolver):
            routes += all_routes(entry, prefix + text, (*names, *own))
        elif isinstance(entry, URLPattern):
            routes.append(Route(prefix + text, (*names, *own), entry.name or entry.lookup_str))
    return routes


ROUTES = all_routes()
PUBLIC = [r for r in ROUTES if not r.template.startswith("admin/")]
ADMIN = [r for r in ROUTES if r.template.startswith("admin/")]


@pytest.fixture
def world(settings):
    """One of everything, all with the slug ``fuzz``, so valid parameters reach the views."""
    settings.RATELIMIT_ENABLED = False
    author = UserFactory(username="fuzz", is_staff=True, groups=["Editors"])
    category, tag = CategoryFactory(slug="fuzz"), TagFactory(slug="fuzz")
    post = PostFactory(slug="fuzz", author=author, categories=[category], tags=[tag])
    PostFactory(slug="entwurf", status=Post.Status.DRAFT, published_at=None)
    PageFactory(slug="fuzz")
    PollFactory(slug="fuzz", requires_captcha=True)
    comment = CommentFactory(post=post)
    CommentFactory(post=post, parent=comment, status=Comment.Status.PENDING)
    local = timezone.localtime(post.published_at)
    return {
        "slug": "fuzz",
        "year": f"{local:%Y}",
        "month": f"{local:%m}",
        "pk": str(post.pk),
        "post_id": str(post.pk),
        "username": "fuzz",
        "network": "facebook",
        "token": "abc",
        "key": "abc",
        "object_id": str(post.pk),
        "content_type_id": str(ContentType.objects.get_for_model(Post).pk),
        "app_label": "blog",
        "id": str(author.pk),
        "path": "fuzz",
    }


def _request(client: Client, method: str, url: str, failures: list, **extra) -> int | None:
    # Each request in a savepoint: on PostgreSQL a failed query would poison the rest.
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, **extra)
    except Exception as exc:  # noqa: BLE001 - every escaping exception is a finding
        failures.append(f"{method.upper()} {url[:160]!r}: {type(exc).__name__}: {str(exc)[:160]}")
        return None
    if response.status_code >= 500:
        failures.append(f"{method.upper()} {url[:160]!r}: {response.status_code}")
    return response.status_code


def _path_values(route: Route, world: dict, values=HOSTILE):
    """Each parameter in turn hostile, the others valid."""
    valid = {name: world.get(name, "1") for name in route.names}
    for name in route.names:
        for value in values:
            yield route.fill({**valid, name: value})


def _valid_url(route: Route, world: dict) -> str:
    return route.fill({name: world.get(name, "1") for name in route.names})


def _walk(client, route, world, *, methods=("get",), values=HOSTILE) -> list[str]:
    failures: list[str] = []
    urls = list(_path_values(route, world, values)) if route.names else [_valid_url(route, world)]
    for url in urls:
        for method in methods:
            _request(client, method, url, failures)
    return failures


def test_every_url_pattern_is_walked():
    """The walk sees the whole project, not a hand-kept list that goes stale."""
    names = {route.name for route in ROUTES}
    assert {"post_detail", "archive_year", "archive_month", "search", "moderate", "vote"} <= names
    assert len(ADMIN) > 50


@pytest.mark.parametrize("route", PUBLIC, ids=str)
def test_public_url_pattern_with_hostile_path_values(client, world, route):
    failures = _walk(client, route, world, methods=("get", "head"))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", PUBLIC, ids=str)
def test_public_url_pattern_with_hostile_path_values_as_editor(client, world, route, editor):
    client.force_login(editor)  # sees drafts and previews, so reaches more code
    failures = _walk(client, route, world, values=HOSTILE_SHORT)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", PUBLIC, ids=str)
def test_public_url_pattern_with_hostile_query_values(client, world, route):
    base, failures = _valid_url(route, world), []
    for parameter in QUERY_PARAMETERS:
        for value in HOSTILE_SHORT:
            _request(client, "get", f"{base}?{parameter}={value}", failures)
        _request(client, "get", f"{base}?{parameter}=1&{parameter}=2", failures)
    _request(client, "get", f"{base}?{'&'.join(f'{p}=a%00b' for p in QUERY_PARAMETERS)}", failures)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", PUBLIC, ids=str)
def test_public_url_pattern_with_hostile_form_posts(client, world, route):
    base, failures = _valid_url(route, world), []
    for value in [*HOSTILE_TEXT, "", "\x00"]:
        _request(client, "post", base, failures, data=dict.fromkeys(FORM_FIELDS, value))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", ADMIN, ids=str)
def test_admin_url_pattern_with_hostile_path_values(client, world, route, superuser):
    client.force_login(superuser)
    failures = _walk(client, route, world)
    assert not failures, "\n".join(failures)


def _changelist_parameters(model_admin) -> list[str]:
    """The query parameters a changelist reads: search, ordering, filters, date drill-down."""
    parameters = ["q", "o", "p", "e", "all", "_to_field", "_popup", "_changelist_filters"]
    for entry in model_admin.list_filter:
        if isinstance(entry, str):
            parameters += [entry, f"{entry}__exact", f"{entry}__id__exact", f"{entry}__isnull"]
        elif isinstance(entry, tuple | list):
            parameters += [entry[0], f"{entry[0]}__exact"]
        else:
            parameters.append(getattr(entry, "parameter_name", None) or "x")
    if model_admin.date_hierarchy:
        field = model_admin.date_hierarchy
        parameters += [f"{field}__year", f"{field}__month", f"{field}__day"]
    return parameters


@pytest.mark.parametrize(
    "model",
    [m for m in admin.site._registry if m._meta.app_label in ("blog", "comments", "polls", "wpimport")],
    ids=lambda m: m._meta.label,
)
def test_admin_changelist_with_hostile_query_values(client, world, superuser, model):
    client.force_login(superuser)
    model_admin = admin.site._registry[model]
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    failures: list[str] = []
    for parameter in _changelist_parameters(model_admin):
        for value in HOSTILE_SHORT:
            _request(client, "get", f"{base}?{parameter}={value}", failures)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "url", ["/search/?q=a%00b", "/x%00y/", "/?p=1%00", "/polls/%00/", "/admin/blog/post/?q=%00"]
)
def test_nul_byte_in_address_is_a_clear_400(client, url, caplog):
    response = client.get(url)
    assert response.status_code == 400
    assert "This address cannot be read" in response.content.decode()
    assert "NUL byte" in caplog.text  # logged as a suspicious request


def test_nul_byte_in_a_cookie_or_header_is_a_400(client):
    assert client.get("/", HTTP_COOKIE="sessionid=a\x00bcdefghijk").status_code == 400
    assert client.get("/", HTTP_USER_AGENT="Mozilla\x00").status_code == 400


def test_nul_byte_typed_into_a_form_gets_a_message_not_a_400(client, world):
    response = client.post(
        f"/comments/post/{world['pk']}/",
        {"name": "Eve", "email": "eve@example.org", "body": "Null\x00Byte"},
    )
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_encoded_percent_zero_zero_is_text_not_a_nul(client, world):
    assert client.get("/search/?q=%2500").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_USER_AGENT": "Mozilla\x00/5.0"},
        {"HTTP_USER_AGENT": "U" * 20_000},
        {"HTTP_ACCEPT_LANGUAGE": "de\x00,en;q=0.9"},
        {"HTTP_ACCEPT_LANGUAGE": "x" * 500 + ";q=abc"},
        {"HTTP_X_FORWARDED_FOR": "not-an-ip, \x00, 999.999.1.1"},
        {"HTTP_REFERER": "javascript:alert(1)\x00"},
        {"HTTP_ACCEPT": "application/json\x00"},
        {"HTTP_COOKIE": "sessionid=a\x00bcdefghijk"},
        {"HTTP_COOKIE": "sessionid=" + "z" * 5000},
        {"HTTP_COOKIE": "csrftoken=\x00; comment_author=%7B%22name%22%3A%00"},
        {"HTTP_COOKIE": "comment_author=%FF%FE; pollvoter=\x00"},
        {"REMOTE_ADDR": "not-an-ip"},
    ],
    ids=lambda h: repr(h)[:40],
)
def test_hostile_headers_on_reader_pages(client, world, headers):
    failures: list[str] = []
    for route in ("", "fuzz/", "search/", "polls/fuzz/", "feed/"):
        _request(client, "get", f"/{route}?q=x", failures, **headers)
    _request(
        client,
        "post",
        f"/comments/post/{world['pk']}/",
        failures,
        data={"name": "Eve", "email": "eve@example.org", "body": "Hallo"},
        **headers,
    )
    _request(client, "post", "/polls/fuzz/vote/", failures, data={"choice": "1"}, **headers)
    assert not failures, "\n".join(failures)
