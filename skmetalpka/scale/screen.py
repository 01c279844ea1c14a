"""Screen a ligand library against metals on a Dask cluster, resumably.

:func:`screen` scores the full cross product ligand x metal of a ligand table (CSV or
Parquet, :func:`~skmetalpka.scale.iter_ligands`) with a saved model or the packaged one:

1. The ligand table is split into partitions of ``partition_size`` ligands, written to
   ``DIR/ligands/`` with a manifest ``DIR/screen.json`` that records the inputs (file and
   model digests, metals, pH, partition size).
2. One Dask task per partition (:func:`score_partition`) loads nothing but its ligands (the
   model was loaded once per worker, :func:`~skmetalpka.scale.register_model`), scores them
   with every metal (:func:`~skmetalpka.scale.score_pairs`: each ligand featurised once for
   all metals) and commits ``DIR/pairs/part-NNNNNN.parquet`` atomically
   (:mod:`skmetalpka.scale.store`). Results stay on disk; the client only receives a few
   numbers per partition, so neither the client's nor a worker's memory grows with the
   library.
3. A worker that dies loses its running task; Dask runs it again elsewhere, and its
   partition file is written once, complete. Running the same screen again into the same
   folder computes only the partitions that have no result file (resume); other inputs
   into a used folder are refused.
4. Optionally: ``DIR/pairs.csv`` (all pairs, streamed from the partitions), ``DIR/top_k.csv``
   (best ligands per metal) and ``DIR/selectivity_<A>_over_<B>.csv``.
"""

from __future__ import annotations

import hashlib
import os
import resource
import sys
import time
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pandas as pd

from ..exceptions import InputError, ModelFileError
from .inputs import iter_ligands, parse_metals
from .pairs import DEFAULT_BATCH_PAIRS, pair_columns, score_pairs
from .result import ScreenResult, finish_screen
from .store import (
    MANIFEST,
    SCREEN_FORMAT,
    file_sha256,
    missing_partitions,
    partition_path,
    read_manifest,
    remove_temporary,
    write_json_atomic,
    write_parquet_atomic,
)

__all__ = ["DEFAULT_PARTITION_SIZE", "screen", "score_partition"]

#: Ligands per partition (one task, one result file) by default.
DEFAULT_PARTITION_SIZE = 500
_FORMAT_VERSION = 1
#: Seconds to wait for a first worker on a cluster that has none.
_WAIT_FOR_WORKERS_S = 60.0
#: Manifest entries that must match for a screen to resume in a used folder.
_RESUME_KEYS = ("ligands_sha256", "metals", "model_sha256", "ph", "hydrolysis", "partition_size")


def _model_bytes(model: str | os.PathLike[str] | None) -> tuple[bytes, Path, str]:
    if model is None:
        from ..pretrained import default_model_path

        path = default_model_path()
        where = "packaged default model"
    else:
        path = Path(model).expanduser()
        where = str(path)
    try:
        return path.read_bytes(), path, where
    except OSError as exc:
        raise ModelFileError(
            f"could not read the model file {str(path)!r} ({exc.strerror or exc}); give a file "
            "written by `skmetalpka fit`"
        ) from exc


def _load_locally(path: Path, trusted: bool) -> tuple[Any, dict[str, Any], list[str]]:
    """Load the model on the client once: checks the file early and gives its properties."""
    import warnings

    from ..persistence import ModelVersionWarning, load_model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est, meta = load_model(path, return_meta=True, trusted=trusted)
    return (
        est,
        meta,
        [str(w.message) for w in caught if issubclass(w.category, ModelVersionWarning)],
    )


