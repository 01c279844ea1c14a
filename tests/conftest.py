"""Shared pytest fixtures.

The real NIST tables live outside the repository (``../shared/data``). Tests that need
them take the ``nist_dir`` fixture: it skips with a clear reason when the data is absent,
and fails instead when ``SKMETALPKA_REQUIRE_DATA=1`` (set by ``.ci/run``) so that CI
cannot silently skip the tests on real data.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest

_REPO = Path(__file__).resolve().parents[1]


def _candidate_dirs() -> list[Path]:
    dirs = []
    env = os.environ.get("SKMETALPKA_DATA_HOME")
    if env:
        dirs.append(Path(env))
    dirs.append(_REPO.parent / "shared" / "data")
    return dirs


#: A tiny training table in the simple CSV layout; per-metal means: Cu [9, 17], Ni [6, 13],
#: Zn [5, 11].
TINY = (
    "metal,smiles,log_beta_1,log_beta_2\n"
    "Cu2+,NCCN,10.0,19.0\n"
    "Cu2+,NCC(=O)O,8.0,15.0\n"
    "Ni2+,NCCN,7.0,13.0\n"
    "Ni2+,NCC(=O)O,5.0,\n"
    "Zn2+,NCCN,6.0,11.0\n"
    "Zn2+,OC(=O)C(=O)O,4.0,\n"
)


@pytest.fixture()
def tiny_csv(tmp_path: Path) -> Path:
    """:data:`TINY` written to a file."""
    p = tmp_path / "tiny.csv"
    p.write_text(TINY, encoding="utf-8")
    return p


@pytest.fixture(scope="session")
def nist_dir() -> Path:
    """Directory holding ``nist46_metal_binding.csv`` and the proton tables."""
    for d in _candidate_dirs():
        if (d / "nist46_metal_binding.csv").is_file():
            return d
    msg = (
        "NIST shared data not found: set SKMETALPKA_DATA_HOME to the folder holding "
        "nist46_metal_binding.csv (e.g. ../shared/data)"
    )
    if os.environ.get("SKMETALPKA_REQUIRE_DATA") == "1":
        pytest.fail(msg)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def nist_csv(nist_dir: Path) -> Path:
    return nist_dir / "nist46_metal_binding.csv"


@pytest.fixture(autouse=True)
def _seed_everything():
    random.seed(0)
    np.random.seed(0)  # noqa: NPY002 - seeds legacy global RNG users
    try:
        import torch

        torch.manual_seed(0)
        torch.set_num_threads(1)  # pytest-xdist runs one worker per core
    except ImportError:  # pragma: no cover
        pass
    yield


@pytest.fixture(scope="session")
def dask_client():
    """A Dask client on a local cluster of two worker *processes* with one thread each.

    Started once per test process (each worker imports skmetalpka: seconds of CPU); use it
    only where separate processes matter (a killed worker, thread settings per process).
    A test that kills a worker leaves it to the nanny to restart.
    """
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close(timeout=10)


@pytest.fixture(scope="session")
def dask_threads_client():
    """A Dask client on an in-process cluster (two one-thread workers, TCP): starts at once.

    Tasks still go through the scheduler and a TCP address (usable as ``--scheduler``), but
    run in this process.
    """
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        dashboard_address=":0",
    )
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def rewrite_model_file(path: Path, edit_document=None, edit_arrays=None, out: Path | None = None):
    """Rewrite a ``.skmodel`` file: ``edit_document(doc)`` and ``edit_arrays(arrays)`` change
    the parsed ``model.json`` and the dict of arrays in place (tests of tampered files)."""
    import json
    import zipfile

    from safetensors.numpy import load, save

    with zipfile.ZipFile(path) as archive:
        doc = json.loads(archive.read("model.json"))
        arrays = dict(load(archive.read("arrays.safetensors")))
    if edit_document is not None:
        edit_document(doc)
    if edit_arrays is not None:
        edit_arrays(arrays)
    target = out or path
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.json", json.dumps(doc))
        archive.writestr("arrays.safetensors", save(arrays))
    return target
