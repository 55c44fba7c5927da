"""Damage found before native code reads it: the HNSW files of the committed collections, checked.

Chroma's local index keeps each collection's HNSW graph in a folder of binary files that hnswlib
reads without checks: random bytes in ``data_level0.bin`` crash the process with a signal. Opening
the index (and ``assistant check``) therefore checks, for each committed collection's vector segment,
the invariants hnswlib relies on for memory safety:

- ``header.bin`` holds a consistent layout (sizes of a node, of its link lists, element counts,
  an entry point and a top level within range);
- ``data_level0.bin`` is whole (a multiple of the node size, holding every element), and each node's
  level-0 link count and neighbour ids are in range;
- ``link_lists.bin`` holds, for each element, the byte size of its upper-level link lists (a
  whole number of levels, no more than the top level) then the lists, whose counts and neighbour
  ids are in range too; ``length.bin`` (each vector's norm) has one entry per element.

A violation is one line naming ``assistant ingest --rebuild``. These checks, rather than checksums
recorded at commit, because Chroma itself rewrites these files after the commit: a reader that
applies the write-ahead log to the graph persists it (measured: ``data_level0.bin`` changed after
commit), so a commit-time checksum would call a healthy index damaged. Corrupted vector values are
not detected (they cannot crash anything; answers would show it).

The check reads every node (about 5 ms per 1,000 on this machine: 0.7 s for the 144,000 nodes of a
10,000-article index), so a start would pay it every time. ``VerifiedCache`` remembers each segment
found sound with the size, modification time, change time and inode of its four files; an unchanged
segment is not read again, and any write to its files (Chroma's own, or damage) makes the next open
check it again. ``assistant check`` always reads everything.
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import IndexUnavailableError

REBUILD_HINT = "run 'assistant ingest --rebuild'"
_HEADER = struct.Struct("<i6Qii3QdQ")  # version, offset, max, count, node size, label, data offset, level, entry, M…
MAX_LEVEL = 64
SEGMENT_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")


class DamagedIndexError(IndexUnavailableError):
    """A committed HNSW segment is missing or breaks the invariants hnswlib relies on."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"the index is damaged: {problems[0]}{more}; {REBUILD_HINT}")


@dataclass(frozen=True)
class Verification:
    """What a verification looked at and what it found, per collection."""

    segments: int
    elements: int
    bytes: int
    problems: dict[str, list[str]] = field(default_factory=dict)

    @property
    def damaged_collections(self) -> set[str]:
        """Names of the collections with a problem."""
        return {name for name, found in self.problems.items() if found}


