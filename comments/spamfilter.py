"""A spam filter that learns from this site's moderators; no outside service.

Every comment becomes a set of features (words and word pairs with umlauts folded, pieces of
long German compounds, link hosts and domains, the e-mail domain, the language, a few shape
facts). Each moderator decision counts those features once as spam or as good ("ham"), in the
database, so every process shares one model. A new comment is scored with Robinson's
chi-square combining of per-feature probabilities (as in SpamBayes): the features that stand
out most decide, and the strongest spam features are the reason moderators see.

Learning is incremental and reversible: ``Comment.trained_as`` records what a comment
currently teaches, so a changed mind (or an undo) unlearns the old lesson first.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

# --- features -------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)?", re.U)
_URL = re.compile(r"(?:https?://|\bwww\.)([^\s/:?#<>\"')\]]+)", re.I)
_SCHEME = re.compile(r"https?://|\bwww\.", re.I)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "’": "'"})
_GERMAN = frozenset(
    [
        "und",
        "der",
        "die",
        "das",
        "ist",
        "nicht",
        "ich",
        "sie",
        "es",
        "ein",
        "eine",
        "zu",
        "mit",
        "auf",
        "fuer",
        "den",
        "dem",
        "auch",
        "sich",
        "wir",
        "aber",
        "wie",
        "bei",
        "noch",
        "nur",
        "von",
        "oder",
        "wenn",
        "man",
        "hat",
        "sind",
        "war",
        "schon",
        "mal",
        "dass",
        "kann",
        "ihr",
        "ihre",
        "mir",
        "mich",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "this",
        "that",
        "you",
        "your",
        "for",
        "with",
        "not",
        "was",
        "have",
        "has",
        "it",
        "of",
        "to",
        "in",
        "on",
        "be",
        "at",
        "but",
        "can",
        "will",
        "just",
        "my",
        "we",
        "they",
        "what",
        "from",
        "very",
        "great",
    ]
)
_PHONE = re.compile(r"(?:\+|00)\d{1,3}[\s\d/-]{6,}\d")
_MONEY = re.compile(r"[$€£]\s?\d|\d[\d.,]*\s?(?:\$|€|£|usd|usdt|eur|euro|dollars?)\b", re.I)
_HANDLE = re.compile(r"(?<![\w.])@[A-Za-z_][\w]{3,}")
_SHORTENERS = frozenset({"bit.ly", "tinyurl.com", "goo.gl", "t.co", "ow.ly", "is.gd", "buff.ly", "cutt.ly"})
MAX_TOKEN = 100
COMPOUND_MIN = 12  # words at least this long also count by their pieces (German compounds)
GRAM = 6


def normalise(word: str) -> str:
    return word.casefold().translate(_FOLD)


def _host(value: str) -> str:
    host = value.strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _domain(host: str) -> str:
    parts = host.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else host


def _bucket(n: int, edges: Iterable[int]) -> str:
    for edge in edges:
        if n <= edge:
            return f"<={edge}"
    return "more"


def features(*, body: str, name: str = "", email: str = "", url: str = "") -> set[str]:
    """The features of one comment, each counted once (a set), with a prefix per kind."""
    out: set[str] = set()
    # The words in a link count (spam hides its message there), "https" and "www" do not.
    words = [normalise(w) for w in _WORD.findall(_SCHEME.sub(" ", body or ""))]
    out.update(f"w:{w}" for w in words if 1 < len(w) <= 40)
    out.update(f"b:{a} {b}" for a, b in itertools.pairwise(words) if len(a) > 1 and len(b) > 1)
    for w in words:
        if COMPOUND_MIN <= len(w) <= 60 and w.isalpha():
            out.update(f"g:{w[i : i + GRAM]}" for i in range(len(w) - GRAM + 1))
    hosts = [_host(h) for h in _URL.findall(body or "")]
    for host in hosts:
        out.add(f"host:{host}")
        out.add(f"dom:{_domain(host)}")
        out.add(f"tld:{host.rsplit('.', 1)[-1]}")
        if host in _SHORTENERS:
            out.add("meta:shortener")
    out.add(f"meta:links{_bucket(len(hosts), (0, 1, 2))}")
    out.add(f"meta:words{_bucket(len(words), (5, 15, 40, 100))}")
    if "<a " in (body or "").lower() or "[url" in (body or "").lower():
        out.add("meta:markup-link")
    letters = [c for c in body or "" if c.isalpha()]
    if len(letters) >= 20 and sum(c.isupper() for c in letters) / len(letters) > 0.3:
        out.add("meta:shouting")
    if (body or "").count("!") >= 3:
        out.add("meta:exclaims")
    # Contact channels and sums of money: what "earn $5000 a week, WhatsApp me" spam carries.
    if _PHONE.search(body or ""):
        out.add("meta:phone")
    if _MONEY.search(body or ""):
        out.add("meta:money")
    if _HANDLE.search(_SCHEME.sub(" ", body or "")):
        out.add("meta:handle")
    german = sum(w in _GERMAN for w in words)
    english = sum(w in _ENGLISH for w in words)
    out.add("lang:de" if german > english else "lang:en" if english > german else "lang:unknown")
    if email and "@" in email:
        local, _at, domain = email.lower().rpartition("@")
        out.add(f"mail:{domain}")
        if sum(c.isdigit() for c in local) >= 3:
            out.add("meta:mail-digits")
    if url:
        host = _host(urlsplit(url if "//" in url else f"//{url}").hostname or "")
        if host:
            out.add(f"site:{_domain(host)}")
            out.add(f"tld:{host.rsplit('.', 1)[-1]}")
        out.add("meta:has-site")
    name_words = [normalise(w) for w in _WORD.findall(name or "")]
    out.update(f"n:{w}" for w in name_words if len(w) > 1)
    out.add(f"meta:name-words{_bucket(len(name_words), (1, 2, 3))}")
    return {token[:MAX_TOKEN] for token in out}


def display(token: str) -> str:
    """A feature as moderators read it in a reason."""
    kind, _colon, value = token.partition(":")
    return {
        "w": value,
        "b": value,
        "g": f"…{value}…",
        "host": value,
        "dom": value,
        "site": value,
        "tld": f".{value}",
        "mail": f"@{value}",
        "n": value,
    }.get(kind, token)


# --- scoring (Robinson / Fisher, as in SpamBayes) ---------------------------------------------

UNKNOWN_STRENGTH = 0.45
UNKNOWN_PROB = 0.5
MIN_STRENGTH = 0.1  # features closer to 0.5 than this say nothing
MAX_CLUES = 150
MIN_EXAMPLES = 5  # of each kind before the filter judges at all


@dataclass(frozen=True)
class Score:
    probability: float  # 0 … 1
    clues: tuple[tuple[str, float], ...] = field(default=())  # (feature, its spam probability)

    @property
    def percent(self) -> int:
        return round(self.probability * 100)

    def top_words(self, n: int = 3) -> list[str]:
        """The features that pushed hardest towards the verdict, readable and without repeats."""
        spammy = self.probability >= 0.5
        ranked = sorted(self.clues, key=lambda c: c[1], reverse=spammy)
        shown: list[str] = []
        for token, prob in ranked:
            if (prob > 0.5) != spammy or token.startswith(("meta:", "lang:")):
                continue
            text = display(token)
            if any(text.strip("…") in s or s in text for s in shown):
                continue
            shown.append(text)
            if len(shown) == n:
                break
        return shown

    def detail(self) -> str:
        words = self.top_words()
        return f"{self.percent} %" + (f": {', '.join(words)}" if words else "")


def _chi2q(x2: float, v: int) -> float:
    m = x2 / 2.0
    total = term = math.exp(-m)
    for i in range(1, v // 2):
        term *= m / i
        total += term
    return min(total, 1.0)


def token_probability(spam: int, ham: int, nspam: int, nham: int) -> float:
    spam_ratio = spam / nspam if nspam else 0.0
    ham_ratio = ham / nham if nham else 0.0
    p = spam_ratio / (spam_ratio + ham_ratio) if spam_ratio + ham_ratio else UNKNOWN_PROB
    n = spam + ham
    return (UNKNOWN_STRENGTH * UNKNOWN_PROB + n * p) / (UNKNOWN_STRENGTH + n)


def combine(probabilities: dict[str, float]) -> Score:
    """Pure: the chi-square combination of the strongest clues."""
    clues = sorted(
        ((t, p) for t, p in probabilities.items() if abs(p - 0.5) >= MIN_STRENGTH),
        key=lambda c: abs(c[1] - 0.5),
        reverse=True,
    )[:MAX_CLUES]
    if not clues:
        return Score(0.5)
    s = sum(math.log(max(1.0 - p, 1e-9)) for _t, p in clues)
    h = sum(math.log(max(p, 1e-9)) for _t, p in clues)
    n = len(clues)
    spamminess = 1.0 - _chi2q(-2.0 * s, 2 * n)
    hamminess = 1.0 - _chi2q(-2.0 * h, 2 * n)
    return Score((spamminess - hamminess + 1.0) / 2.0, tuple(clues))


def score_with(counts: dict[str, tuple[int, int]], nspam: int, nham: int, tokens: set[str]) -> Score | None:
    """Pure: score ``tokens`` against known counts; ``None`` while the filter knows too little."""
    if nspam < MIN_EXAMPLES or nham < MIN_EXAMPLES:
        return None
    probabilities = {
        token: token_probability(*counts[token], nspam, nham) for token in tokens if token in counts
    }
    return combine(probabilities)


# --- the model in the database ----------------------------------------------------------------


def _model():
    from comments.models import SpamModel

    obj, _created = SpamModel.objects.get_or_create(id=1)
    return obj


def score(tokens: set[str]) -> Score | None:
    """Score a comment's features against the model in the database (two queries)."""
    from comments.models import SpamToken

    state = _model()
    if state.spam < MIN_EXAMPLES or state.ham < MIN_EXAMPLES:
        return None
    counts = {
        token: (spam, ham)
        for token, spam, ham in SpamToken.objects.filter(token__in=list(tokens)).values_list(
            "token", "spam", "ham"
        )
    }
    return score_with(counts, state.spam, state.ham, tokens)


