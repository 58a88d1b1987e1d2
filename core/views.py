"""The captcha's own endpoints (the picture, the task as text, a new task for the refresh
button) and the language switch."""

from __future__ import annotations

import io
import secrets

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from PIL import Image, ImageDraw, ImageFont

from core import captcha
from core.clients import client_ip, ip_hash
from core.conf import core_settings
from core.ratelimit import Decision, hit, too_many_requests

IMAGE_SIZE = (150, 50)


def _limited(request, *, picture: bool = False) -> bool:
    """A budget per address for new tasks and texts, and a larger one for pictures: every
    page view loads one, and many readers may share an address."""
    decision = hit(
        "captcha-image" if picture else "captcha",
        ip_hash(client_ip(request) or "unknown")[:32],
        limit=core_settings.CAPTCHA_IMAGES_PER_IP if picture else core_settings.CAPTCHA_FETCHES_PER_IP,
        window=core_settings.CAPTCHA_FETCH_WINDOW,
    )
    return decision == Decision.LIMITED


def _limited_response(request, *, as_json: bool):
    window = core_settings.CAPTCHA_FETCH_WINDOW
    message = _("Too many new spam-protection tasks. Please wait a few minutes.")
    if as_json:
        response = JsonResponse({"error": message}, status=429)
        response["Retry-After"] = str(window)
        return response
    return too_many_requests(request, retry_after=window, message=message)


def _draw(text: str) -> bytes:
    """The task as a PNG: upright digits, a little jitter and noise against naive OCR."""
    rng = secrets.SystemRandom()
    image = Image.new("RGB", IMAGE_SIZE, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=30)
    x = 10
    for char in text:
        draw.text((x, 8 + rng.randint(-4, 4)), char, font=font, fill=(30, 30, 30))
        x += int(draw.textlength(char, font=font)) + rng.randint(2, 5)
    for _dot in range(160):
        draw.point((rng.randrange(IMAGE_SIZE[0]), rng.randrange(IMAGE_SIZE[1])), fill=(90, 90, 90))
    for _line in range(2):
        points = [(rng.randrange(IMAGE_SIZE[0]), rng.randrange(IMAGE_SIZE[1])) for _p in range(2)]
        draw.line(points, fill=(120, 120, 120), width=1)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@require_GET
def captcha_image(request, key: str):
    if _limited(request, picture=True):
        return _limited_response(request, as_json=False)
    text = captcha.challenge_text(key)
    if text is None:
        raise Http404
    response = HttpResponse(_draw(f"{text} ="), content_type="image/png")
    # The picture of one key never changes: the browser may keep it as long as the task lives.
    patch_cache_control(response, private=True, max_age=core_settings.CAPTCHA_MAX_AGE)
    return response


@never_cache
@require_GET
def captcha_text(request, key: str):
    """The task as text: the accessible alternative to the picture."""
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if _limited(request):
        return _limited_response(request, as_json=wants_json)
    text = captcha.challenge_text(key)
    if text is None:
        raise Http404
    if wants_json:
        return JsonResponse({"text": text})
    return render(request, "core/captcha_text.html", {"text": text})


@never_cache
@require_GET
def captcha_new(request):
    """A new task for the refresh button (the page's own task is already per reader)."""
    if _limited(request):
        return _limited_response(request, as_json=True)
    key = captcha.challenge_new()
    return JsonResponse(
        {
            "key": key,
            "image_url": reverse("core:captcha_image", args=[key]),
            "text_url": reverse("core:captcha_text", args=[key]),
        }
    )


@never_cache
@require_safe
def language_switch(request):
    """Set the reader's language and go back to ``next`` (a page of this site, else home).

    A GET form (or link), so the language switch on every page needs no CSRF token: choosing
    a language changes nothing but how the site reads to this browser, and pages without a
    POST form can then be served from the page cache without a token and its cookie.
    Django's POST ``/i18n/setlang/`` keeps working.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response
