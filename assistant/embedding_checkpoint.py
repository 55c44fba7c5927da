"""Embedding work kept on disk batch by batch, so a killed ingest loses at most one batch.

Ingest saves the token sums of each batch it embeds as ``chunk-NNNNNN.npz`` under
``<index_dir>/embedding-checkpoint/<embedder>/`` (written to a temporary name, then renamed: a file is
whole or absent). The next ingest loads them by the hash of each text and embeds only the rest; a
successful commit clears the folder. Entries are keyed by content, so a checkpoint can never give a
text another text's vector, and one embedder's sums are never read for another.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
from pathlib import Path

import numpy as np

from assistant.settings import Settings

log = logging.getLogger(__name__)


def text_key(text: str) -> str:
    """The key of a text's sums: a hash of its exact content."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCheckpoint:
    """The token sums saved by ingests that did not finish, for one embedder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_settings(cls, settings: Settings, embedder: str) -> EmbeddingCheckpoint:
        """The checkpoint folder of ``embedder`` in the index folder ``settings`` name."""
        return cls(Path(settings.index_dir) / "embedding-checkpoint" / re.sub(r"[^\w.-]+", "_", embedder))

    def load(self) -> dict[str, np.ndarray]:
        """Every saved row by text key (a file that cannot be read is ignored: its batch is embedded again)."""
        rows: dict[str, np.ndarray] = {}
        for path in sorted(self.folder.glob("chunk-*.npz")):
            try:
                with np.load(path) as data:
                    rows.update(zip(data["keys"].tolist(), data["sums"], strict=True))
            except Exception as exc:  # noqa: BLE001 (a damaged checkpoint only costs its batch)
                log.warning("ignored an unreadable embedding checkpoint %s (%s)", path.name, exc)
        return rows

    def save(self, keys: list[str], sums: np.ndarray) -> None:
        """Add one batch: ``sums[i]`` belongs to the text of ``keys[i]``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        number = len(list(self.folder.glob("chunk-*.npz")))
        while (self.folder / f"chunk-{number:06d}.npz").exists():
            number += 1
        partial = self.folder / f"chunk-{number:06d}.partial.npz"
        np.savez(partial, keys=np.asarray(keys), sums=sums.astype(np.float32))
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        partial.replace(self.folder / f"chunk-{number:06d}.npz")

    def clear(self) -> None:
        """Forget every saved batch (after a commit)."""
        shutil.rmtree(self.folder, ignore_errors=True)


__all__ = ["EmbeddingCheckpoint", "text_key"]
