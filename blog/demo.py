"""Demo content: German posts about social media in marketing, pages, an author.

Other apps add to the demo with a ``demo.py`` module of their own that calls
``blog.demo.register(seed_function)``; ``seed_demo`` discovers those modules, so ``blog``
never imports them. Every seeder must be idempotent.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw

from blog.legacy import markdown_to_editor_html
from blog.models import AuthorProfile, Category, Image, Page, Post, Tag
from blog.permissions import EDITORS, MODERATORS

Seeder = Callable[..., None]
_seeders: list[Seeder] = []

# The password of the demo logins on a development machine (DEBUG). It is public, so
# seed_demo never sets it elsewhere and `check --deploy` reports any login that still has it.
DEMO_PASSWORD = "blogwerk-demo"  # noqa: S105 - public on purpose, see above


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    superuser: bool = False
    group: str | None = None
    first: str = ""
    last: str = ""


DEMO_ADMIN = DemoLogin("Admin", "admin", superuser=True, first="Erika", last="Mustermann")
DEMO_EDITOR = DemoLogin("Editor", "redaktion", group=EDITORS, first="Max", last="Redakteur")
DEMO_MODERATOR = DemoLogin("Moderator", "moderation", group=MODERATORS, first="Mona", last="Moderation")
DEMO_LOGINS = (DEMO_ADMIN, DEMO_EDITOR, DEMO_MODERATOR)


def register(seeder: Seeder) -> Seeder:
    """Add a seeder that runs after the blog's own content exists."""
    if seeder not in _seeders:
        _seeders.append(seeder)
    return seeder


def seeders() -> list[Seeder]:
    return [seed_blog, *_seeders]


def _user(login: DemoLogin):
    """The demo login's user; a new one cannot sign in until demo_logins_ensure() sets a password."""
    return _user_get_or_create(login)[0]


def _user_get_or_create(login: DemoLogin):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=login.username,
        defaults={
            "is_staff": True,
            "is_superuser": login.superuser,
            "first_name": login.first,
            "last_name": login.last,
            "email": f"{login.username}@example.org",
            "password": make_password(None),  # unusable until a password is set
        },
    )
    if login.group:
        user.groups.add(Group.objects.get(name=login.group))
    return user, created


def demo_logins_ensure(*, known_password: bool) -> list[tuple[DemoLogin, str]]:
    """Create the demo logins and return (login, password) for those whose password to tell.

    With ``known_password`` (a development machine) every login gets DEMO_PASSWORD when it is
    new. Without it, new logins and any that still have DEMO_PASSWORD get a random password,
    returned here and nowhere stored in clear; other existing passwords stay untouched.
    """
    told = []
    for login in DEMO_LOGINS:
        user, created = _user_get_or_create(login)
        if known_password:
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            told.append((login, DEMO_PASSWORD))
        elif created or user.check_password(DEMO_PASSWORD):
            password = secrets.token_urlsafe(15)
            user.set_password(password)
            user.save(update_fields=["password"])
            told.append((login, password))
    return told


def _demo_picture(name: str, colors: tuple[str, str], label: str) -> ContentFile:
    """A generated 1600×900 picture, so the demo needs no files and no network."""
    img = PILImage.new("RGB", (1600, 900), colors[0])
    draw = ImageDraw.Draw(img)
    for i in range(0, 1600, 40):
        draw.line([(i, 0), (i + 400, 900)], fill=colors[1], width=12)
    draw.rectangle([(80, 640), (1100, 800)], fill="white")
    draw.text((120, 690), label, fill="black", font_size=64)
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=name)


