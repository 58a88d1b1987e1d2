"""Settings for ``bench/comments.py``: the project's settings plus django-comments-xtd.

django-comments-xtd is a bench-only dependency (the ``bench`` extra); it is set up as its
documentation asks: the sites framework with ``SITE_ID``, ``django_comments_xtd`` before
``django_comments``, ``COMMENTS_APP`` and a maximum thread level.
"""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, INSTALLED_APPS, TEMPLATES

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django.contrib.sites",
    "django_comments_xtd",
    "django_comments",
]
SITE_ID = 1
COMMENTS_APP = "django_comments_xtd"
# Depth 0, 1 and 2: the same three levels the bench builds for our comments.
COMMENTS_XTD_MAX_THREAD_LEVEL = 2
COMMENTS_XTD_CONFIRM_EMAIL = False
COMMENTS_XTD_THREADED_EMAILS = False

ROOT_URLCONF = "bench.urls_comments"
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [BASE_DIR / "bench" / "templates", *TEMPLATES[0]["DIRS"]]},
    *TEMPLATES[1:],
]
