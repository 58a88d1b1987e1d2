"""Settings for ``bench/lighthouse.py``: production settings; ``BENCH_PAGECACHE_OFF=1`` turns
the page cache off so Lighthouse measures the rendered (uncached) page."""

import os

from config.settings import *  # noqa: F403

if os.environ.get("BENCH_PAGECACHE_OFF") == "1":
    PAGECACHE_SECONDS = 0
