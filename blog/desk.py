"""Endpoints of the writing desk (admin only): live preview, image library and upload,
tag suggestions, autosave and the post lock."""

from __future__ import annotations

import json

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from blog.bodies import body_for_readers
from blog.models import Image, Post, PostAutosave, author_name
from blog.rendering import plain_text, reading_stats, render_post_body, render_teaser

LOCK_SECONDS = 45  # the editor's heartbeat renews the lock every 15 s
AUTOSAVE_FIELDS = {"title", "slug", "body", "excerpt", "seo_description", "tag_names"}
MAX_AUTOSAVE_CHARS = 2_000_000


def preview(request):
    """The body as readers will get it: same renderer, shortcodes and embeds included."""
    if request.method != "POST":
        return HttpResponseBadRequest()
    body = request.POST.get("body", "")
    if len(body) > MAX_AUTOSAVE_CHARS:
        return JsonResponse({"error": _("The text is too long to preview.")}, status=413)
    body_html = render_post_body(body)
    excerpt = request.POST.get("excerpt", "")
    description = request.POST.get("seo_description", "").strip() or plain_text(
        render_teaser(excerpt, body_html), limit=300
    )
    return JsonResponse(
        {
            "html": str(body_for_readers(body_html, request=request, show_unknown=True)),
            "description": description,
            **reading_stats(body_html),
        }
    )


@xframe_options_sameorigin
def preview_frame(request):
    """An empty reader page (site styles and scripts) the live preview fills in."""
    response = render(request, "admin/blog/preview_frame.html")
    # This one admin page may be framed by the admin itself, nowhere else.
    response._csp_replace = {"frame-ancestors": ["'self'"]}
    return response


def image_payload(image: Image) -> dict:
    thumb = image.fallback_url
    for width, path in image.renditions.get("fallback", []):
        thumb = image.file.storage.url(path)
        if width >= 300:
            break
    medium = image.fallback_url
    for width, path in image.renditions.get("fallback", []):
        medium = image.file.storage.url(path)
        if width >= 800:
            break
    return {
        "id": image.pk,
        "thumb": thumb,
        "src": medium,
        "alt": image.alt_text,
        "credit": image.credit_name,
        "width": image.width,
        "height": image.height,
    }


@require_GET
def image_list(request):
    """The library as JSON: newest first, searchable by alt text, credit and file name."""
    queryset = Image.objects.order_by("-uploaded_at", "-pk")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        queryset = queryset.filter(
            Q(alt_text__icontains=query) | Q(credit_name__icontains=query) | Q(file__icontains=query)
        )
    page = Paginator(queryset, 24).get_page(request.GET.get("page"))
    return JsonResponse(
        {
            "results": [image_payload(image) for image in page],
            "has_next": page.has_next(),
            "page": page.number,
        }
    )


@require_POST
def image_upload(request):
    """One upload through the same checks as the image admin; a clear message otherwise."""
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse({"errors": {"file": [_("Choose an image file.")]}}, status=400)
    image = Image(
        file=upload,
        alt_text=request.POST.get("alt_text", "").strip(),
        credit_name=request.POST.get("credit_name", "").strip(),
        credit_url=request.POST.get("credit_url", "").strip(),
    )
    try:
        image.full_clean()
    except ValidationError as error:
        return JsonResponse({"errors": error.message_dict}, status=400)
    image.save()
    return JsonResponse(image_payload(image), status=201)


@require_GET
def tag_suggestions(request):
    from blog.models import Tag

    query = request.GET.get("q", "").strip()[:100]
    names = []
    if query:
        names = list(
            Tag.objects.filter(name__icontains=query).order_by("name").values_list("name", flat=True)[:10]
        )
    return JsonResponse({"results": names})


def _lock_key(post_id: int) -> str:
    return f"blog:post-lock:{post_id}"


def lock_holder(post_id: int, user) -> dict | None:
    """Who else has this post open right now (their heartbeat is recent), or None."""
    held = cache.get(_lock_key(post_id))
    if held and held.get("user_id") != user.pk:
        return held
    return None


def lock_take(post_id: int, user) -> dict | None:
    """Renew our lock unless another editor holds it; returns the other holder, if any."""
    other = lock_holder(post_id, user)
    if other is None:
        cache.set(_lock_key(post_id), {"user_id": user.pk, "name": author_name(user)}, LOCK_SECONDS)
    return other


def lock_release(post_id: int, user) -> None:
    if cache.get(_lock_key(post_id), {}).get("user_id") == user.pk:
        cache.delete(_lock_key(post_id))


