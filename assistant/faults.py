"""Fault injection for the crash-consistency tests: kill this process at a named point of an ingest.

Ingest calls ``checkpoint(point)`` at each step where a crash could leave something half done. When
the environment variable ``ASSISTANT_FAULT_KILL`` names that point, the process kills itself with
SIGKILL, as ``kill -9`` or a power cut would: no clean-up handler, no flush. It is read at every
call, so it costs one dictionary lookup when unset. Format: ``POINT[#N][@SECONDS]``:

- ``write:sentences`` kills at the first time the point is reached;
- ``embed#3`` at the third time (the third embedding batch);
- ``write:sentences@0.05`` arms a timer at that point and kills 50 ms later, in the middle of the
  native write that follows.

Points, in order: ``split`` (corpus read and split), ``embed`` (after each embedding batch is saved),
``write:passages`` and ``write:sentences`` (before each write batch of that collection), ``written``
(both collections written, not committed), ``committed`` (right after the commit) and ``cleanup``
(before each leftover collection is dropped).
"""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter

ENV = "ASSISTANT_FAULT_KILL"
_seen: Counter[str] = Counter()


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def checkpoint(point: str) -> None:
    """Kill this process here when ``ASSISTANT_FAULT_KILL`` names ``point`` (see the module docstring)."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    name, _, delay = wanted.partition("@")
    name, _, nth = name.partition("#")
    if name != point:
        return
    _seen[point] += 1
    if _seen[point] != int(nth or 1):
        return
    if delay:
        threading.Timer(float(delay), _die).start()
    else:
        _die()


__all__ = ["ENV", "checkpoint"]
