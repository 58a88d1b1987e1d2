"""Demo discussion: a threaded German conversation under the sticky post, in every state."""

from __future__ import annotations

from datetime import timedelta

from blog.demo import register
from blog.models import Post
from comments.models import Comment, CommentEvent, ModerationSettings
from comments.sanitize import render_comment_body
from comments.services import fingerprint

DEMO_POST = "social-media-pr-marketing-oder-privat"

# (key, parent key, name, e-mail, website, status, minutes after publication, text)
DISCUSSION = [
    (
        "anna",
        None,
        "Anna Becker",
        "anna.becker@example.org",
        "https://example.org/anna",
        "approved",
        45,
        "Bei uns liegt Social Media ganz klar in der Unternehmenskommunikation. Marketing darf "
        "Kampagnen beisteuern, aber der Ton kommt aus der PR.\n\nSonst wird jeder Beitrag zur Anzeige.",
    ),
    (
        "jonas",
        "anna",
        "Jonas Weber",
        "jonas.weber@example.org",
        "",
        "approved",
        80,
        "Das sehe ich anders: Ohne <strong>messbare Ziele</strong> aus dem Marketing bleibt "
        "Social Media ein Hobby. Die PR denkt oft nur in Pressemitteilungen.",
    ),
    (
        "anna2",
        "jonas",
        "Anna Becker",
        "anna.becker@example.org",
        "https://example.org/anna",
        "approved",
        95,
        "Messbar ja – aber <em>was</em> messen wir? Reichweite allein sagt wenig über Vertrauen.",
    ),
    (
        "mia",
        "anna2",
        "Mia Schulz",
        "mia.schulz@example.org",
        "",
        "approved",
        130,
        "Genau deshalb arbeiten wir mit einem kleinen Team aus beiden Abteilungen. "
        "Wöchentliche Abstimmung, gemeinsame Kennzahlen – klappt erstaunlich gut.",
    ),
    (
        "tobias",
        None,
        "Tobias Krüger",
        "tobias.krueger@example.org",
        "https://example.com",
        "approved",
        200,
        "Und die Mitarbeitenden? Die sind doch längst die glaubwürdigsten Stimmen. "
        '<q cite="https://example.com/studie">Menschen vertrauen Menschen</q> – steht ja auch im Beitrag.',
    ),
    (
        "lea",
        "tobias",
        "Lea Hoffmann",
        "lea.hoffmann@example.org",
        "",
        "approved",
        260,
        "Dafür braucht es aber Leitlinien. Bei uns hat erst die Guideline den Knoten gelöst.",
    ),
    (
        "pending1",
        "tobias",
        "Paul Neumann",
        "paul.neumann@example.org",
        "",
        "pending",
        300,
        "Wir haben gute Erfahrungen mit einem Botschafterprogramm gemacht. Wer Interesse hat, "
        "kann sich gern melden.",
    ),
    (
        "pending2",
        None,
        "Sabine Wolf",
        "sabine.wolf@example.org",
        "https://example.net",
        "pending",
        340,
        "Spannende Umfrage! Gibt es die Ergebnisse später auch als Auswertung nach Branchen?",
    ),
    (
        "spam",
        None,
        "Billig Follower",
        "seo@spam.example",
        "https://spam.example/kaufen",
        "spam",
        360,
        "1000 Follower sofort!!! Jetzt kaufen: https://spam.example/a https://spam.example/b "
        "https://spam.example/c",
    ),
]


def seed_comments(stdout=None) -> None:
    post = Post.objects.filter(slug=DEMO_POST).first()
    if post is None or Comment.objects.filter(post=post).exists():
        return
    ModerationSettings.load()
    start = post.published_at or post.created_at
    created: dict[str, Comment] = {}
    for key, parent_key, name, email, url, status, minutes, text in DISCUSSION:
        parent = created.get(parent_key) if parent_key else None
        comment = Comment.objects.create(
            post=post,
            parent=parent,
            depth=parent.depth + 1 if parent else 0,
            author_name=name,
            author_email=email,
            author_url=url,
            body=text,
            body_html=render_comment_body(text),
            status=status,
            reasons=_reasons(status),
            fingerprint=fingerprint(email, text),
            ip_address=f"192.0.2.{len(created) + 10}",
            user_agent="Mozilla/5.0 (Demo)",
            created_at=start + timedelta(minutes=minutes),
        )
        CommentEvent.objects.create(
            comment=comment,
            action=CommentEvent.Action.SUBMITTED,
            status=status,
            reasons=comment.reasons,
            created_at=comment.created_at,
        )
        created[key] = comment
    if stdout is not None:
        stdout.write(f"  comments: {len(created)} on “{post.title}”")


def _reasons(status: str) -> list[dict]:
    if status == "approved":
        return [{"rule": "known_author", "action": "approve", "detail": ""}]
    if status == "pending":
        return [{"rule": "first_time_author", "action": "hold", "detail": ""}]
    return [
        {"rule": "links", "action": "hold", "detail": "3"},
        {"rule": "honeypot", "action": "spam", "detail": ""},
    ]


register(seed_comments)