def autosave_store(*, post: Post | None, user, data: dict) -> PostAutosave:
    """Overwrite this editor's autosave of ``post`` (no revision, nothing published)."""
    clean = {key: str(value) for key, value in data.items() if key in AUTOSAVE_FIELDS}
    defaults = {"data": clean, "saved_at": timezone.now()}
    try:
        with transaction.atomic():
            autosave, _created = PostAutosave.objects.update_or_create(
                post=post, user=user, defaults=defaults
            )
    except IntegrityError:  # two tabs saved the first autosave at once: the other row won, update it
        PostAutosave.objects.filter(post=post, user=user).update(**defaults)
        autosave = PostAutosave.objects.get(post=post, user=user)
    return autosave


def autosave_newer_than_post(*, post: Post | None, user) -> PostAutosave | None:
    """The editor's autosave when it holds text the saved post does not."""
    autosave = PostAutosave.objects.filter(post=post, user=user).first()
    if autosave is None:
        return None
    if post is not None and autosave.saved_at <= post.modified_at:
        return None
    if post is not None and all(
        autosave.data.get(key, "") == (getattr(post, key, "") or "")
        for key in ("title", "body", "excerpt")
        if key in autosave.data
    ):
        return None
    return autosave


def lock_message(holder: dict) -> str:
    return _("%(name)s is editing this post right now.") % {"name": holder["name"]}


@require_POST
def autosave(request):
    """Heartbeat every 15 s (renews the lock) and, with changes, the autosave itself."""
    post = None
    post_id = request.POST.get("post", "")
    if post_id:
        if not post_id.isdigit():
            return JsonResponse({"error": _("Unknown post.")}, status=400)
        post = Post.objects.filter(pk=int(post_id)).first()
        if post is None:
            return JsonResponse({"error": _("Unknown post.")}, status=404)
    response: dict = {}
    raw = request.POST.get("data")
    if raw:
        if len(raw) > MAX_AUTOSAVE_CHARS:
            return JsonResponse({"error": _("The text is too long to save automatically.")}, status=413)
        try:
            data = json.loads(raw)
        except ValueError:
            return JsonResponse({"error": _("The autosave could not be read.")}, status=400)
        if not isinstance(data, dict):
            return JsonResponse({"error": _("The autosave could not be read.")}, status=400)
        saved = autosave_store(post=post, user=request.user, data=data)
        response["saved_at"] = date_format(timezone.localtime(saved.saved_at), "TIME_FORMAT")
    if post is not None:
        holder = lock_take(post.pk, request.user)
        response["lock"] = lock_message(holder) if holder else ""
    return JsonResponse(response)


@require_POST
def autosave_discard(request):
    post_id = request.POST.get("post", "")
    post = Post.objects.filter(pk=int(post_id)).first() if post_id.isdigit() else None
    PostAutosave.objects.filter(post=post, user=request.user).delete()
    return JsonResponse({"ok": True})


def desk_strings() -> dict:
    """Texts the desk's JavaScript shows, translated here (one catalogue for everything)."""
    return {
        "image": _("Image"),
        "imageTitle": _("Insert an image from the library or upload one (also by drag and drop or paste)"),
        "poll": _("Poll"),
        "embed": _("Embed"),
        "embedTitle": _("Embed a video or post (two-click solution)"),
        "altRequired": _("Please describe the picture (alternative text) before uploading."),
        "notAnImage": _("This file is not an image (JPEG, PNG, GIF or WebP)."),
        "uploadFailed": _("The upload failed. Please try again."),
        "unknownEmbed": _(
            "This address is not one we can embed. Supported: YouTube, Vimeo, Mastodon, X, Instagram, SoundCloud."
        ),
        "noResults": _("Nothing found."),
        "autosaved": _("Saved automatically at %(time)s."),
        "autosaveFailed": _("Automatic saving failed; your text is still here. Please save the post."),
        "leave": _("Your changes have not been saved yet."),
        "titleHint": _("Title: %(count)s of about 60 characters"),
        "descriptionHint": _("Description: %(count)s of about 155 characters"),
        "tooLong": _("too long, search engines will cut it"),
        "tooShort": _("rather short"),
        "questionRequired": _("Please enter a question and at least two choices."),
        "restored": _("The backup was restored. Save the post to keep it."),
        "choose": _("Choose"),
        "noImage": _("No image chosen."),
        "previewFailed": _("The preview could not be updated."),
        "insert": _("Insert"),
    }
