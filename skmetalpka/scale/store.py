"""The output folder of a screen: manifest, ligand partitions, result partitions.

Layout of ``DIR``::

    DIR/screen.json                    manifest: inputs, settings, schema (written once)
    DIR/ligands/part-000000.parquet    the input ligands, split into fixed-size partitions
    DIR/pairs/part-000000.parquet      the scored pairs of ligand partition 0, and so on

Every file is written to a hidden temporary file in the same folder, flushed to disk and
renamed over its final name (:func:`write_parquet_atomic`, :mod:`skmetalpka._files`): a file under its final name is
complete, so a screen that stops part-way (a crash, a lost machine, Ctrl-C) is resumed by
computing only the partitions whose result file is missing (:func:`missing_partitions`).
Temporary files left by a stopped run are never read and are removed by the next run
(:func:`remove_temporary`).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import atomic_open
from ..exceptions import InputError

__all__ = [
    "MANIFEST",
    "SCREEN_FORMAT",
    "file_sha256",
    "partition_path",
    "write_parquet_atomic",
    "write_json_atomic",
    "read_manifest",
    "missing_partitions",
    "remove_temporary",
    "iter_pairs",
]

#: File name of the manifest inside the output folder.
MANIFEST = "screen.json"
#: ``format`` of the manifest.
SCREEN_FORMAT = "skmetalpka-screen"
_TMP = ".tmp"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's content, read in blocks (any size)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def partition_path(out_dir: str | os.PathLike[str], kind: str, index: int) -> Path:
    """``DIR/<kind>/part-<index:06d>.parquet`` (``kind`` is ``ligands`` or ``pairs``)."""
    return Path(out_dir) / kind / f"part-{int(index):06d}.parquet"


def write_parquet_atomic(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``table`` to ``path`` as Parquet so that ``path`` only ever holds a whole file.

    The table goes to a temporary file in the same folder, is flushed to disk, then renamed
    over ``path`` (:func:`skmetalpka._files.atomic_open`).
    """
    with atomic_open(path, "wb") as fh:
        table.to_parquet(fh, index=False, engine="pyarrow")


def write_json_atomic(obj: Any, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically (see :func:`write_parquet_atomic`)."""
    with atomic_open(path, "w") as fh:
        json.dump(obj, fh, indent=2)
        fh.write("\n")


def read_manifest(out_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The manifest of a screen folder, or ``None`` when there is none yet.

    Raises
    ------
    InputError
        The file exists but is not a screen manifest.
    """
    p = Path(out_dir) / MANIFEST
    if not p.is_file():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{str(p)!r} is not a readable screen manifest ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != SCREEN_FORMAT:
        raise InputError(
            f"{str(p)!r} was not written by skmetalpka screen; use an empty output folder"
        )
    return data


def missing_partitions(out_dir: str | os.PathLike[str], n_partitions: int) -> list[int]:
    """Indices of the result partitions that have no final file yet, in order."""
    return [
        i for i in range(int(n_partitions)) if not partition_path(out_dir, "pairs", i).is_file()
    ]


def remove_temporary(out_dir: str | os.PathLike[str]) -> int:
    """Delete temporary files left by a stopped run; returns how many were removed.

    Only call this when no screen is writing into ``out_dir``.
    """
    n = 0
    for kind in ("", "ligands", "pairs"):
        folder = Path(out_dir) / kind
        if not folder.is_dir():
            continue
        for f in folder.glob(f".*{_TMP}"):
            try:
                f.unlink()
                n += 1
            except FileNotFoundError:  # pragma: no cover - removed meanwhile
                pass
    return n


def iter_pairs(
    out_dir: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
    n_partitions: int | None = None,
) -> Iterator[pd.DataFrame]:
    """The result partitions of a screen, one table at a time, in ligand order.

    Parameters
    ----------
    out_dir : str or path-like
        Output folder of :func:`skmetalpka.scale.screen`.
    columns : sequence of str, optional
        Read only these columns.
    n_partitions : int, optional
        Expected number of partitions (default: the manifest's).

    Raises
    ------
    InputError
        No manifest, or a partition is missing (the screen is not complete: run it again).
    """
    if n_partitions is None:
        manifest = read_manifest(out_dir)
        if manifest is None:
            raise InputError(f"{str(out_dir)!r} holds no screen (no {MANIFEST})")
        n_partitions = int(manifest["n_partitions"])
    missing = missing_partitions(out_dir, n_partitions)
    if missing:
        raise InputError(
            f"screen in {str(out_dir)!r} is incomplete: {len(missing)} of {n_partitions} "
            "partitions missing; run the same screen command again to finish it"
        )
    for i in range(n_partitions):
        yield pd.read_parquet(
            partition_path(out_dir, "pairs", i),
            columns=None if columns is None else list(columns),
            engine="pyarrow",
        )