POSTS = [
    {
        "slug": "social-media-pr-marketing-oder-privat",
        "title": "Social Media: PR, Marketing oder Privatsache?",
        "days_ago": 2,
        "categories": ["social-media", "pr"],
        "tags": ["Strategie", "Kommunikation", "Umfrage"],
        "sticky": True,
        "excerpt": "Wem gehört der Unternehmensauftritt in den sozialen Netzwerken – der "
        "Presseabteilung, dem Marketing oder den Mitarbeitenden selbst?",
        "body": """In vielen Unternehmen wird noch immer gestritten, wer die Kanäle in den sozialen Netzwerken verantwortet. Die Pressestelle sieht einen weiteren Weg zu Journalistinnen und Journalisten, das Marketing einen neuen Vertriebskanal – und viele Mitarbeitende posten ohnehin längst privat über ihren Arbeitgeber.

## Drei Sichtweisen

* **PR**: Dialog mit Öffentlichkeit und Medien, Krisenkommunikation, Reputation.
* **Marketing**: Reichweite, Kampagnen, messbare Leads.
* **Privat**: Menschen vertrauen Menschen – authentische Stimmen wirken stärker als Logos.

Unsere Erfahrung aus vielen Seminaren: Keine Abteilung kann es allein. Wer Social Media ernst nimmt, schafft ein kleines Team aus allen drei Welten und klare Leitlinien für alle anderen.

Was meinen Sie? Stimmen Sie ab:

[poll social-media-pr-marketing-oder-privat]

Wir sind gespannt auf Ihre Meinung in den Kommentaren.""",
        "picture": (("#1f4e79", "#2e75b6"), "PR · Marketing · Privat"),
    },
    {
        "slug": "social-media-guidelines-fuer-mitarbeitende",
        "title": "Social-Media-Guidelines: Leitplanken statt Verbote",
        "days_ago": 9,
        "categories": ["social-media", "recht"],
        "tags": ["Guidelines", "Kommunikation", "Mitarbeitende"],
        "body": """Eine gute Social-Media-Richtlinie passt auf zwei Seiten und sagt vor allem, was erlaubt ist. Verbote allein führen dazu, dass niemand mehr etwas sagt – oder dass es heimlich geschieht.

### Was hinein gehört

1. Wer darf im Namen des Unternehmens sprechen?
2. Wie kennzeichne ich private Meinungen?
3. Was ist vertraulich, was nicht?
4. An wen wende ich mich, wenn etwas schiefgeht?

> Vertrauen ist gut, Klarheit ist besser.

Wichtig ist, die Leitlinien gemeinsam mit Betriebsrat und Rechtsabteilung zu entwickeln und sie in kurzen Schulungen zu erklären.""",
        "picture": (("#385723", "#70ad47"), "Guidelines"),
    },
    {
        "slug": "facebook-seiten-richtig-betreuen",
        "title": "Facebook-Seiten richtig betreuen: fünf Regeln aus der Praxis",
        "days_ago": 20,
        "categories": ["facebook", "marketing"],
        "tags": ["Facebook", "Community-Management"],
        "body": """Eine Unternehmensseite ist schnell angelegt. Sie lebendig zu halten, ist die eigentliche Arbeit.

1. **Regelmäßig, aber nicht beliebig posten.** Lieber zwei gute Beiträge pro Woche als täglich Belangloses.
2. **Antworten Sie schnell.** Fragen, die tagelang offen bleiben, wirken schlimmer als keine Seite.
3. **Bilder mit Quellenangabe.** Fremde Fotos nur mit Erlaubnis und sichtbarer Quelle.
4. **Kritik nicht löschen**, sondern sachlich beantworten – außer bei Beleidigungen.
5. **Zahlen lesen.** Die Statistik zeigt, welche Themen Ihre Leser wirklich interessieren.""",
        "picture": (("#203864", "#4472c4"), "Facebook-Seiten"),
    },
    {
        "slug": "twitter-im-pressealltag",
        "title": "Twitter und Mastodon im Pressealltag",
        "days_ago": 35,
        "categories": ["twitter", "pr"],
        "tags": ["Twitter", "Mastodon", "Kommunikation"],
        "body": """Kurznachrichtendienste sind für Pressestellen ein Frühwarnsystem: Themen tauchen dort oft Stunden vor der ersten Agenturmeldung auf.

Wer zuhört, bevor er sendet, lernt schnell, welche Journalistinnen und Journalisten über die eigene Branche schreiben und welche Fragen sie bewegen. Ein eigener Kanal lohnt sich erst, wenn jemand ihn täglich betreut.""",
    },
    {
        "slug": "kennzahlen-die-wirklich-zaehlen",
        "title": "Kennzahlen, die wirklich zählen",
        "days_ago": 60,
        "categories": ["marketing"],
        "tags": ["Strategie", "Analyse"],
        "body": """Fans und Follower sind eine Eitelkeitszahl. Aussagekräftiger sind Interaktionen je Beitrag, Klicks auf die eigene Website und – am Ende – Anfragen, die über soziale Netzwerke hereinkommen.

| Kennzahl | Aussage |
|---|---|
| Reichweite | Wie viele Menschen sahen den Beitrag? |
| Interaktionsrate | Wie viele reagierten darauf? |
| Konversionen | Wie viele wurden zu Kunden? |

Legen Sie vor jeder Kampagne fest, welche Zahl Erfolg bedeutet.""",
    },
    {
        "slug": "krisenkommunikation-im-netz",
        "title": "Krisenkommunikation im Netz: die ersten 60 Minuten",
        "days_ago": 95,
        "categories": ["pr", "social-media"],
        "tags": ["Krisenkommunikation", "Kommunikation"],
        "body": """Wenn ein Shitstorm losbricht, entscheidet die erste Stunde. Schweigen wird als Schuldeingeständnis gelesen, vorschnelle Rechtfertigung als Arroganz.

Bewährt hat sich ein einfacher Ablauf: zuhören, ein kurzes erstes Statement („Wir haben Ihre Kritik gelesen und prüfen den Fall"), intern klären, dann ausführlich antworten.""",
    },
]

