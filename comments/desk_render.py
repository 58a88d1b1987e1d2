"""The moderation desk's rows as HTML, built in Python (the one place this markup lives).

Each row carries about forty values, ten links and a dozen translated labels; as a template
``{% include %}`` 50 rows took some 150 ms of template work (variable lookups, ``{% url %}``
and ``{% translate %}`` on every row). Here the links and labels are made once per request
and every value is escaped, so a page of rows costs a few milliseconds. The page around the
rows stays a template (``templates/comments/admin/desk.html``). The markup must stay in step
with ``static/comments/moderation.js`` and ``moderation.css``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comments.models import Comment


def _plural(forms: tuple[str, str], n: int) -> str:
    """German and English: one form for 1, the other for the rest."""
    return (forms[0] if n == 1 else forms[1]) % {"counter": n}


@dataclass
class Kit:
    """What every row needs, made once per request."""

    can_change: bool
    can_ban: bool
    here: str
    tags_hint: str
    urls: dict
    labels: dict
    formats: dict

    @classmethod
    def build(cls, *, can_change: bool, can_ban: bool, here: str, tags_hint: str) -> Kit:
        urls = {
            "act": reverse("admin:comments_comment_act", args=["VERB"]),
            "answer": reverse("admin:comments_comment_answer"),
            "edit": reverse("admin:comments_comment_quick_edit"),
            "ban": reverse("admin:comments_comment_ban"),
            "change": reverse("admin:comments_comment_change", args=[0]).replace("/0/", "/{pk}/"),
            "permalink": reverse("comments:permalink", kwargs={"pk": 0}).replace("/0/", "/{pk}/"),
        }
        # Translated once; each row only fills in its values.
        formats = {
            "select": _("Select the comment by %(name)s"),
            "actions": _("Actions for the comment by %(name)s"),
            "reply_to": _("Your reply to %(name)s"),
            "in_reply": _("In reply to %(name)s:"),
            "score": _("Spam %(percent)s %%"),
            "approved": (
                ngettext("%(counter)s approved", "%(counter)s approved", 1),
                ngettext("%(counter)s approved", "%(counter)s approved", 2),
            ),
            "spam": (
                ngettext("%(counter)s spam", "%(counter)s spam", 1),
                ngettext("%(counter)s spam", "%(counter)s spam", 2),
            ),
            "reports": (
                ngettext("%(counter)s report", "%(counter)s reports", 1),
                ngettext("%(counter)s report", "%(counter)s reports", 2),
            ),
            "statuses": {value: str(label) for value, label in Comment.Status.choices},
        }
        labels = {
            key: escape(value)
            for key, value in {
                "team": _("team"),
                "from_ip": _("All comments from this IP address"),
                "all_by": _("All by this author"),
                "block": _("Block"),
                "block_email": _("this e-mail address"),
                "block_ip": _("this IP address"),
                "block_network": _("this network"),
                "block_url": _("this website"),
                "score_title": _("spam probability by the learning filter"),
                "done": _("Done — this comment left this list."),
                "why": _("Why here:"),
                "reply": _("Reply"),
                "allowed": _("Allowed HTML:"),
                "publish_reply": _("Publish reply"),
                "approve_reply": _("Approve and reply"),
                "edit": _("Edit"),
                "text": _("Text"),
                "name": _("Name"),
                "email": _("E-mail"),
                "website": _("Website"),
                "save": _("Save changes"),
                "history": _("History"),
                "only_post": _("Only comments on this post"),
                "view": _("view on the site"),
            }.items()
        }
        return cls(
            can_change=can_change,
            can_ban=can_ban,
            here=here,
            tags_hint=tags_hint,
            urls=urls,
            labels=labels,
            formats=formats,
        )


def escape(value) -> str:
    """Plain ``html.escape``: Django's lazy-aware wrapper costs more than the rest of a row."""
    return html.escape(str(value), quote=True)


