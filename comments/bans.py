"""Blocked authors: e-mail addresses (or whole mail domains), IP addresses, networks, websites.

A local list in the spirit of Antispam Bee's spam database. Matching is a pure function over
the list, which is small and cached; the list changes only through ``ban_create`` and the
admin, which both forget the cached copy.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

CACHE_KEY = "comments:bans:v1"
_HOST = re.compile(r"(?:https?://|\bwww\.)([^\s/:?#<>\"')\]]+)", re.I)


@dataclass(frozen=True)
class Entry:
    pk: int
    kind: str
    value: str


def normalise(kind: str, value: str) -> str:
    """The stored form of a ban's value; raise ``ValidationError`` when it makes no sense."""
    value = (value or "").strip().lower()
    if not value:
        raise ValidationError(_("Please give a value to block."))
    if kind == "email":
        if "@" not in value or " " in value:
            raise ValidationError(_("Enter an e-mail address, or @domain for a whole mail domain."))
        return value
    if kind == "ip":
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            raise ValidationError(_("“%(value)s” is not an IP address.") % {"value": value}) from None
    if kind == "network":
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a network; write it like 203.0.113.0/24.") % {"value": value}
            ) from None
    if kind == "url":
        host = value.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
        host = host[4:] if host.startswith("www.") else host
        if "." not in host:
            raise ValidationError(_("Enter a host name such as spam.example."))
        return host
    raise ValidationError(_("Unknown kind of ban."))


def network_for(ip: str) -> str:
    """The network a ban of "this network" blocks: /24 for IPv4, /64 for IPv6."""
    address = ipaddress.ip_address(ip)
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def entries() -> list[Entry]:
    """Every ban, from the cache when it has them (one query otherwise)."""
    from comments.models import Ban

    found = cache.get(CACHE_KEY)
    if found is None:
        found = [Entry(*row) for row in Ban.objects.values_list("pk", "kind", "value")]
        cache.set(CACHE_KEY, found, 60 * 60)
    return found


def forget() -> None:
    cache.delete(CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))


def _hosts(text: str) -> set[str]:
    hosts = set()
    for host in _HOST.findall(text or ""):
        host = host.lower().rstrip(".")
        hosts.add(host[4:] if host.startswith("www.") else host)
    return hosts


def match(bans: list[Entry], *, email: str = "", ip: str = "", url: str = "", body: str = "") -> Entry | None:
    """Pure: the first ban that covers this author, or ``None``."""
    email = (email or "").strip().lower()
    domain = "@" + email.rpartition("@")[2] if "@" in email else ""
    try:
        address = ipaddress.ip_address(ip) if ip else None
    except ValueError:
        address = None
    hosts = _hosts(body) | _hosts(url if "//" in (url or "") else f"http://{url}" if url else "")
    for ban in bans:
        if ban.kind == "email" and email and ban.value in (email, domain):
            return ban
        if ban.kind == "ip" and address is not None and ban.value == str(address):
            return ban
        if ban.kind == "network" and address is not None:
            network = ipaddress.ip_network(ban.value)
            if address.version == network.version and address in network:
                return ban
        if ban.kind == "url" and any(h == ban.value or h.endswith("." + ban.value) for h in hosts):
            return ban
    return None


def comments_matching(kind: str, value: str):
    """The comments a ban covers (for "trash everything they wrote")."""
    from comments.models import Comment

    if kind == "email":
        if value.startswith("@"):
            return Comment.objects.filter(author_email__endswith=value)
        return Comment.objects.filter(author_email=value)
    if kind == "ip":
        return Comment.objects.filter(ip_address=value)
    if kind == "network":
        network = ipaddress.ip_network(value)
        ips = Comment.objects.exclude(ip_address__isnull=True).values_list("ip_address", flat=True).distinct()
        inside = [ip for ip in ips if _inside(ip, network)]
        return Comment.objects.filter(ip_address__in=inside)
    if kind == "url":
        return Comment.objects.filter(author_url__icontains=value) | Comment.objects.filter(
            body__icontains=value
        )
    return Comment.objects.none()


def _inside(ip: str, network) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return address.version == network.version and address in network
