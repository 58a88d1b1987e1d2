"""A spam filter that learns from this site's moderators; no outside service.

Every comment becomes a set of features (words and word pairs with umlauts folded, pieces of
long German compounds, link hosts and domains, the e-mail domain, the language, a few shape
facts, and whether the e-mail address and website say the author's name or other words).
Each moderator decision counts those features once as spam or as good ("ham"), in the
database, so every process shares one model. A new comment is scored by naive Bayes: every
known feature adds its smoothed log-odds, and a calibration (Platt scaling, fitted by the
worker on leave-one-out scores of the learned decisions) turns the sum into a probability
that the moderation settings' thresholds compare with. The strongest features are the reason
moderators see.

Learning is incremental and reversible: ``Comment.trained_as`` records what a comment
currently teaches, so a changed mind (or an undo) unlearns the old lesson first. The worker
task ``comments.tasks.spamfilter_retrain`` rebuilds the counts from every decision and refits
the calibration; decisions and the WordPress import queue it (``retrain_schedule``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db import transaction
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
_MAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LETTERS = re.compile(r"[a-z]+")
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
    if _MAIL.search(body or ""):
        out.add("meta:mail-in-body")  # "write to recovery.expert@…": a contact channel
    name_words = [w for w in (normalise(w) for w in _WORD.findall(name or "")) if w.isalpha()]
    out.update(f"n:{w}" for w in name_words if len(w) > 1)
    out.add(f"meta:name-words{_bucket(len(name_words), (1, 2, 3))}")
    # Who the author says they are: people write as "jana.weber@…" and link their own name;
    # spam writes as "geld.zurueck.experte@…" and links "kredit-sofort-guenstig.example".
    if email and "@" in email:
        local, _at, domain = email.lower().rpartition("@")
        out.add(f"mail:{domain}")
        if sum(c.isdigit() for c in local) >= 3:
            out.add("meta:mail-digits")
        out.update(_identity("mail", _LETTERS.findall(normalise(local)), name_words))
    if url:
        host = _host(urlsplit(url if "//" in url else f"//{url}").hostname or "")
        if host:
            out.add(f"site:{_domain(host)}")
            out.add(f"tld:{host.rsplit('.', 1)[-1]}")
            out.update(_identity("site", _LETTERS.findall(host.rsplit(".", 1)[0]), name_words))
            if host in (body or "").lower():
                out.add("meta:site-in-body")  # the same shop in the website field and the text
        out.add("meta:has-site")
    return {token[:MAX_TOKEN] for token in out}


def _identity(kind: str, parts: list[str], name_words: list[str]) -> set[str]:
    """Does an address or a host name say the author's name, or other words (its topic)?"""
    out = set()
    names = [n for n in name_words if len(n) > 2]
    other = [p for p in parts if len(p) > 2 and not any(p in n or n in p for n in names)]
    joined = "".join(parts)
    if names and all(n in joined for n in names):
        out.add(f"meta:{kind}-is-name")
    elif names and any(n in joined for n in names):
        out.add(f"meta:{kind}-has-name")
    if other:
        out.add(f"meta:{kind}-other-words")
        out.update(f"{kind[0]}w:{p}" for p in other[:5])
    return out


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
        "mw": f"{value}@",
        "sw": value,
    }.get(kind, token)


# --- scoring (naive Bayes log-odds, calibrated) -----------------------------------------------

SMOOTHING = 0.25  # add-α for a feature's rate among spam and among good comments
MIN_EXAMPLES = 5  # of each kind before the filter judges at all
# Before the worker first fits the calibration (``calibration_fit``): a cautious mapping, close
# to what it fits on the benchmark corpus, so that two strong words alone are not yet spam.
DEFAULT_CALIBRATION = (0.2, -2.0)


@dataclass(frozen=True)
class Score:
    probability: float  # 0 … 1
    clues: tuple[tuple[str, float], ...] = field(default=())  # (feature, its spam probability)
    log_odds: float = 0.0  # the uncalibrated sum of the evidence

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


def _sigmoid(x: float) -> float:
    x = max(-60.0, min(60.0, x))
    return 1.0 / (1.0 + math.exp(-x))


