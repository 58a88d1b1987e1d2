"""A small relevance test set for German search: posts, and queries with the post that must
come first. Used by tests/blog/test_search.py on SQLite and PostgreSQL and by bench/search.py."""

from __future__ import annotations

# slug → (title, tags, categories, excerpt, body)
POSTS = {
    "richtlinie": (
        "Eine Richtlinie für Social Media im Unternehmen",
        ["Richtlinie", "Guidelines"],
        ["Strategie"],
        "",
        "Eine gute Richtlinie regelt, wer im Namen der Firma twittert und wie Mitarbeiter "
        "mit Kritik umgehen.",
    ),
    "umfrage": (
        "Wofür nutzen Sie soziale Netzwerke?",
        ["Umfrage"],
        ["Community"],
        "",
        "Stimmen Sie ab: PR, Marketing oder privat. Die Ergebnisse veröffentlichen wir nächste Woche.",
    ),
    "kommentare": (
        "Wie wir mit Kommentaren umgehen",
        ["Moderation"],
        ["Community"],
        "",
        "Jeder Kommentar wird gelesen. Beleidigungen löschen wir, Kritik beantworten wir.",
    ),
    "haeuser": (
        "Häuser der Zukunft auf Instagram",
        ["Architektur"],
        ["Fallstudien"],
        "",
        "Ein Architekturbüro zeigt sein Haus aus Holz und gewinnt damit viele Follower.",
    ),
    "krisen": (
        "Krisenkommunikation: wenn der Shitstorm kommt",
        ["Krise", "PR"],
        ["Strategie"],
        "Was in den ersten Stunden eines Shitstorms zählt.",
        "Schnell antworten, Fehler zugeben, nicht löschen. Die erste Stunde entscheidet.",
    ),
    "messung": (
        "Erfolg messen mit Kennzahlen",
        ["Analyse"],
        ["Strategie"],
        "",
        "Reichweite, Interaktionen und Klicks: welche Kennzahl für welches Ziel taugt. "
        "Ein Wort zur Richtlinie des Hauses am Ende.",
    ),
    "video": (
        "Videos für Facebook drehen",
        ["Video", "Facebook"],
        ["Praxis"],
        "",
        "Mit dem Smartphone gedrehte Videos wirken oft authentischer als Hochglanzfilme.",
    ),
    "xing": (
        "Karriere-Netzwerke im Vergleich",
        ["XING", "LinkedIn"],
        ["Praxis"],
        "",
        "Wer im deutschsprachigen Raum Kontakte pflegt, kommt an XING kaum vorbei; international "
        "führt LinkedIn. Die Netzwerke unterscheiden sich in Gruppen und Stellenanzeigen.",
    ),
}

AUTHOR = ("redaktion-suche", "Erika Mustermann")

# query → the slug that must come first
QUERIES = {
    "Richtlinien": "richtlinie",
    "richtlinie social media": "richtlinie",
    "Umfrage": "umfrage",
    "Umfragen": "umfrage",
    "Kommentar": "kommentare",
    "Kommentare löschen": "kommentare",
    "Haus": "haeuser",
    "häuser instagram": "haeuser",
    "Shitstorm": "krisen",
    "Krisen": "krisen",
    "Kennzahlen": "messung",
    "Video": "video",
    "gedrehte Videos": "video",
    "Karriere Netzwerke": "xing",
    "Stellenanzeige": "xing",
}


def relevance_load(*, published_at) -> dict[str, object]:
    """Create the set's posts (oldest first) and return them by slug."""
    from django.contrib.auth import get_user_model

    from blog.models import AuthorProfile, Category, Post, Tag

    username, display_name = AUTHOR
    user, _ = get_user_model().objects.get_or_create(username=username)
    AuthorProfile.objects.update_or_create(user=user, defaults={"display_name": display_name})
    posts = {}
    for n, (slug, (title, tags, categories, excerpt, body)) in enumerate(reversed(POSTS.items())):
        post, _ = Post.objects.update_or_create(
            slug=f"suche-{slug}",
            defaults={
                "title": title,
                "author": user,
                "excerpt": excerpt,
                "body": body,
                "status": Post.Status.PUBLISHED,
                "published_at": published_at(n),
            },
        )
        post.tags.set(
            [Tag.objects.get_or_create(name=t, defaults={"slug": f"suche-{t.lower()}"})[0] for t in tags]
        )
        post.categories.set(
            [
                Category.objects.get_or_create(name=c, defaults={"slug": f"suche-{c.lower()}"})[0]
                for c in categories
            ]
        )
        posts[slug] = post
    return posts


def relevance_hits(posts: dict[str, object]) -> list[tuple[str, str, str | None]]:
    """(query, expected slug, slug that came first) for every query of the set."""
    from blog.search import search_posts

    by_pk = {post.pk: slug for slug, post in posts.items()}
    rows = []
    for query, expected in QUERIES.items():
        ids = search_posts(query).ids
        rows.append((query, expected, by_pk.get(ids[0], "?") if ids else None))
    return rows
