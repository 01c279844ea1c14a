"""screen(): a ligand table x metals on a Dask cluster; resume, lost workers, refusals."""

from __future__ import annotations

import importlib
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest
from scale_helpers import BrokenRegressor, SlowMeanRegressor, save_mean_model

from skmetalpka.exceptions import InputError, ModelFileError
from skmetalpka.scale import read_manifest, screen

METALS = ["Cu2+", "Ni2+", "Fe3+"]
#: per-metal means of scale_helpers' tiny table; Fe3+ was not trained: the global means
MEANS = {"Cu2+": [9.0, 17.0], "Ni2+": [6.0, 13.0], "Fe3+": [7.2, 14.5]}


def _ligands(tmp_path, n, name="lig.csv"):
    pool = ["NCCN", "NCC(=O)O", "OC(=O)C(=O)O", "c1ccncc1", "C1CC", "NCCO", "CC(=O)O"]
    p = tmp_path / name
    smiles = [pool[i % len(pool)] for i in range(n)]
    pd.DataFrame({"id": [f"L{i}" for i in range(n)], "smiles": smiles}).to_csv(p, index=False)
    return p, smiles


def _check_complete(table, smiles):
    """Every (ligand, metal) exactly once, in order, with the expected values."""
    assert len(table) == len(smiles) * len(METALS)
    assert not table.duplicated(["ligand_index", "metal"]).any()
    assert table["ligand_index"].tolist() == list(np.repeat(np.arange(len(smiles)), len(METALS)))
    assert table["metal"].tolist() == METALS * len(smiles)
    assert table["smiles"].tolist() == list(np.repeat(smiles, len(METALS)))
    bad = table["smiles"] == "C1CC"
    assert (table.loc[bad, "error"] != "").all() and (table.loc[~bad, "error"] == "").all()
    for metal, values in MEANS.items():
        rows = table[(table["metal"] == metal) & ~bad]
        np.testing.assert_allclose(rows[["log_beta_1", "log_beta_2"]], [values] * len(rows))


def test_refusals_before_any_work(tmp_path):
    model = save_mean_model(tmp_path / "mean.skmodel")
    lig, _ = _ligands(tmp_path, 3)
    out = tmp_path / "out"
    with pytest.raises(InputError, match="'Xx' is not an element symbol"):
        screen(lig, "Cu2+,Xx2+", out, model=model)
    with pytest.raises(InputError, match="no file"):
        screen(tmp_path / "missing.csv", METALS, out, model=model)
    with pytest.raises(InputError, match="does not exist|could not read"):
        screen(lig, METALS, out, model=tmp_path / "missing.skmodel")
    with pytest.raises(ModelFileError, match="is a pickle"):
        screen(lig, METALS, out, model=model)  # not trusted
    with pytest.raises(ValueError, match="not trained on H\\+ rows"):
        screen(lig, METALS, out, model=model, ph=7.0, trust_pickle=True)
    with pytest.raises(InputError, match="not one of the screened metals"):
        screen(lig, METALS, out, model=model, selectivity=("Cu2+", "Zn2+"), trust_pickle=True)
    with pytest.raises(InputError, match="between 0 and 14"):
        screen(lig, METALS, out, model=model, ph=15)
    empty = tmp_path / "empty.csv"
    empty.write_text("smiles\n")
    with pytest.raises(InputError, match="holds no ligand"):
        screen(empty, METALS, tmp_path / "out2", model=model, trust_pickle=True)
    assert not (out / "screen.json").exists()