def token_probability(spam: int, ham: int, nspam: int, nham: int) -> float:
    """How much a feature speaks for spam: its smoothed rate among spam against among good comments."""
    a = SMOOTHING
    spam_rate = (spam + a) / (nspam + 2 * a)
    ham_rate = (ham + a) / (nham + 2 * a)
    return spam_rate / (spam_rate + ham_rate)


def combine(probabilities: dict[str, float], calibration: tuple[float, float] = DEFAULT_CALIBRATION) -> Score:
    """Pure: naive Bayes adds every feature's log-odds; the calibration maps the sum to a probability."""
    log_odds = sum(math.log(p / (1.0 - p)) for p in probabilities.values() if 0.0 < p < 1.0)
    scale, shift = calibration
    clues = tuple(sorted(probabilities.items(), key=lambda c: abs(c[1] - 0.5), reverse=True)[:40])
    return Score(_sigmoid(scale * log_odds + shift) if probabilities else 0.5, clues, log_odds)


def log_odds_with(
    counts: dict[str, tuple[int, int]], nspam: int, nham: int, tokens: set[str], *, leave_out: str = ""
) -> float:
    """Pure: the evidence of ``tokens``; ``leave_out`` ("spam"/"ham") scores a training example
    as though it had not been learned (its own counts taken away): honest calibration data."""
    spam_less, ham_less = int(leave_out == "spam"), int(leave_out == "ham")
    total = 0.0
    for token in tokens:
        if token not in counts:
            continue
        spam, ham = counts[token]
        spam, ham = spam - spam_less, ham - ham_less
        if spam + ham <= 0:
            continue  # only this example had it
        p = token_probability(spam, ham, nspam - spam_less, nham - ham_less)
        total += math.log(p / (1.0 - p))
    return total


def calibration_fit(examples: Iterable[tuple[float, bool]]) -> tuple[float, float]:
    """Platt scaling: the (scale, shift) that turn held-out log-odds into probabilities.

    ``examples`` are (leave-one-out log-odds, is spam) of the training decisions. Newton's
    method on the two parameters, with Platt's smoothed targets so that a clean split does not
    run off to infinity.
    """
    data = list(examples)
    positives = sum(1 for _x, y in data if y)
    negatives = len(data) - positives
    if positives < MIN_EXAMPLES or negatives < MIN_EXAMPLES:
        return DEFAULT_CALIBRATION
    hi, lo = (positives + 1) / (positives + 2), 1 / (negatives + 2)
    targets = [(x, hi if y else lo) for x, y in data]

    def loss(a: float, b: float) -> float:
        total = 0.0
        for x, t in targets:
            z = a * x + b
            # log(1 + e^z) - t·z, written to stay finite for large |z|
            total += (z if z > 0 else 0.0) + math.log1p(math.exp(-abs(z))) - t * z
        return total

    a, b = DEFAULT_CALIBRATION
    current = loss(a, b)
    for _ in range(100):
        ga = gb = haa = hab = hbb = 0.0
        for x, t in targets:
            p = _sigmoid(a * x + b)
            w = max(p * (1 - p), 1e-12)
            ga += (p - t) * x
            gb += p - t
            haa += w * x * x
            hab += w * x
            hbb += w
        haa, hbb = haa + 1e-6, hbb + 1e-6
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        step = 1.0
        while step > 1e-4:  # Newton with step halving: the loss must go down
            candidate = loss(a - step * da, b - step * db)
            if candidate <= current:
                break
            step /= 2
        else:
            break
        a, b = a - step * da, b - step * db
        improved, current = current - candidate, candidate
        if improved < 1e-9:
            break
    if not (math.isfinite(a) and math.isfinite(b)) or a <= 0:
        return DEFAULT_CALIBRATION
    return (a, b)


