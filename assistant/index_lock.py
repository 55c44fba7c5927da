"""One writer at a time: the index's write lock, shared by ``assistant ingest`` and uploads.

A ``filelock.FileLock`` on ``<index_dir>/write.lock``: the operating system releases it when its
holder dies (even by ``kill -9``), so a crashed ingest never leaves the index locked. A second
writer says it is waiting, waits up to ``settings.index_lock_timeout_s``, then gives up with one line
and changes nothing. Readers (ask, the web chat) never take it: they read the committed generation.

    with index_write_lock(settings, on_wait=print):
        ...write a generation and commit it...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.errors import IndexBusyError
from assistant.settings import Settings

LOCK_NAME = "write.lock"


def lock_path(settings: Settings) -> Path:
    """Where the write lock of the index that ``settings`` name lives."""
    return Path(settings.index_dir) / LOCK_NAME


@contextmanager
def index_write_lock(settings: Settings, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's write lock for the ``with`` block; IndexBusyError after the timeout."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        timeout = settings.index_lock_timeout_s
        if on_wait:
            on_wait(f"another ingest is writing the index ({path}); waiting up to {timeout:g} s for it to finish")
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise IndexBusyError(f"another ingest has been writing the index for over {timeout:g} s ({path}); "
                                 "nothing was changed: try again when it has finished") from None
    try:
        yield
    finally:
        lock.release()


__all__ = ["LOCK_NAME", "index_write_lock", "lock_path"]
