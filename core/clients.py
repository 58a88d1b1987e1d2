"""Who is asking: the client's address behind trusted proxies, and its keyed hash."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's IP address; ``X-Forwarded-For`` counts only behind ``TRUSTED_PROXY_COUNT`` proxies."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            remote = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return ""


def ip_hash(ip: str) -> str:
    """A keyed hash of an address: enough to count or compare, useless to recover it."""
    return hmac.new(settings.IP_HASH_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()
