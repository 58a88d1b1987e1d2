"""The cache every process on one machine shares when there is no Redis."""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import threading
import time

from diskcache import DjangoCache

_GENERATION_FILE = "generation"
_GENERATION = struct.Struct("<Q")
_maps: dict[str, tuple[int, mmap.mmap]] = {}  # path: (fd, map), opened anew in each process
_maps_lock = threading.Lock()
# A forked child opens its own: flock belongs to the open file, which a fork would share.
os.register_at_fork(after_in_child=_maps.clear)


class SharedDiskCache(DjangoCache):
    """diskcache's Django backend (SQLite files), kept open across requests.

    Django closes every cache when a request finishes; for diskcache that means new SQLite
    connections (and their PRAGMAs) for each shard on the next request, which cost more than
    the cached page itself. The connections are per thread and opened lazily in each worker
    (nothing touches the cache before gunicorn forks), so keeping them is safe.

    It also keeps the content generation (``core.versions``) in a file of eight bytes next to
    the SQLite files, mapped into every process's memory: reading it is a memory read, not a
    query, which is what lets a page-cache hit cost about what a bare view costs.
    """

    def __init__(self, directory, params):
        super().__init__(directory, params)
        self._generation_path = os.path.join(self.directory, _GENERATION_FILE)

    def close(self, **kwargs):
        """Keep the connections; they are reused by this thread's next request."""

    # --- the content generation: one counter every process on the machine sees at once -------
    def _generation_file(self) -> tuple[int, mmap.mmap]:
        path = self._generation_path
        found = _maps.get(path)
        if found is None:
            with _maps_lock:
                found = _maps.get(path)
                if found is None:
                    os.makedirs(self.directory, exist_ok=True)
                    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    try:
                        if os.fstat(fd).st_size < _GENERATION.size:
                            os.pwrite(fd, _GENERATION.pack(_clock()), 0)
                    finally:
                        fcntl.flock(fd, fcntl.LOCK_UN)
                    found = _maps[path] = (fd, mmap.mmap(fd, _GENERATION.size))
        return found

    def generation(self) -> int:
        """The current content generation (a memory read)."""
        found = _maps.get(self._generation_path) or self._generation_file()
        return _GENERATION.unpack_from(found[1])[0]

    def bump_generation(self) -> int:
        """A new generation, larger than every earlier one, seen by every process at once."""
        fd, mapped = self._generation_file()
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            value = max(_GENERATION.unpack_from(mapped)[0] + 1, _clock())
            _GENERATION.pack_into(mapped, 0, value)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
        return value

    def clear(self, **kwargs):
        """Empty the cache; copies other processes keep of cached pages go stale with it."""
        result = super().clear(**kwargs)
        self.bump_generation()
        return result


def _clock() -> int:
    return time.time_ns() // 1000