def score_with(
    counts: dict[str, tuple[int, int]],
    nspam: int,
    nham: int,
    tokens: set[str],
    calibration: tuple[float, float] = DEFAULT_CALIBRATION,
) -> Score | None:
    """Pure: score ``tokens`` against known counts; ``None`` while the filter knows too little."""
    if nspam < MIN_EXAMPLES or nham < MIN_EXAMPLES:
        return None
    probabilities = {
        token: token_probability(*counts[token], nspam, nham) for token in tokens if token in counts
    }
    return combine(probabilities, calibration)


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
    return score_with(
        counts, state.spam, state.ham, tokens, (state.calibration_scale, state.calibration_shift)
    )


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


CALIBRATION_SAMPLE = 5000  # the newest decisions whose held-out scores fit the calibration


def retrain() -> tuple[int, int]:
    """Rebuild the model from every decision in the database and fit its calibration;
    returns (spam, ham) examples. Runs in the worker (``comments.tasks.spamfilter_retrain``)."""
    from comments.models import Comment, SpamModel, SpamToken

    spam_counts: Counter[str] = Counter()
    ham_counts: Counter[str] = Counter()
    labels: dict[str, list[int]] = {"spam": [], "ham": []}
    sample: list[tuple[set[str], str]] = []
    rows = (
        training_queryset()
        .order_by("-pk")
        .values_list("pk", "status", "body", "author_name", "author_email", "author_url")
    )
    for pk, status, body, name, email, url in rows.iterator(chunk_size=2000):
        label = label_for(status)
        if not label:
            continue
        labels[label].append(pk)
        tokens = features(body=body, name=name, email=email, url=url)
        (spam_counts if label == "spam" else ham_counts).update(tokens)
        if len(sample) < CALIBRATION_SAMPLE:
            sample.append((tokens, label))
    nspam, nham = len(labels["spam"]), len(labels["ham"])
    counts = {
        t: (spam_counts.get(t, 0), ham_counts.get(t, 0)) for t in spam_counts.keys() | ham_counts.keys()
    }
    # Each sampled decision scored as though it had not been learned: honest calibration data.
    scale, shift = calibration_fit(
        (log_odds_with(counts, nspam, nham, tokens, leave_out=label), label == "spam")
        for tokens, label in sample
    )
    with transaction.atomic():
        SpamToken.objects.all().delete()
        SpamToken.objects.bulk_create(
            (SpamToken(token=t, spam=spam, ham=ham) for t, (spam, ham) in counts.items()), batch_size=1000
        )
        Comment.objects.exclude(trained_as="").update(trained_as="")
        for label, pks in labels.items():
            for start in range(0, len(pks), 5000):
                Comment.objects.filter(pk__in=pks[start : start + 5000]).update(trained_as=label)
        SpamModel.objects.update_or_create(
            id=1,
            defaults={
                "spam": nspam,
                "ham": nham,
                "trained_at": timezone.now(),
                "retrain_started_at": None,
                "calibration_scale": scale,
                "calibration_shift": shift,
            },
        )
    return nspam, nham


RETRAIN_DELAY = timezone.timedelta(minutes=10)  # decisions in a burst share one retrain


def retrain_schedule(*, delay: timezone.timedelta = RETRAIN_DELAY) -> bool:
    """Queue a retrain in the worker after this transaction commits, unless one waits already;
    True when queued. Moderators' decisions, the import and the "retrain" button call this."""
    from comments.tasks import spamfilter_retrain

    def enqueue():
        if not retrain_waiting():
            spamfilter_retrain.using(run_after=timezone.now() + delay).enqueue()

    if retrain_waiting():
        return False
    transaction.on_commit(enqueue)
    return True


def retrain_waiting() -> bool:
    """Is a retrain queued or running in the worker?"""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from comments.tasks import spamfilter_retrain

    return DBTaskResult.objects.filter(
        task_path=spamfilter_retrain.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).exists()


def reset() -> None:
    """Forget everything the filter learned; the decisions stay, so ``retrain`` brings it back."""
    from comments.models import Comment, SpamModel, SpamToken

    with transaction.atomic():
        SpamToken.objects.all().delete()
        Comment.objects.exclude(trained_as="").update(trained_as="")
        SpamModel.objects.update_or_create(
            id=1, defaults={"spam": 0, "ham": 0, "trained_at": None, "retrain_started_at": None}
        )
