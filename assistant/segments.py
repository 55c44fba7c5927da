"""Damage found before native code reads it: each committed segment file's size and checksum.

Chroma's local index keeps each collection's HNSW graph in a folder of binary files that hnswlib
reads without checks: random bytes in ``data_level0.bin`` crash the process with a signal. So after
each commit, ingest records every file of the committed collections' segment folders (its size, and
its CRC-32 except for ``length.bin``, which Chroma rewrites when it opens a segment) in
``<index_dir>/chroma-segments.json``. Opening the index compares the sizes always, and the checksums
when the files total at most ``verify_on_open_mb``; ``assistant check`` compares everything. A
mismatch is one line naming ``assistant ingest --rebuild``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import IndexUnavailableError

RECORD_NAME = "chroma-segments.json"
UNSTABLE = frozenset({"length.bin"})  # rewritten by Chroma on open: only its size is recorded
REBUILD_HINT = "run 'assistant ingest --rebuild'"


class DamagedIndexError(IndexUnavailableError):
    """A committed segment file is missing or differs from what was recorded at commit."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"the index is damaged: {problems[0]}{more}; {REBUILD_HINT}")


@dataclass(frozen=True)
class Verification:
    """What a verification looked at and what it found, per collection."""

    files: int
    bytes: int
    checksummed: bool
    problems: dict[str, list[str]]

    @property
    def damaged_collections(self) -> set[str]:
        """Names of the collections with a problem."""
        return {name for name, found in self.problems.items() if found}


def _crc(path: Path) -> int:
    crc = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


def vector_segments(chroma_folder: Path, collections: list[str]) -> dict[str, str]:
    """segment id → collection name of the vector segments of ``collections`` (read-only from SQLite)."""
    marks = ",".join("?" * len(collections))
    with sqlite3.connect(f"file:{chroma_folder / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=10) as db:
        rows = db.execute("SELECT s.id, c.name FROM segments s JOIN collections c ON s.collection = c.id "
                          f"WHERE s.scope = 'VECTOR' AND c.name IN ({marks})", collections).fetchall()
    return {str(segment): str(name) for segment, name in rows}


def record_segments(index_dir: Path, chroma_folder: Path, generation: int, collections: list[str]) -> Path:
    """Write the record of the committed ``collections``' segment files; returns its path."""
    segments = {}
    for segment, name in vector_segments(chroma_folder, collections).items():
        folder = chroma_folder / segment
        files = {}
        if folder.is_dir():
            for path in sorted(p for p in folder.iterdir() if p.is_file()):
                files[path.name] = [path.stat().st_size, None if path.name in UNSTABLE else _crc(path)]
        segments[segment] = {"collection": name, "files": files}
    target = index_dir / RECORD_NAME
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps({"generation": generation, "segments": segments}, indent=1), encoding="utf-8")
    with partial.open("rb") as fh:
        os.fsync(fh.fileno())
    partial.replace(target)
    return target


def verify_segments(index_dir: Path, chroma_folder: Path, generation: int, *,
                    checksum_limit_bytes: int | None) -> Verification | None:
    """Compare the committed segment files with their record (checksums too when the files total at most
    ``checksum_limit_bytes``; None: always). None when there is no record of ``generation`` to compare."""
    try:
        record = json.loads((index_dir / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("generation") != generation:
        return None
    segments: dict = record.get("segments", {})
    total = sum(size for seg in segments.values() for size, _ in seg["files"].values())
    checksum = checksum_limit_bytes is None or total <= checksum_limit_bytes
    problems: dict[str, list[str]] = {}
    files = 0
    for segment, entry in segments.items():
        found = problems.setdefault(entry["collection"], [])
        folder = chroma_folder / segment
        if entry["files"] and not folder.is_dir():
            found.append(f"the segment folder {segment} of {entry['collection']} is missing")
            continue
        for name, (size, crc) in entry["files"].items():
            path = folder / name
            files += 1
            if not path.is_file():
                found.append(f"{segment}/{name} of {entry['collection']} is missing")
            elif path.stat().st_size != size:
                found.append(f"{segment}/{name} of {entry['collection']} has {path.stat().st_size} bytes, "
                             f"{size} were written")
            elif checksum and crc is not None and _crc(path) != crc:
                found.append(f"{segment}/{name} of {entry['collection']} does not match its checksum")
    return Verification(files, total, checksum, problems)


def check_or_raise(verification: Verification | None) -> None:
    """DamagedIndexError naming the first problem of ``verification``, if any."""
    if verification is None:
        return
    problems = [p for found in verification.problems.values() for p in found]
    if problems:
        raise DamagedIndexError(problems)


__all__ = ["DamagedIndexError", "RECORD_NAME", "Verification", "check_or_raise", "record_segments",
           "vector_segments", "verify_segments"]