def comment_features(comment) -> set[str]:
    return features(
        body=comment.body, name=comment.author_name, email=comment.author_email, url=comment.author_url
    )


def _count(tokens: set[str], label: str, delta: int) -> None:
    from comments.models import SpamModel, SpamToken

    column = "spam" if label == "spam" else "ham"
    tokens = list(tokens)
    if delta > 0:
        # Insert what is new, then count up in one statement: safe when processes learn at once.
        SpamToken.objects.bulk_create(
            [SpamToken(token=t) for t in tokens], ignore_conflicts=True, batch_size=500
        )
        SpamToken.objects.filter(token__in=tokens).update(**{column: F(column) + 1})
        SpamModel.objects.filter(id=1).update(**{column: F(column) + 1, "trained_at": timezone.now()})
    else:
        SpamToken.objects.filter(token__in=tokens, **{f"{column}__gt": 0}).update(**{column: F(column) - 1})
        SpamModel.objects.filter(id=1, **{f"{column}__gt": 0}).update(
            **{column: F(column) - 1, "trained_at": timezone.now()}
        )


def label_for(status: str) -> str:
    """What a moderator's decision teaches: approved is good, spam is spam, the rest nothing."""
    return {"approved": "ham", "spam": "spam"}.get(status, "")


def learn(comment, label: str) -> None:
    """Make ``comment`` teach ``label`` ("spam", "ham" or "" for nothing), unlearning its old lesson."""
    if comment.trained_as == label:
        return
    _model()
    with transaction.atomic():
        tokens = comment_features(comment)
        if comment.trained_as:
            _count(tokens, comment.trained_as, -1)
        if label:
            _count(tokens, label, +1)
        comment.trained_as = label
        type(comment).objects.filter(pk=comment.pk).update(trained_as=label)


