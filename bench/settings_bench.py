"""Settings for ``bench/load.py``: the production settings plus a bare view to compare with.

Everything else (DEBUG, cache, database, middleware) comes from ``config.settings`` and the
environment exactly as in production, so the bare view runs on the same stack.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"

# The load run's commenters are quick humans: they still wait for the form's minimum fill
# time, only a shorter one, so a 30-second run sends more than a handful of comments.
COMMENTS_MIN_SUBMIT_SECONDS = 1