def _chars(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _q(value: str) -> str:
    return escape(quote(str(value), safe=""))


def render_rows(rows, kit: Kit) -> SafeString:
    """``<tr>`` elements for ``rows`` (``comments.admin_views.Row``)."""
    return mark_safe("".join(render_row(row, kit) for row in rows))


def render_row(row, kit: Kit) -> str:
    c = row.comment
    label = kit.labels
    fmt = kit.formats
    pk = str(int(c.pk))
    name = escape(c.author_name)
    email = escape(c.author_email)
    status = escape(c.status)
    next_q = _q(kit.here)
    out: list[str] = []
    add = out.append

    add(
        f'<tr class="md-row md-status-{status}{"" if row.in_view else " md-done"}" id="md-c{pk}" '
        f'data-id="{pk}" data-status="{status}" data-name="{name}" tabindex="-1" '
        f'aria-labelledby="md-c{pk}-name md-c{pk}-state">'
    )
    # --- selection ---
    add('<td class="md-check">')
    if kit.can_change:
        select = escape(fmt["select"] % {"name": c.author_name})
        add(
            f'<input type="checkbox" name="_selected_action" value="{pk}" class="action-select" '
            f'aria-label="{select}">'
        )
    add("</td>")

    # --- the author and their history ---
    add(f'<td class="md-author"><strong class="md-name" id="md-c{pk}-name">{name}</strong>')
    if c.user_id:
        add(f' <span class="md-tag">{label["team"]}</span>')
    add('<ul class="md-facts">')
    if c.author_email:
        add(f'<li><a href="mailto:{email}">{email}</a></li>')
    if c.author_url:
        shown = escape(_chars(c.author_url.split("//", 1)[-1], 40))
        add(
            f'<li><a href="{escape(c.author_url)}" rel="nofollow noopener noreferrer" target="_blank">{shown}</a></li>'
        )
    if c.ip_address:
        ip = escape(c.ip_address)
        add(f'<li><a href="?status=all&amp;ip={_q(c.ip_address)}" title="{label["from_ip"]}">{ip}</a></li>')
    history = escape(_plural(fmt["approved"], row.approved_before))
    if row.spam_before:
        spam = escape(
            ngettext("%(counter)s spam", "%(counter)s spam", row.spam_before) % {"counter": row.spam_before}
        )
        history += f' · <span class="md-spamcount">{spam}</span>'
    add(f'<li class="md-history">{history}</li></ul>')
    if c.author_email:
        add(
            f'<p class="md-links"><a href="?status=all&amp;author={_q(c.author_email)}">{label["all_by"]}</a></p>'
        )
    if kit.can_ban:
        ban = kit.urls["ban"]
        add(f'<details class="md-ban"><summary>{label["block"]}</summary><ul>')
        if c.author_email:
            add(
                f'<li><a href="{ban}?kind=email&amp;value={_q(c.author_email)}&amp;next={next_q}">'
                f"{label['block_email']}</a></li>"
            )
        if c.ip_address:
            add(
                f'<li><a href="{ban}?kind=ip&amp;value={_q(c.ip_address)}&amp;next={next_q}">{label["block_ip"]}</a></li>'
                f'<li><a href="{ban}?kind=network&amp;value={_q(c.ip_address)}&amp;next={next_q}">'
                f"{label['block_network']}</a></li>"
            )
        if c.author_url:
            add(
                f'<li><a href="{ban}?kind=url&amp;value={_q(c.author_url)}&amp;next={next_q}">{label["block_url"]}</a></li>'
            )
        add("</ul></details>")
    add("</td>")

    # --- the comment ---
    add(
        f'<td class="md-comment"><p class="md-state" id="md-c{pk}-state">'
        f'<span class="comment-status comment-status-{status}">{escape(fmt["statuses"].get(c.status, c.status))}</span>'
    )
    reports = getattr(c, "open_reports", 0) or 0
    if reports:
        text = escape(_plural(fmt["reports"], reports))
        add(f' <span class="md-flag">⚑ {text}</span>')
    if row.score_percent is not None:
        high = " md-score-high" if row.score_percent >= 50 else ""
        score = escape(fmt["score"] % {"percent": row.score_percent})
        add(f' <span class="md-score{high}" title="{label["score_title"]}">{score}</span>')
    add(f' <span class="md-done-note">{label["done"]}</span></p>')
    if c.parent_id and c.parent is not None:
        by = escape(fmt["in_reply"] % {"name": c.parent.author_name})
        quoted = escape(_chars(html.unescape(strip_tags(c.parent.body_html)), 220))
        add(f'<blockquote class="md-parent"><span class="md-parent-by">{by}</span> {quoted}</blockquote>')
    # body_html was sanitised with the comment allow-list when the comment was saved.
    add(f'<div class="md-body">{c.body_html}</div>')
    if row.reasons:
        add(f'<p class="md-reasons"><span>{label["why"]}</span> {escape(" · ".join(row.reasons))}</p>')
    if kit.can_change:
        actions = escape(fmt["actions"] % {"name": c.author_name})
        add(f'<div class="md-actions" role="group" aria-label="{actions}">')
        for verb, verb_label, key in row.verbs:
            shortcut = f' aria-keyshortcuts="{key}"' if key else ""
            add(
                f'<button type="submit" class="md-act md-act-{verb}" name="id" value="{pk}" '
                f'formaction="{kit.urls["act"].replace("VERB", verb)}" data-verb="{verb}"{shortcut}>'
                f"{escape(verb_label)}</button>"
            )
        reply_to = escape(fmt["reply_to"] % {"name": c.author_name})
        send = label["publish_reply"] if c.status == "approved" else label["approve_reply"]
        add(
            f'<details class="md-inline md-reply-box"><summary aria-keyshortcuts="r">{label["reply"]}</summary>'
            f'<label for="reply-{pk}">{reply_to}</label>'
            f'<textarea id="reply-{pk}" name="reply-{pk}" rows="4" maxlength="10000"></textarea>'
            f'<p class="help">{label["allowed"]} <code>{escape(kit.tags_hint)}</code></p>'
            f'<button type="submit" class="md-send" name="id" value="{pk}" formaction="{kit.urls["answer"]}">'
            f"{send}</button></details>"
        )
        add(
            f'<details class="md-inline md-edit-box"><summary aria-keyshortcuts="e">{label["edit"]}</summary>'
            f'<label for="edit-{pk}-body">{label["text"]}</label>'
            f'<textarea id="edit-{pk}-body" name="edit-{pk}-body" rows="5" maxlength="10000">{escape(c.body)}</textarea>'
            '<div class="md-edit-fields">'
            f'<label>{label["name"]} <input type="text" name="edit-{pk}-author_name" value="{name}" maxlength="100"></label>'
            f'<label>{label["email"]} <input type="email" name="edit-{pk}-author_email" value="{email}" '
            'maxlength="254"></label>'
            f'<label>{label["website"]} <input type="url" name="edit-{pk}-author_url" '
            f'value="{escape(c.author_url)}" maxlength="200"></label></div>'
            f'<button type="submit" class="md-send" name="id" value="{pk}" formaction="{kit.urls["edit"]}">'
            f"{label['save']}</button></details>"
        )
        add(
            f'<a class="md-history-link" href="{kit.urls["change"].format(pk=pk)}">{label["history"]}</a></div>'
        )
    add("</td>")

    # --- the post and the date ---
    if c.post_id:
        add(
            f'<td class="md-post"><a href="?post={int(c.post_id)}" title="{label["only_post"]}">'
            f"{escape(c.post.title)}</a>"
        )
    else:  # a comment under a static page: its title links to the page
        add(f'<td class="md-post"><a href="{escape(c.page.get_absolute_url())}">{escape(c.page.title)}</a>')
    if c.status == "approved":
        add(
            f'<a class="md-view" href="{kit.urls["permalink"].format(pk=pk)}" target="_blank" rel="noopener">{label["view"]}</a>'
        )
    created = timezone.localtime(c.created_at)
    add(
        f'<time datetime="{escape(created.isoformat())}">{escape(date_format(created, "SHORT_DATETIME_FORMAT"))}</time>'
        "</td></tr>"
    )
    return "".join(out)