CATEGORIES = [
    ("social-media", "Social Media", None),
    ("facebook", "Facebook", "social-media"),
    ("twitter", "Twitter & Mastodon", "social-media"),
    ("marketing", "Marketing", None),
    ("pr", "PR", None),
    ("recht", "Recht", None),
]

PAGES = [
    (
        "impressum",
        "Impressum",
        1,
        """**Blogwerk Demo GmbH**
Musterstraße 1, 10115 Berlin

Vertreten durch: Erika Mustermann
E-Mail: redaktion@example.org

Verantwortlich für den Inhalt nach § 18 Abs. 2 MStV: Erika Mustermann (Anschrift wie oben).""",
    ),
    (
        "datenschutz",
        "Datenschutz",
        2,
        """## Kommentare

Wenn Sie einen Kommentar schreiben, speichern wir Name, E-Mail-Adresse, Website und Text sowie – nur zur Abwehr von Missbrauch – Ihre IP-Adresse. Die IP-Adresse wird nach einer festen Frist gelöscht. Ihre E-Mail-Adresse wird nie veröffentlicht.

## Umfragen

Bei Abstimmungen speichern wir ein Cookie, damit Sie nur einmal abstimmen, und einen verschlüsselten Prüfwert der IP-Adresse, nie die Adresse selbst.

## Cookies

Wir setzen nur technisch notwendige Cookies. Es werden keine Skripte von Dritten geladen.""",
    ),
    (
        "ueber-uns",
        "Über uns",
        3,
        """Blogwerk ist das Blog unserer Akademie für Kommunikation. Wir schreiben über Social Media in Marketing und PR – praxisnah und ohne Werbeversprechen.""",
    ),
]


def seed_blog(stdout=None) -> None:
    admin = _user(DEMO_ADMIN)
    editor = _user(DEMO_EDITOR)
    _user(DEMO_MODERATOR)
    AuthorProfile.objects.get_or_create(
        user=admin,
        defaults={
            "display_name": "Erika Mustermann",
            "byline": "Akademieleitung Social Media",
            "bio": "Erika leitet die Akademie und berät Unternehmen zu Social Media.",
        },
    )
    AuthorProfile.objects.get_or_create(
        user=editor, defaults={"display_name": "Max Redakteur", "byline": "Redaktion"}
    )

    categories = {}
    for slug, name, parent in CATEGORIES:
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "parent": categories.get(parent)}
        )

    now = timezone.now()
    for index, spec in enumerate(POSTS):
        if Post.objects.filter(slug=spec["slug"]).exists():
            continue
        published = (now - timedelta(days=spec["days_ago"])).replace(
            hour=10, minute=15, second=0, microsecond=0
        )
        image = None
        if "picture" in spec:
            colors, label = spec["picture"]
            image = Image(alt_text=f"Illustration: {label}", credit_name="Blogwerk", credit_url="")
            image.file.save(
                f"demo-{spec['slug']}.jpg",
                _demo_picture(f"demo-{spec['slug']}.jpg", colors, label),
                save=False,
            )
            image.save()
        post = Post.objects.create(
            title=spec["title"],
            slug=spec["slug"],
            author=admin if index % 2 == 0 else editor,
            excerpt=spec.get("excerpt", ""),
            body=markdown_to_editor_html(spec["body"]),
            status=Post.Status.PUBLISHED,
            published_at=published,
            is_sticky=spec.get("sticky", False),
            featured_image=image,
        )
        post.categories.set([categories[c] for c in spec["categories"]])
        post.tags.set(
            [Tag.objects.get_or_create(name=t, defaults={"slug": _slug(t)})[0] for t in spec["tags"]]
        )

    Post.objects.get_or_create(
        slug="entwurf-social-media-monitoring",
        defaults={
            "title": "Entwurf: Social-Media-Monitoring mit kleinem Budget",
            "author": editor,
            "body": "<p>Dieser Beitrag ist noch ein Entwurf.</p>",
            "status": Post.Status.DRAFT,
        },
    )
    Post.objects.get_or_create(
        slug="geplant-linkedin-fuer-fuehrungskraefte",
        defaults={
            "title": "Geplant: LinkedIn für Führungskräfte",
            "author": admin,
            "body": "<p>Dieser Beitrag erscheint erst in einer Woche.</p>",
            "status": Post.Status.PUBLISHED,
            "published_at": now + timedelta(days=7),
        },
    )
    for slug, title, order, body in PAGES:
        Page.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": markdown_to_editor_html(body), "footer_order": order}
        )


def _slug(text: str) -> str:
    from blog.slugs import slugify_de

    return slugify_de(text)
