"""EnsembleRegressor: seeded members, mean and spread."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone

from skmetalpka.datasets import load_minteq
from skmetalpka.model.ensemble import EnsembleRegressor, seed_estimator
from skmetalpka.pipelines import default_pipeline

SMALL = dict(hidden_dim=16, encoder_depth=1, star_layers=1, heads=2, max_epochs=2)


def test_seed_estimator_sets_nested_random_states():
    pipe = default_pipeline(random_state=0)
    seed_estimator(pipe, 7)
    assert pipe.get_params()["model__random_state"] == 7


def test_members_differ_and_mean_is_their_average():
    X, y = load_minteq()
    X, y = X.iloc[:80], y[:80]
    ens = EnsembleRegressor(default_pipeline(**SMALL), n_members=2, random_state=5).fit(X, y)
    assert len(ens.estimators_) == 2
    assert ens.n_steps_ == y.shape[1]
    seeds = [m.named_steps["model"].random_state for m in ens.estimators_]
    assert seeds == [5, 6]
    p0, p1 = (m.predict(X) for m in ens.estimators_)
    assert not np.allclose(p0, p1)
    mean, std = ens.predict(X, return_std=True)
    np.testing.assert_allclose(mean, (p0 + p1) / 2)
    np.testing.assert_allclose(std, np.abs(p0 - p1) / 2, atol=1e-12)
    assert clone(ens).get_params()["n_members"] == 2


def test_requires_estimator_and_members():
    X, y = load_minteq()
    with pytest.raises(ValueError, match="estimator"):
        EnsembleRegressor().fit(X, y)
    with pytest.raises(ValueError, match="n_members"):
        EnsembleRegressor(default_pipeline(), n_members=0).fit(X, y)


def test_make_model_builds_ensemble():
    from skmetalpka.pipelines import make_model

    ens = make_model("gnn", n_members=3, n_jobs=2, random_state=4, hidden_dim=16, heads=2)
    assert isinstance(ens, EnsembleRegressor)
    assert ens.n_members == 3 and ens.random_state == 4 and ens.n_jobs == 2
    assert ens.estimator.get_params()["model__hidden_dim"] == 16
    assert not isinstance(make_model("gnn"), EnsembleRegressor)


def test_shared_featurisation_gives_same_result_as_member_pipelines():
    from skmetalpka.model.ensemble import _shared_featurisation

    X, y = load_minteq()
    X, y = X.iloc[:60], y[:60]
    ens = EnsembleRegressor(default_pipeline(**SMALL), n_members=2).fit(X, y)
    assert _shared_featurisation(ens.estimators_)
    slow = np.mean([m.predict(X) for m in ens.estimators_], axis=0)
    np.testing.assert_allclose(ens.predict(X), slow)


def test_std_calibration_per_family_and_metal_novelty():
    """Calibrated sigma: a larger floor for an unseen metal's family, fitted by likelihood."""
    from skmetalpka.model.calibration import (
        apply_std_calibration,
        calibration_cells,
        fit_std_calibration,
    )

    rng = np.random.default_rng(0)
    n = 400
    metals = np.array(["Cu2+"] * n + ["Gd3+"] * n, dtype=object)
    spread = np.full(2 * n, 0.2)
    cells = calibration_cells(metals, known_metals=["Cu2+"])
    assert set(cells) == {"3d transition|seen", "rare earth|unseen"}
    err = np.r_[rng.normal(0, 0.5, n), rng.normal(0, 2.0, n)]  # seen: 0.5, unseen: 2.0
    cal = fit_std_calibration(err, np.zeros(2 * n), spread, cells, min_count=30)
    sd = apply_std_calibration(np.array([0.2, 0.2]), ["Cu2+", "Gd3+"], ["Cu2+"], cal)
    assert sd[0] == pytest.approx(0.5, rel=0.15) and sd[1] == pytest.approx(2.0, rel=0.15)
    # an unknown cell (an actinide, unseen) falls back to the pooled unseen fit
    sd_u = apply_std_calibration(np.array([0.2]), ["Th4+"], ["Cu2+"], cal)
    assert sd_u[0] == pytest.approx(2.0, rel=0.15)
    import json

    json.dumps(cal)  # plain JSON: safe to store in a model file