def _check_k(value: Any, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _stage(ligands_path: Path, out: Path, partition_size: int) -> tuple[int, int, bool]:
    """Split the ligand table into ``DIR/ligands/part-*.parquet``; (ligands, partitions, id)."""
    n_ligands = n_parts = 0
    with_id = False
    for i, chunk in enumerate(iter_ligands(ligands_path, chunksize=partition_size)):
        with_id = "ligand_id" in chunk.columns
        write_parquet_atomic(chunk, partition_path(out, "ligands", i))
        n_ligands += len(chunk)
        n_parts = i + 1
    return n_ligands, n_parts, with_id


def score_partition(
    index: int,
    *,
    out_dir: str,
    plugin: str,
    metals: Sequence[str],
    ph: float | None,
    n_steps: int,
    std: bool,
    known_metals: Sequence[str] | None,
    batch_pairs: int = DEFAULT_BATCH_PAIRS,
    hydrolysis: bool = True,
) -> dict[str, Any]:
    """The Dask task: score ligand partition ``index`` and commit its result file.

    Runs on a worker holding the model of :class:`~skmetalpka.scale.ModelPlugin` ``plugin``.
    Idempotent: running it again (after a lost worker) writes the same file again.

    Returns
    -------
    dict
        ``partition``, ``n_pairs``, ``n_errors``, ``n_warnings``, ``seconds``, ``started``
        and ``finished`` (epoch seconds), ``worker``, ``pid``, ``max_rss_mib`` (peak resident
        memory of the worker process so far).

    Raises
    ------
    RuntimeError
        The model failed on every row that reached it (a broken model, not bad rows).
    """
    from distributed import get_worker

    from ..inference import model_failure
    from .cluster import worker_model

    t0 = time.perf_counter()
    started = time.time()
    model, _ = worker_model(plugin)
    ligands = pd.read_parquet(partition_path(out_dir, "ligands", index), engine="pyarrow")
    table = score_pairs(
        model,
        ligands,
        metals,
        ph=ph,
        hydrolysis=hydrolysis,
        n_steps=n_steps,
        return_std=std,
        known_metals=known_metals,
        batch_pairs=batch_pairs,
    )
    failure = model_failure(table["error"].tolist())
    if failure is not None:
        raise ModelFileError(
            f"the model failed on every row of partition {index} ({failure}); the model file "
            "does not work with the skmetalpka installed on the workers: train it again with "
            "`skmetalpka fit`"
        )
    write_parquet_atomic(table, partition_path(out_dir, "pairs", index))
    return {
        "partition": int(index),
        "n_pairs": len(table),
        "n_errors": int((table["error"] != "").sum()),
        "n_warnings": int((table["warning"] != "").sum()),
        "seconds": time.perf_counter() - t0,
        "started": started,
        "finished": time.time(),
        "worker": get_worker().address,
        "pid": os.getpid(),
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def screen(
    ligands: str | os.PathLike[str],
    metals: str | Sequence[str],
    out_dir: str | os.PathLike[str],
    *,
    model: str | os.PathLike[str] | None = None,
    trust_pickle: bool = False,
    ph: float | None = None,
    hydrolysis: bool = True,
    client: Any = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    partition_size: int | None = None,
    batch_pairs: int = DEFAULT_BATCH_PAIRS,
    csv: bool = False,
    top_k: int | None = None,
    selectivity: tuple[str, str] | None = None,
    progress: bool = False,
) -> ScreenResult:
    """Score every ligand of a table with every metal on a Dask cluster; resumable.

    Parameters
    ----------
    ligands : str or path-like
        CSV or Parquet table with a ``smiles`` column and optionally ``id`` / ``ligand_id`` /
        ``name`` (:func:`~skmetalpka.scale.iter_ligands`).
    metals : str or sequence of str
        ``"Cu2+,Ni2+"`` or a list (:func:`~skmetalpka.scale.parse_metals`).
    out_dir : str or path-like
        Output folder (created). Must be visible under the same path to every worker (a
        shared file system on a multi-machine cluster).
    model : str or path-like, optional
        Model file from ``skmetalpka fit``; default the packaged model.
    trust_pickle : bool, default=False
        Also accept a pickled model file (``.joblib`` of skmetalpka 0.1): unpickling runs
        any code the file holds, on the client and on every worker.
    ph : float, optional
        Add conditional constants at this pH (0-14; the model must know H+), see
        :func:`~skmetalpka.scale.score_pairs`.
    hydrolysis : bool, default=True
        With ``ph``: include the metals' hydrolysis (log alpha_M(OH)) in the conditional
        constants.
    client : distributed.Client, optional
        Use this client (left open). Otherwise one is made from ``scheduler`` or a local
        cluster of ``n_workers`` processes (:func:`~skmetalpka.scale.dask_client`).
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``).
    n_workers : int, optional
        Local worker processes, one thread each (default: CPU cores).
    partition_size : int, optional
        Ligands per task and result file: default 500 for a new screen, the screen's own
        when resuming (a different value for a started screen is refused).
    batch_pairs : int, default=4096
        Pairs given to the model at once inside a task (memory per worker).
    csv : bool, default=False
        Also write ``DIR/pairs.csv`` with every pair.
    top_k : int, optional
        Write ``DIR/top_k.csv``: the ``top_k`` best ligands per metal (by the conditional
        log beta_1 with ``ph``, else log beta_1).
    selectivity : (str, str), optional
        Metals ``(A, B)`` of the screen: write ``DIR/selectivity_<A>_over_<B>.csv``, the
        ``top_k`` (default 20) ligands with the largest log beta_1(A) - log beta_1(B).
    progress : bool, default=False
        Dask's text progress bar (on standard output) while the partitions run.

    Returns
    -------
    ScreenResult

    Raises
    ------
    InputError
        Unusable ligand table, metals, model file, arguments, or an output folder that holds
        a screen of other inputs.
    ValueError
        ``ph`` with a model that knows no protonation constants.
    ModelFileError
        The model failed on every row of a partition (a model file that does not work with
        the installed code); the partitions committed so far are kept.
    RuntimeError
        A partition failed otherwise; the partitions committed so far are kept, and a rerun
        resumes from them.
    """
    from ..ions import canonical_ion

    t_start = time.perf_counter()
    metals = parse_metals(metals)
    if ph is not None and not (0.0 <= float(ph) <= 14.0):
        raise InputError(f"pH must be between 0 and 14, got {ph!r}")
    ph = None if ph is None else float(ph)
    partition_size = _check_k(partition_size, "partition_size")  # type: ignore[assignment]
    batch_pairs = _check_k(batch_pairs, "batch_pairs")  # type: ignore[assignment]
    top_k = _check_k(top_k, "top_k")
    pair = None
    if selectivity is not None:
        pair = [str(m).strip() for m in selectivity]
        canon = {canonical_ion(m): m for m in metals}
        if len(pair) != 2:
            raise InputError(f"selectivity needs two metals A,B, got {selectivity!r}")
        for m in pair:
            try:
                known = canonical_ion(m) in canon
            except ValueError as exc:
                raise InputError(f"selectivity: {exc}") from exc
            if not known:
                raise InputError(f"selectivity metal {m!r} is not one of the screened metals")
        pair = [canon[canonical_ion(m)] for m in pair]
        if pair[0] == pair[1]:
            raise InputError("selectivity needs two different metals")
    if client is not None and (scheduler is not None or n_workers is not None):
        raise InputError("give a client, or a scheduler / number of workers, not both")
    ligands_path = Path(ligands).expanduser()
    if not ligands_path.is_file():
        raise InputError(
            f"ligand table: no file at {str(ligands_path)!r}; give a CSV or Parquet file with "
            "a 'smiles' column"
        )

    data, model_path, model_where = _model_bytes(model)
    est, meta, model_warnings = _load_locally(model_path, trust_pickle)
    from .._base import supports_std
    from ..inference import estimator_n_steps, training_metals

    known_metals = meta.get("trained_metals") or training_metals(est)
    if ph is not None:
        from ..screening import knows_protons

        if not knows_protons(est, known_metals):
            raise ValueError(
                "conditional constants (a pH) need protonation constants, but the model was "
                "not trained on H+ rows; drop the pH, or use a model fitted with "
                "--pretrain-proton (such as the packaged default model)"
            )
    n_steps = meta.get("n_steps") or estimator_n_steps(est)
    if n_steps is None:
        probe = score_pairs(est, pd.DataFrame({"smiles": ["NCCN"]}), metals[:1])
        n_steps = sum(c.startswith("log_beta_") and c[9:].isdigit() for c in probe.columns)
    n_steps = int(n_steps)
    std = bool(supports_std(est))
    del est

    out = Path(out_dir).expanduser()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"could not create {str(out)!r}: {exc.strerror or exc}") from exc
    manifest = read_manifest(out)
    if partition_size is None:  # resuming: the partitions already made, else the default
        partition_size = (manifest or {}).get("partition_size") or DEFAULT_PARTITION_SIZE
    inputs = {
        "ligands_sha256": file_sha256(ligands_path),
        "metals": list(metals),
        "model_sha256": hashlib.sha256(data).hexdigest(),
        "ph": ph,
        "hydrolysis": bool(hydrolysis),
        "partition_size": partition_size,
    }
    if manifest is not None:
        changed = [k for k in _RESUME_KEYS if manifest.get(k) != inputs[k]]
        if changed:
            raise InputError(
                f"{str(out)!r} holds a screen of other inputs (different {', '.join(changed)}); "
                "give another output folder, or delete this one to start again"
            )
    remove_temporary(out)
    if manifest is None:
        n_ligands, n_partitions, with_id = _stage(ligands_path, out, partition_size)
        if n_ligands == 0:
            raise InputError(f"ligand table {str(ligands_path)!r} holds no ligand")
        manifest = {
            "format": SCREEN_FORMAT,
            "format_version": _FORMAT_VERSION,
            **inputs,
            "ligands_file": ligands_path.name,
            "model": model_where if model is not None else "packaged default model",
            "model_version": meta.get("skmetalpka_version"),
            "n_ligands": n_ligands,
            "n_metals": len(metals),
            "n_pairs": n_ligands * len(metals),
            "n_partitions": n_partitions,
            "n_steps": n_steps,
            "std": std,
            "columns": pair_columns(n_steps, std=std, ph=ph, ligand_id=with_id),
        }
        write_json_atomic(manifest, out / MANIFEST)  # written last: staging is complete
    n_partitions = int(manifest["n_partitions"])
    todo = missing_partitions(out, n_partitions)

    tasks: list[dict[str, Any]] = []
    compute_seconds = 0.0
    if todo:
        t0 = time.perf_counter()
        owned = client is None
        context = nullcontext(client) if client is not None else None
        if context is None:
            from .cluster import dask_client

            context = dask_client(scheduler, n_workers=n_workers)
        with context as c:
            tasks = _run_partitions(
                c,
                data,
                todo,
                out=out,
                metals=metals,
                ph=ph,
                n_steps=n_steps,
                std=std,
                known_metals=known_metals,
                batch_pairs=batch_pairs,
                progress=progress,
                unregister=owned,
                trusted=trust_pickle,
                hydrolysis=bool(hydrolysis),
            )
        compute_seconds = time.perf_counter() - t0
    missing = missing_partitions(out, n_partitions)
    if missing:  # pragma: no cover - every task either committed its file or raised
        raise RuntimeError(f"partitions {missing[:5]} were not written; run the screen again")

    result = ScreenResult(
        out_dir=out,
        n_ligands=int(manifest["n_ligands"]),
        n_metals=len(metals),
        n_pairs=int(manifest["n_pairs"]),
        n_partitions=n_partitions,
        n_computed=len(tasks),
        n_skipped=n_partitions - len(tasks),
        n_errors=0,
        n_warnings=0,
        seconds=0.0,
        compute_seconds=compute_seconds,
        tasks=sorted(tasks, key=lambda t: t["partition"]),
        files={"pairs": out / "pairs"},
        model_warnings=model_warnings,
    )
    finish_screen(result, csv=csv, top_k=top_k, pair=pair)
    result.seconds = time.perf_counter() - t_start
    write_json_atomic(result.to_dict(), out / "last_run.json")
    return result


def _run_partitions(
    client: Any,
    data: bytes,
    todo: list[int],
    *,
    out: Path,
    metals: list[str],
    ph: float | None,
    n_steps: int,
    std: bool,
    known_metals: Sequence[str] | None,
    batch_pairs: int,
    progress: bool,
    unregister: bool,
    trusted: bool = False,
    hydrolysis: bool = True,
) -> list[dict[str, Any]]:
    """Submit one task per partition in ``todo`` and collect their statistics."""
    from distributed import as_completed
    from distributed import progress as dask_progress

    from .cluster import register_model

    if not client.scheduler_info().get("workers"):
        try:
            client.wait_for_workers(1, timeout=_WAIT_FOR_WORKERS_S)
        except TimeoutError as exc:
            raise InputError(
                f"no Dask worker joined the scheduler in {_WAIT_FOR_WORKERS_S:g} s; start "
                "workers with `dask worker SCHEDULER_ADDRESS --nthreads 1`"
            ) from exc
    plugin = register_model(client, data, trusted=trusted)
    run = uuid.uuid4().hex[:8]
    futures = client.map(
        score_partition,
        todo,
        key=[f"skmetalpka-screen-{run}-{i:06d}" for i in todo],
        out_dir=str(out),
        plugin=plugin,
        metals=list(metals),
        ph=ph,
        n_steps=n_steps,
        std=std,
        known_metals=None if known_metals is None else list(known_metals),
        batch_pairs=batch_pairs,
        hydrolysis=hydrolysis,
    )
    partition_of = {f.key: i for f, i in zip(futures, todo, strict=True)}
    stats: list[dict[str, Any]] = []
    try:
        if progress:
            dask_progress(futures, notebook=False, multi=False)
            sys.stdout.flush()
        for fut in as_completed(futures):
            try:
                stats.append(fut.result())
            except Exception as exc:
                kept = (
                    f"the {len(stats)} partition(s) finished are kept; run the same screen "
                    "again to resume"
                )
                if isinstance(exc, ModelFileError):
                    raise ModelFileError(f"{exc}; {kept}") from exc
                raise RuntimeError(
                    f"screening partition {partition_of[fut.key]} failed: "
                    f"{type(exc).__name__}: {exc}; {kept}"
                ) from exc
            fut.release()
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        if unregister:
            try:
                client.unregister_worker_plugin(plugin)
            except Exception:  # pragma: no cover - best effort on a cluster going away
                pass
    return stats
