"""Per-reader tokens for cached pages, made the way Django makes them, only cheaper.

Every hit on a cached page with a form gives the reader their own CSRF token, captcha task
and form start time (``core.pagecache``). Made with Django's own helpers these cost more than
serving the page: ``get_token()`` asks the operating system's random source once per
character (64 times), and each ``TimestampSigner().sign()`` derives its HMAC key anew. The
values here are the same as Django's — checked by Django's own code, unchanged:

* ``csrf_token(request)``: the secret and mask are as random as Django's (uniform over
  ``CSRF_ALLOWED_CHARS``, from ``os.urandom``), drawn with one call; the secret is handed to
  ``CsrfViewMiddleware`` exactly as ``get_token()`` does (``request.META``), which sets the
  cookie and checks every POST as always.
* ``sign_timestamped(value, salt=…)``: what ``TimestampSigner(salt=…).sign(value)`` returns,
  with the derived key kept per salt and secret key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

from django.conf import settings
from django.core.signing import b62_encode, b64_encode
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token

_CHARS = CSRF_ALLOWED_CHARS.encode()
_SIZE = len(_CHARS)  # 62
_KEEP = 256 - 256 % _SIZE  # random bytes below this map evenly onto the alphabet
_DROP = bytes(range(_KEEP, 256))
_MOD = bytes(b % _SIZE for b in range(256))
_INDEX_OF = bytes.maketrans(_CHARS, bytes(range(_SIZE)))
# Index, or sum of two indices (below 2 * 62), to character (mod 62): the masking of
# django.middleware.csrf._mask_cipher_secret() done for all characters at once.
_CHAR_OF = bytes(_CHARS[v % _SIZE] if v < 2 * _SIZE else 0 for v in range(256))


def _random_indices(length: int) -> bytes:
    drawn = b""
    while len(drawn) < length:
        drawn += os.urandom(length + 16).translate(_MOD, _DROP)
    return drawn[:length]


def random_chars(length: int) -> str:
    """``length`` characters, each uniform over ``CSRF_ALLOWED_CHARS`` (rejection sampling)."""
    return _random_indices(length).translate(_CHAR_OF).decode()


def csrf_token(request) -> str:
    """The reader's masked CSRF token, as ``django.middleware.csrf.get_token()`` gives it."""
    if settings.CSRF_USE_SESSIONS:
        return get_token(request)
    meta = request.META
    secret = meta.get("CSRF_COOKIE")
    if secret is None:  # a new reader: a new secret, which CsrfViewMiddleware sets as the cookie
        secret = meta["CSRF_COOKIE"] = random_chars(CSRF_SECRET_LENGTH)
    # As get_token(): the cookie is (re)sent, which also renews its expiry.
    meta["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_indices(CSRF_SECRET_LENGTH)
    # Each byte of the sum is index(secret) + index(mask) < 124: no carries between them.
    total = int.from_bytes(secret.encode().translate(_INDEX_OF)) + int.from_bytes(mask)
    return (mask + total.to_bytes(CSRF_SECRET_LENGTH)).translate(_CHAR_OF).decode()


_signers: dict[tuple[str, str], hmac.HMAC] = {}


def sign_timestamped(value: str, *, salt: str) -> str:
    """``django.core.signing.TimestampSigner(salt=salt).sign(value)``, with the key derived once."""
    secret = settings.SECRET_KEY
    base = _signers.get((salt, secret))
    if base is None:
        # salted_hmac(salt + "signer", value, secret): the key is sha256(key salt + secret).
        key = hashlib.sha256((salt + "signer").encode() + secret.encode()).digest()
        base = _signers[(salt, secret)] = hmac.new(key, digestmod=hashlib.sha256)
    value = f"{value}:{b62_encode(int(time.time()))}"
    mac = base.copy()
    mac.update(value.encode())
    return f"{value}:{b64_encode(mac.digest()).decode()}"
