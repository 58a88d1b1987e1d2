"""The cache every process on one machine shares when there is no Redis."""

from diskcache import DjangoCache


class SharedDiskCache(DjangoCache):
    """diskcache's Django backend (SQLite files), kept open across requests.

    Django closes every cache when a request finishes; for diskcache that means new SQLite
    connections (and their PRAGMAs) for each shard on the next request, which cost more than
    the cached page itself. The connections are per thread and opened lazily in each worker
    (nothing touches the cache before gunicorn forks), so keeping them is safe.
    """

    def close(self, **kwargs):
        """Keep the connections; they are reused by this thread's next request."""
