"""The shortcode registry: other apps register handlers here; ``blog`` never imports them.

A handler receives every occurrence of its shortcode on a page at once, so it can load
what it needs in one query, and returns one HTML string per occurrence (or ``None`` when
it cannot render that one, e.g. an unknown poll)::

    # polls/apps.py
    def ready(self):
        from blog.shortcodes import registry
        registry.register("poll", render_poll_shortcodes)

Unknown shortcodes show their original text to staff (so editors notice) and nothing to
readers.
"""

from __future__ import annotations

import html
import re
import shlex
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Shortcode:
    name: str
    args: tuple[str, ...] = ()
    kwargs: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    raw: str = ""

    @property
    def first(self) -> str:
        return self.args[0] if self.args else ""


Handler = Callable[[Sequence[Shortcode], object], Sequence[str | None]]

# WordPress names worth hiding even without attributes; anything else in brackets counts as
# a shortcode only when it has attributes, so prose like "[sic]" stays untouched.
WORDPRESS_NAMES = {
    "audio", "caption", "embed", "gallery", "playlist", "video", "wp_caption", "youtube",
    "vimeo", "soundcloud", "contact-form", "polldaddy", "poll", "googlemaps", "slideshare",
}  # fmt: skip

_SHORTCODE = r"\[(?P<name>[a-z][a-z0-9_-]*)(?P<attrs>(?:\s[^\[\]]*)?)\]"
_CLOSING = r"\[/(?P<close>[a-z][a-z0-9_-]*)\]"
_PATTERN = re.compile(
    rf"(?P<escaped>\[\[[^\[\]]+\]\])"
    rf"|<p>\s*(?P<block>{_SHORTCODE.replace('name>', 'bname>').replace('attrs>', 'battrs>')})\s*</p>"
    rf"|(?P<inline>{_SHORTCODE})"
    rf"|{_CLOSING}"
)


def parse_attrs(text: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """Split ``slug key="a b" x=1`` into positional and keyword arguments."""
    text = html.unescape(text).replace("\u201c", '"').replace("\u201d", '"').replace("\u201e", '"')
    try:
        parts = shlex.split(text)
    except ValueError:
        parts = text.split()
    args, kwargs = [], {}
    for part in parts:
        key, sep, value = part.partition("=")
        if sep and re.fullmatch(r"[A-Za-z_][\w-]*", key):
            kwargs[key.lower()] = value
        else:
            args.append(part)
    return tuple(args), kwargs


class ShortcodeRegistry:
    def __init__(self):
        self._handlers: dict[str, Handler] = {}

    def register(self, name: str, handler: Handler) -> None:
        """Register ``handler`` for ``[name …]``; a second registration replaces the first."""
        self._handlers[name] = handler

    def unregister(self, name: str) -> None:
        self._handlers.pop(name, None)

    def names(self) -> set[str]:
        return set(self._handlers)

    def _is_shortcode(self, name: str, attrs: str) -> bool:
        return name in self._handlers or name in WORDPRESS_NAMES or "=" in attrs

    def expand(self, value: str, *, request=None, show_unknown: bool = False) -> SafeString:
        """Replace shortcodes in sanitised HTML; one handler call per shortcode name."""
        return self.expand_many([value], request=request, show_unknown=show_unknown)[0]

    def expand_many(
        self, values: Sequence[str], *, request=None, show_unknown: bool = False
    ) -> list[SafeString]:
        """``expand()`` for several bodies at once (a feed): still one handler call per name."""
        found = [list(_PATTERN.finditer(value)) if "[" in value else [] for value in values]
        calls: dict[str, list[tuple[tuple[int, int], Shortcode]]] = defaultdict(list)
        for number, matches in enumerate(found):
            for index, match in enumerate(matches):
                name = match.group("bname") or match.group("name")
                attrs = match.group("battrs") if match.group("bname") else match.group("attrs")
                if name and name in self._handlers:
                    args, kwargs = parse_attrs(attrs or "")
                    raw = match.group("block") or match.group("inline")
                    calls[name].append(((number, index), Shortcode(name, args, kwargs, raw=raw)))

        rendered: dict[tuple[int, int], str | None] = {}
        for name, items in calls.items():
            outputs = self._handlers[name]([sc for _i, sc in items], request)
            for (where, _sc), output in zip(items, outputs, strict=True):
                rendered[where] = output
        return [
            self._replace(value, matches, number, rendered, show_unknown)
            for number, (value, matches) in enumerate(zip(values, found, strict=True))
        ]

    def _replace(self, value, matches, number, rendered, show_unknown) -> SafeString:
        if not matches:
            return mark_safe(value)

        def unknown(raw: str, block: bool) -> str:
            if not show_unknown:
                return ""
            text = f'<code class="shortcode-unknown">{escape(raw)}</code>'
            return f"<p>{text}</p>" if block else text

        pieces, last = [], 0
        for index, match in enumerate(matches):
            pieces.append(value[last : match.start()])
            last = match.end()
            if match.group("escaped"):
                pieces.append(match.group("escaped")[1:-1])
            elif match.group("close"):
                known = match.group("close") in WORDPRESS_NAMES or match.group("close") in self._handlers
                pieces.append(unknown(match.group(0), False) if known else match.group(0))
            else:
                block = bool(match.group("bname"))
                name = match.group("bname") or match.group("name")
                attrs = (match.group("battrs") if block else match.group("attrs")) or ""
                raw = match.group("block") if block else match.group("inline")
                where = (number, index)
                if where in rendered and rendered[where] is not None:
                    pieces.append(rendered[where])
                elif where in rendered or self._is_shortcode(name, attrs):
                    pieces.append(unknown(raw, block))
                else:
                    pieces.append(match.group(0))
        pieces.append(value[last:])
        return mark_safe("".join(pieces))


registry = ShortcodeRegistry()
