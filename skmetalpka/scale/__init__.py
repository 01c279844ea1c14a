"""Screening at scale: ligand libraries x metals on a Dask cluster (local or many machines).

* :func:`iter_ligands`, :func:`parse_metals`, :func:`read_metals_file` (:mod:`.inputs`) - what
  to screen.
* :func:`score_pairs` (:mod:`.pairs`) - one block of ligands against every metal, row-safe.
* :func:`screen` / :class:`ScreenResult` (:mod:`.screen`) - a whole library on a Dask
  cluster, partition by partition, resumable.
* :func:`dask_client`, :func:`register_model`, :class:`ModelPlugin` (:mod:`.cluster`) - a
  local or remote cluster, and the model loaded once per worker.
* :func:`iter_pairs` and the atomic partition files (:mod:`.store`).
* :func:`top_ligands`, :func:`selectivity` (:mod:`.summary`) - summaries computed partition
  by partition.

Needs the ``scale`` extra: ``pip install "skmetalpka[scale]"`` (``dask[distributed]``,
``pyarrow``).
"""

from __future__ import annotations

from .inputs import LIGAND_ID_COLUMNS, iter_ligands, parse_metals, read_metals_file
from .pairs import DEFAULT_BATCH_PAIRS, pair_columns, score_pairs
from .result import ScreenResult
from .screen import DEFAULT_PARTITION_SIZE, score_partition, screen
from .store import iter_pairs, read_manifest
from .summary import rank_column, selectivity, top_ligands

__all__ = [
    "LIGAND_ID_COLUMNS",
    "iter_ligands",
    "parse_metals",
    "read_metals_file",
    "DEFAULT_BATCH_PAIRS",
    "pair_columns",
    "score_pairs",
    "DEFAULT_PARTITION_SIZE",
    "ScreenResult",
    "screen",
    "score_partition",
    "iter_pairs",
    "read_manifest",
    "rank_column",
    "top_ligands",
    "selectivity",
    "ModelPlugin",
    "dask_client",
    "register_model",
    "worker_model",
]


def __getattr__(name: str):
    # distributed is imported only when a cluster is needed
    if name in ("ModelPlugin", "dask_client", "register_model", "worker_model"):
        from . import cluster

        return getattr(cluster, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