def test_screen_resumes_without_redoing_finished_partitions(dask_threads_client, tmp_path):
    model = save_mean_model(tmp_path / "mean.skmodel")
    lig, smiles = _ligands(tmp_path, 7)
    out = tmp_path / "out"
    kw = dict(model=model, client=dask_threads_client, partition_size=2, trust_pickle=True)
    first = screen(lig, METALS, out, csv=True, top_k=2, selectivity=("Cu2+", "Ni2+"), **kw)
    assert (first.n_partitions, first.n_computed, first.n_skipped) == (4, 4, 0)
    assert first.n_pairs == 21 and first.n_errors == 3  # C1CC with each metal
    assert first.n_warnings == 6  # Fe3+ (not trained) for each valid ligand
    table = first.read()
    _check_complete(table, smiles)
    assert table["ligand_id"].tolist()[::3] == [f"L{i}" for i in range(7)]
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "pairs.csv", keep_default_na=False, na_values=[""]).fillna(
            {"error": "", "warning": ""}
        )[["ligand_index", "metal", "log_beta_1"]],
        table[["ligand_index", "metal", "log_beta_1"]],
    )
    assert first.top_k["metal"].tolist() == ["Cu2+", "Cu2+", "Ni2+", "Ni2+", "Fe3+", "Fe3+"]
    np.testing.assert_allclose(first.selectivity["selectivity"], [3.0] * 2)
    assert read_manifest(out)["n_pairs"] == 21

    files = sorted((out / "pairs").iterdir())
    stamps = {p.name: p.stat().st_mtime_ns for p in files}
    again = screen(lig, METALS, out, **kw)
    assert (again.n_computed, again.n_skipped, again.tasks) == (0, 4, [])
    assert {p.name: p.stat().st_mtime_ns for p in files} == stamps  # nothing rewritten

    (out / "pairs" / "part-000001.parquet").unlink()
    stray = out / "pairs" / ".part-000002.parquet.deadbeef.tmp"
    stray.write_bytes(b"the half of a file a lost worker was writing")
    third = screen(lig, METALS, out, **kw)
    assert third.n_computed == 1 and [t["partition"] for t in third.tasks] == [1]
    assert not stray.exists()
    pd.testing.assert_frame_equal(third.read(), table)

    with pytest.raises(InputError, match="other inputs \\(different metals\\)"):
        screen(lig, ["Cu2+", "Ni2+"], out, **kw)


def test_a_model_that_fails_everywhere_stops_the_screen(dask_threads_client, tmp_path):
    model = save_mean_model(tmp_path / "broken.joblib", BrokenRegressor())
    lig, _ = _ligands(tmp_path, 4)
    with pytest.raises(ModelFileError, match="model failed on every row of partition"):
        screen(
            lig,
            METALS,
            tmp_path / "out",
            model=model,
            client=dask_threads_client,
            trust_pickle=True,
        )
    assert not list((tmp_path / "out" / "pairs").glob("part-*"))


def test_screen_survives_a_killed_worker(dask_client, tmp_path):
    """Kill one of the two worker processes mid-screen: Dask reruns its task elsewhere."""
    model = save_mean_model(tmp_path / "slow.joblib", SlowMeanRegressor(delay=0.4))
    lig, smiles = _ligands(tmp_path, 12)
    out = tmp_path / "out"
    dask_client.wait_for_workers(2, timeout=120)
    killed: dict = {}

    def kill_one_busy_worker():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = len(list((out / "pairs").glob("part-*.parquet")))
            busy = {w: k for w, k in dask_client.processing().items() if k}
            if done >= 2 and busy:
                victim = sorted(busy)[0]
                pid = dask_client.run(os.getpid, workers=[victim])[victim]
                os.kill(pid, signal.SIGKILL)
                killed.update(pid=pid, done=done, running=list(busy[victim]))
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_one_busy_worker, daemon=True)
    watcher.start()
    result = screen(
        lig, METALS, out, model=model, client=dask_client, partition_size=1, trust_pickle=True
    )
    watcher.join(timeout=10)
    assert killed, "no worker was killed: the screen finished too early"
    assert killed["done"] < 12 and killed["running"]  # killed mid-screen, while working
    assert result.n_partitions == 12 and result.n_skipped + result.n_computed == 12
    _check_complete(result.read(), smiles)
    assert killed["pid"] not in dask_client.run(os.getpid).values()


def test_a_cluster_without_workers_is_refused(tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    screen_mod = importlib.import_module("skmetalpka.scale.screen")

    monkeypatch.setattr(screen_mod, "_WAIT_FOR_WORKERS_S", 0.5)
    model = save_mean_model(tmp_path / "mean.skmodel")
    lig, _ = _ligands(tmp_path, 2)
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as cluster:
        with Client(cluster) as client:
            with pytest.raises(InputError, match="no Dask worker joined the scheduler"):
                screen(lig, METALS, tmp_path / "out", model=model, client=client, trust_pickle=True)