def unlearn(comment) -> None:
    """Forget what ``comment`` taught (before its text changes); ``trained_as`` keeps the label."""
    if comment.trained_as:
        _count(comment_features(comment), comment.trained_as, -1)


def relearn(comment) -> None:
    """After ``unlearn`` and a change of text: count the new text under the same label."""
    if comment.trained_as:
        _count(comment_features(comment), comment.trained_as, +1)


def training_queryset():
    """Comments that teach: approved or spam by a moderator's hand, or imported as such."""
    from comments.models import Comment, CommentEvent

    Action = CommentEvent.Action
    decided = Q(
        events__user__isnull=False, events__action__in=[Action.APPROVED, Action.SPAM, Action.RESTORED]
    )
    return Comment.objects.filter(
        decided | Q(events__action=Action.IMPORTED) | ~Q(trained_as=""),
        status__in=[Comment.Status.APPROVED, Comment.Status.SPAM],
    ).distinct()


def retrain() -> tuple[int, int]:
    """Rebuild the model from every decision in the database; returns (spam, ham) examples."""
    from comments.models import Comment, SpamModel, SpamToken

    spam_counts: Counter[str] = Counter()
    ham_counts: Counter[str] = Counter()
    labels: dict[str, list[int]] = {"spam": [], "ham": []}
    rows = training_queryset().values_list(
        "pk", "status", "body", "author_name", "author_email", "author_url"
    )
    for pk, status, body, name, email, url in rows.iterator(chunk_size=2000):
        label = label_for(status)
        if not label:
            continue
        labels[label].append(pk)
        (spam_counts if label == "spam" else ham_counts).update(
            features(body=body, name=name, email=email, url=url)
        )
    with transaction.atomic():
        SpamToken.objects.all().delete()
        SpamToken.objects.bulk_create(
            (
                SpamToken(token=t, spam=spam_counts.get(t, 0), ham=ham_counts.get(t, 0))
                for t in spam_counts.keys() | ham_counts.keys()
            ),
            batch_size=1000,
        )
        Comment.objects.exclude(trained_as="").update(trained_as="")
        for label, pks in labels.items():
            for start in range(0, len(pks), 5000):
                Comment.objects.filter(pk__in=pks[start : start + 5000]).update(trained_as=label)
        SpamModel.objects.update_or_create(
            id=1,
            defaults={
                "spam": len(labels["spam"]),
                "ham": len(labels["ham"]),
                "trained_at": timezone.now(),
                "retrain_started_at": None,
            },
        )
    return len(labels["spam"]), len(labels["ham"])


def retrain_in_background() -> bool:
    """Start ``retrain`` in a thread unless one started in the last 10 minutes; True when started."""
    from comments.models import SpamModel

    _model()
    recent = timezone.now() - timezone.timedelta(minutes=10)
    started = (
        SpamModel.objects.filter(id=1)
        .filter(Q(retrain_started_at__isnull=True) | Q(retrain_started_at__lt=recent))
        .update(retrain_started_at=timezone.now())
    )
    if not started:
        return False

    def run():
        try:
            retrain()
        finally:
            SpamModel.objects.filter(id=1).update(retrain_started_at=None)
            connection.close()

    transaction.on_commit(lambda: threading.Thread(target=run, daemon=True).start())
    return True


def reset() -> None:
    """Forget everything the filter learned; the decisions stay, so ``retrain`` brings it back."""
    from comments.models import Comment, SpamModel, SpamToken

    with transaction.atomic():
        SpamToken.objects.all().delete()
        Comment.objects.exclude(trained_as="").update(trained_as="")
        SpamModel.objects.update_or_create(
            id=1, defaults={"spam": 0, "ham": 0, "trained_at": None, "retrain_started_at": None}
        )