def vector_segments(chroma_folder: Path, collections: list[str]) -> dict[str, str]:
    """segment id → collection name of the vector segments of ``collections`` (read-only from SQLite)."""
    marks = ",".join("?" * len(collections))
    with sqlite3.connect(f"file:{chroma_folder / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=10) as db:
        rows = db.execute("SELECT s.id, c.name FROM segments s JOIN collections c ON s.collection = c.id "
                          f"WHERE s.scope = 'VECTOR' AND c.name IN ({marks})", collections).fetchall()
    return {str(segment): str(name) for segment, name in rows}


def _links_in_range(rows: np.ndarray, most: int, count: int) -> bool:
    """Whether each row (a link list: a uint16 count, 2 spare bytes, then uint32 ids) has at most ``most``
    links, each below ``count``."""
    if rows.size == 0:
        return True
    n = rows[:, :2].copy().view("<u2")[:, 0]
    if (n > most).any():
        return False
    ids = rows[:, 4:4 + 4 * most].copy().view("<u4")
    used = np.arange(most)[None, :] < n[:, None]
    return bool((ids[used] < count).all())


def check_segment(folder: Path) -> tuple[int, int, list[str]]:
    """(elements, bytes, problems) of one HNSW segment folder; no problem for a segment with no files yet
    (Chroma writes them when the graph is first persisted)."""
    where = folder.name
    header_path = folder / "header.bin"
    if not header_path.exists():
        return 0, 0, []
    raw = header_path.read_bytes()
    if len(raw) != _HEADER.size:
        return 0, len(raw), [f"{where}/header.bin has {len(raw)} bytes, not {_HEADER.size}"]
    (version, offset0, capacity, count, node, label_at, data_at, level, entry, max_m, max_m0, _m, _mult,
     _ef) = _HEADER.unpack(raw)
    if (version != 1 or offset0 != 0 or count > capacity or data_at != 4 * max_m0 + 4 or label_at + 8 != node
            or not data_at < label_at or not -1 <= level < MAX_LEVEL or not 0 < max_m <= max_m0 <= 4096
            or (count and not 0 <= entry < count)):
        return 0, len(raw), [f"{where}/header.bin is not a consistent HNSW header"]
    problems: list[str] = []
    paths = {name: folder / name for name in ("data_level0.bin", "length.bin", "link_lists.bin")}
    missing = [name for name, path in paths.items() if not path.is_file()]
    if missing:
        return count, len(raw), [f"{where}/{missing[0]} is missing"]
    size = paths["data_level0.bin"].stat().st_size
    if size % node or size < count * node:
        return count, size, [f"{where}/data_level0.bin has {size} bytes, too few for {count} elements of {node}"]
    data = np.fromfile(paths["data_level0.bin"], dtype=np.uint8, count=count * node).reshape(count, node)
    if not _links_in_range(data[:, :data_at], max_m0, count):
        problems.append(f"{where}/data_level0.bin holds links out of range")
    norms = paths["length.bin"].stat().st_size
    if norms < 4 * count:
        problems.append(f"{where}/length.bin has {norms} bytes, too few for {count} elements")
    links = np.fromfile(paths["link_lists.bin"], dtype=np.uint8)
    upper = _upper_levels(links, count, 4 * max_m + 4, max(level, 0))
    if upper is None:
        problems.append(f"{where}/link_lists.bin does not hold {count} elements' link lists")
    elif not _links_in_range(upper, max_m, count):
        problems.append(f"{where}/link_lists.bin holds links out of range")
    return count, size + len(raw) + norms + links.nbytes, problems


def _upper_levels(links: np.ndarray, count: int, per_level: int, top: int) -> np.ndarray | None:
    """The upper-level link lists of ``link_lists.bin`` (each element: a uint32 byte size, then that many
    bytes), one row per list; None when the sizes do not add up to the file."""
    rows, at = [], 0
    for _ in range(count):
        if at + 4 > len(links):
            return None
        size = int(links[at:at + 4].view("<u4")[0])
        at += 4
        if size % per_level or size // per_level > top or at + size > len(links):
            return None
        if size:
            rows.append(links[at:at + size].reshape(-1, per_level))
        at += size
    if at != len(links):
        return None
    return np.vstack(rows) if rows else np.zeros((0, per_level), np.uint8)


def _signature(folder: Path) -> list[list[int]] | None:
    """Size, modification and change times (ns) and inode of each file of a segment; None without a header."""
    try:
        stats = [(folder / name).stat() for name in SEGMENT_FILES]
    except OSError:
        return None
    return [[st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino] for st in stats]


class VerifiedCache:
    """Segments found sound, by the signature of their files (``_signature``), kept in a JSON file.

    A segment whose four files have the same size, modification time, change time and inode as
    when it was last found sound is not read again: any write to a file changes its times (the
    change time cannot be set back from user space), so a file damaged since is checked again.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._entries: dict[str, dict] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self._entries = {}
        if not isinstance(self._entries, dict):
            self._entries = {}
        self._changed = False

    def elements(self, segment: str, signature: list[list[int]] | None) -> int | None:
        """The element count recorded for ``segment`` if its files still have ``signature``."""
        entry = self._entries.get(segment)
        if signature is None or not isinstance(entry, dict) or entry.get("files") != signature:
            return None
        return int(entry.get("elements", 0))

    def record(self, segment: str, signature: list[list[int]] | None, elements: int, size: int) -> None:
        if signature is not None:
            self._entries[segment] = {"files": signature, "elements": elements, "bytes": size}
            self._changed = True

    def keep_only(self, segments: set[str]) -> None:
        for gone in set(self._entries) - segments:
            del self._entries[gone]
            self._changed = True

    def save(self) -> None:
        """Write the entries (atomically); a failure only means the next open checks again."""
        if not self._changed:
            return
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(self._entries), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)


def verify_segments(chroma_folder: Path, collections: list[str], cache: VerifiedCache | None = None) -> Verification:
    """Check the vector segments of ``collections`` (see the module docstring); with ``cache``, a segment
    whose files are unchanged since it was last found sound is not read again."""
    found = vector_segments(chroma_folder, collections)
    problems: dict[str, list[str]] = {name: [] for name in collections}
    for name in collections:
        if name not in found.values():
            problems[name].append(f"{name} has no vector segment")
    elements = size = 0
    for segment, name in found.items():
        folder = chroma_folder / segment
        if not folder.is_dir():
            # Chroma creates the folder with the segment; without it the graph is gone
            problems[name].append(f"the segment folder {segment} of {name} is missing")
            continue
        signature = _signature(folder) if cache else None
        known = cache.elements(segment, signature) if cache else None
        if known is not None:
            elements += known
            continue
        n, b, issues = check_segment(folder)
        elements, size = elements + n, size + b
        problems[name] += [f"{issue} ({name})" for issue in issues]
        if cache and not issues and signature == _signature(folder):
            cache.record(segment, signature, n, b)
    if cache:
        cache.keep_only(set(found))
        cache.save()
    return Verification(len(found), elements, size, problems)


def check_or_raise(verification: Verification | None) -> None:
    """DamagedIndexError naming the first problem of ``verification``, if any."""
    if verification is None:
        return
    problems = [p for found in verification.problems.values() for p in found]
    if problems:
        raise DamagedIndexError(problems)


__all__ = ["DamagedIndexError", "Verification", "VerifiedCache", "check_or_raise", "check_segment", "vector_segments",
           "verify_segments"]
