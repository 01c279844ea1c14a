"""Training on a Dask cluster through joblib: ensembles, grouped CV, sklearn CV and search.

``joblib.parallel_config(backend="dask")`` sends the parallel fits of skmetalpka and
scikit-learn to the workers of the active Dask client, without code changes; each fit takes
the thread budget of the worker it runs on (:mod:`skmetalpka._threads`), not the share the
caller computed from its own cores.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from distributed import get_task_stream
from joblib import parallel_config
from scale_helpers import ThreadCounter
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate

from skmetalpka._threads import dask_worker_threads, job_threads
from skmetalpka.baselines import FingerprintForestRegressor, MetalMeanRegressor
from skmetalpka.datasets import load_minteq
from skmetalpka.model.ensemble import EnsembleRegressor
from skmetalpka.pipelines import default_pipeline
from skmetalpka.selection import _threads_per_job, grouped_cv

TINY_GNN = dict(hidden_dim=8, encoder_depth=1, star_layers=1, heads=1, max_epochs=1)


def _data(n=36):
    X, y = load_minteq()
    return X.iloc[:n].reset_index(drop=True), y[:n]


def test_outside_a_dask_worker_the_planned_share_is_kept():
    assert dask_worker_threads() is None
    assert job_threads(3) == 3 and job_threads(None) is None


def test_fits_on_dask_workers_use_the_workers_budget_not_the_callers_cores(
    dask_client, monkeypatch
):
    X, y = _data(12)
    X = X.assign(group=np.arange(12) % 3)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)  # the caller: a big machine
    assert _threads_per_job(2) == 32  # the share planned for 2 local jobs
    with get_task_stream(dask_client) as stream, parallel_config(backend="dask"):
        remote = grouped_cv({"t": ThreadCounter()}, X, y, groups=X["group"], n_splits=3, n_jobs=2)
    assert len(stream.data) >= 3  # the three folds ran as tasks on the workers
    # on a worker: OMP_NUM_THREADS=1 set by the Dask nanny, one thread per task (not 32)
    np.testing.assert_array_equal(remote.predictions["t"][:, 0], 1.0)
    assert set(dask_client.run(lambda: __import__("torch").get_num_threads()).values()) == {1}


def test_ensemble_cv_and_search_on_dask_match_local_results(dask_client):
    X, y = _data()
    groups = X["metal"].to_numpy()
    ens = EnsembleRegressor(default_pipeline(**TINY_GNN, random_state=0), n_members=2, n_jobs=2)
    forest = FingerprintForestRegressor(n_estimators=5, n_bits=256, random_state=0)
    search = GridSearchCV(
        FingerprintForestRegressor(n_bits=256, random_state=0),
        {"n_estimators": [3, 6]},
        cv=GroupKFold(n_splits=2),
        n_jobs=2,
    )

    def run():
        fitted = ens.fit(X, y).predict(X)
        cv = grouped_cv(
            {"mean": MetalMeanRegressor(), "rf": forest}, X, y, groups="metal", n_splits=2, n_jobs=2
        )
        scores = cross_validate(forest, X, y, groups=groups, cv=GroupKFold(n_splits=2), n_jobs=2)[
            "test_score"
        ]
        best = search.fit(X, y, groups=groups).best_params_
        return fitted, cv, scores, best

    # the reference: one fit after the other in this process (threads would share torch's
    # global random state between concurrently seeded members)
    with parallel_config(backend="sequential"):
        local = run()
    with get_task_stream(dask_client) as stream, parallel_config(backend="dask"):
        remote = run()
    # 2 members + 4 (model, fold) fits + 2 CV fits + 4 search fits, at least
    assert len(stream.data) >= 12
    np.testing.assert_allclose(remote[0], local[0], rtol=1e-6)
    for name in ("mean", "rf"):
        np.testing.assert_allclose(remote[1].predictions[name], local[1].predictions[name])
    np.testing.assert_allclose(remote[2], local[2])
    assert remote[3] == local[3]
    assert isinstance(remote[1].summary(), pd.DataFrame)
