"""Poll pages for readers, the vote handler and the results JSON."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView, ListView

from blog.views import SidebarMixin, sidebar_data
from core import ratelimit
from core.clients import client_ip, ip_hash
from core.invalidation import fragment_key
from polls.conf import polls_settings
from polls.forms import VoteForm
from polls.models import Poll, Vote
from polls.policies import counts_visible, results_visible
from polls.results import poll_results
from polls.services import AlreadyVoted, PollNotOpen, VoteRefused, vote_record
from polls.shortcodes import render_poll_boxes
from polls.voters import (
    ReaderState,
    ensure_voter_cookie,
    new_voter_token,
    reader_state,
    remember_vote,
    voted_poll_ids,
    voter_token,
)


class PollListView(SidebarMixin, ListView):
    template_name = "polls/poll_list.html"
    context_object_name = "polls"
    paginate_by = polls_settings.POLLS_PER_PAGE

    def get_queryset(self):
        return Poll.objects.public().started().with_totals().order_by("-opens_at", "-pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        voted = voted_poll_ids(self.request)
        is_staff = self.request.user.is_staff
        for poll in context["polls"]:
            poll.totals_visible = results_visible(
                poll, has_voted=poll.pk in voted, is_staff=is_staff
            ) and counts_visible(poll, is_staff=is_staff)
        return context


def _visible_polls(request):
    """Staff see every poll; readers not those held back for a post that is not live."""
    return Poll.objects.all() if request.user.is_staff else Poll.objects.public()


@method_decorator(never_cache, name="dispatch")
class PollDetailView(SidebarMixin, DetailView):
    """The vote page: the poll box on its own; gives the browser its voter token."""

    model = Poll
    template_name = "polls/poll_detail.html"

    def get_queryset(self):
        return _visible_polls(self.request)

    context_object_name = "poll"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["box"] = render_poll_boxes([self.object], self.request)[self.object.pk]
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        ensure_voter_cookie(self.request, response)
        return response


@method_decorator(never_cache, name="dispatch")
class PollResultsView(SidebarMixin, DetailView):
    model = Poll
    template_name = "polls/poll_results.html"

    def get_queryset(self):
        return _visible_polls(self.request)

    context_object_name = "poll"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        poll = self.object
        state = reader_state(self.request, poll)
        visible = results_visible(poll, has_voted=state.has_voted, is_staff=state.is_staff)
        context["results"] = poll_results(poll) if visible else None
        context["show_counts"] = counts_visible(poll, is_staff=state.is_staff)
        context["has_voted"] = state.has_voted
        context["own_choices"] = state.own_choices
        context["refresh_seconds"] = polls_settings.LIVE_REFRESH_SECONDS if poll.is_open() else 0
        if state.is_staff:
            context["other_answers"] = list(
                Vote.objects.filter(ballot__poll=poll, choice__is_other=True)
                .exclude(other_text="")
                .order_by("-ballot__created_at")
                .values_list("other_text", flat=True)[:200]
            )
        return context


@never_cache
@require_GET
def results_json(request, slug):
    """``{"question", "total_votes", "closed", "choices": [{"id", "text", "votes", "percent"}]}``."""
    poll = get_object_or_404(_visible_polls(request), slug=slug)
    state = reader_state(request, poll)
    if not results_visible(poll, has_voted=state.has_voted, is_staff=state.is_staff):
        return JsonResponse({"detail": _("The results of this poll are not public yet.")}, status=403)
    key = fragment_key("poll-results", poll=poll.pk)
    results = cache.get(key)
    if results is None or results.poll.pk != poll.pk:
        results = poll_results(poll)
        cache.set(key, results, 300)
    results.poll = poll  # times may have changed; counts are what the version guards
    return JsonResponse(results.as_json(show_counts=counts_visible(poll, is_staff=state.is_staff)))


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _next_url(request, poll: Poll) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target.split("#", 1)[0]
    return poll.get_absolute_url()


@require_POST
def vote(request, slug):
    """Count a vote (POST only), then show the results: redirect, or JSON for the script."""
    poll = get_object_or_404(_visible_polls(request), slug=slug)
    wants_json = _wants_json(request)

    decision = ratelimit.hit(
        "poll-vote",
        ip_hash(client_ip(request))[:32],
        limit=polls_settings.VOTE_RATE_LIMIT,
        window=polls_settings.VOTE_RATE_WINDOW,
    )
    if decision is ratelimit.Decision.LIMITED:
        message = _("You voted very often in a short time. Please wait a minute and try again.")
        if wants_json:
            response = JsonResponse({"ok": False, "message": message}, status=429)
            response["Retry-After"] = str(polls_settings.VOTE_RATE_WINDOW)
            return response
        return ratelimit.too_many_requests(
            request, retry_after=polls_settings.VOTE_RATE_WINDOW, message=message
        )
    if decision is ratelimit.Decision.UNKNOWN:
        # Without the shared counter we cannot tell a flood from a reader: refuse, never lose silently.
        return _answer(
            request,
            poll,
            ok=False,
            status=503,
            message=_("Voting is not possible for a moment. Please try again in a minute."),
            wants_json=wants_json,
        )

    form = VoteForm(request.POST, poll=poll, choices=list(poll.choices.all()))
    if not form.is_valid():
        return _answer(
            request, poll, ok=False, status=400, message=form.first_error(), wants_json=wants_json, form=form
        )

    token = voter_token(request) or new_voter_token()
    ip = client_ip(request)
    voted, status, own_choices = True, 200, []
    try:
        own_choices = [c.pk for c in form.cleaned_data["choices"]]
        vote_record(
            poll=poll,
            choices=form.cleaned_data["choices"],
            voter=token,
            ip=ip,
            ip_hash=ip_hash(ip) if ip else "",
            other_text=form.cleaned_data.get("other_text", ""),
        )
        message, ok = _("Thank you for your vote!"), True
    except AlreadyVoted as exc:
        message, ok, status, own_choices = str(exc), False, 409, []
    except PollNotOpen as exc:
        message, ok, voted, status = str(exc), False, False, 403
    except VoteRefused as exc:
        message, ok, voted, status = str(exc), False, False, 400
    return _answer(
        request,
        poll,
        ok=ok,
        status=status,
        message=message,
        wants_json=wants_json,
        voted=voted,
        token=token,
        own_choices=own_choices,
    )


def _answer(
    request, poll, *, ok, status, message, wants_json, voted=False, token=None, form=None, own_choices=()
):
    state = reader_state(request, poll)
    if voted:
        own = frozenset(own_choices) or state.own_choices
        state = ReaderState(has_voted=True, is_staff=state.is_staff, own_choices=own)
    if form is not None and not wants_json:
        # Without the script: the vote page with the form as sent (choice and own answer kept)
        # and the reason, instead of a redirect that would drop what the reader typed.
        box = render_poll_boxes(
            [poll],
            request,
            states={poll.pk: state},
            forms={poll.pk: form},
            messages={poll.pk: message},
            next_url=_next_url(request, poll),
        )[poll.pk]
        context = {"poll": poll, "box": box, "sidebar": sidebar_data()}
        return TemplateResponse(request, "polls/poll_detail.html", context, status=status)
    if wants_json:
        box = render_poll_boxes(
            [poll],
            request,
            states={poll.pk: state},
            forms={poll.pk: form} if form is not None else None,
            messages={poll.pk: message},
            next_url=_next_url(request, poll),
        )[poll.pk]
        response = JsonResponse({"ok": ok, "message": message, "html": box}, status=status)
    else:
        level = messages.SUCCESS if ok else messages.WARNING
        messages.add_message(request, level, message)
        response = HttpResponseRedirect(f"{_next_url(request, poll)}#poll-{poll.slug}")
    if token:
        ensure_voter_cookie(request, response, token)
    if voted:
        remember_vote(request, response, poll, state.own_choices)
    return response
