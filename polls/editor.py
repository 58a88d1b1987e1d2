"""The poll tool of the writing desk: find a poll or create one without leaving the post.

Registered with ``blog.editor.tools`` in ``polls/apps.py``; a poll created for a post that is
not live yet is held back (``Poll.held_for``) until the post goes live.
"""

from __future__ import annotations

from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from blog.editor import EditorTool
from blog.models import Post
from blog.slugs import unique_slug
from polls.models import Choice, Poll

MAX_CHOICES = 20


def poll_tool() -> EditorTool:
    return EditorTool(
        key="poll",
        label=gettext_lazy("Poll"),
        urls={"search": reverse("admin:polls_desk_search"), "create": reverse("admin:polls_desk_create")},
    )


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:100]
    polls = Poll.objects.order_by("-opens_at", "-pk")
    if query:
        polls = polls.filter(question__icontains=query)
    return JsonResponse({"results": [{"slug": p.slug, "question": p.question} for p in polls[:20]]})


def poll_create_for_post(*, question: str, choices: list[str], post: Post | None) -> Poll:
    """A poll with its choices; held back until ``post`` is live when it is not yet."""
    with transaction.atomic():
        poll = Poll.objects.create(
            question=question,
            slug=unique_slug(Poll, question, max_length=80),
            held_for=post,
            is_held=post is None or not post.is_published(),
        )
        Choice.objects.bulk_create(
            [Choice(poll=poll, text=text, position=index) for index, text in enumerate(choices)]
        )
    return poll


def polls_hold_for_post(*, post: Post, data) -> None:
    """After a post is saved: polls made for it in the editor before it existed belong to it."""
    slugs = [slug for slug in data.get("_desk_polls", "").split() if slug][:MAX_CHOICES]
    if slugs:
        Poll.objects.filter(slug__in=slugs, is_held=True, held_for__isnull=True).update(held_for=post)


@require_POST
def create(request):
    question = " ".join(request.POST.get("question", "").split())[:200]
    choices = [" ".join(c.split())[:200] for c in request.POST.get("choices", "").splitlines() if c.strip()]
    if not question or len(choices) < 2:
        return JsonResponse({"error": _("Please enter a question and at least two choices.")}, status=400)
    if len(choices) > MAX_CHOICES:
        return JsonResponse({"error": _("At most %(max)d choices.") % {"max": MAX_CHOICES}}, status=400)
    post_id = request.POST.get("post", "")
    post = Post.objects.filter(pk=int(post_id)).first() if post_id.isdigit() else None
    poll = poll_create_for_post(question=question, choices=choices, post=post)
    return JsonResponse({"slug": poll.slug, "question": poll.question}, status=201)
