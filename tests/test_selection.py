"""Tests for skmetalpka.selection: grouped CV with shared folds, seeding, model evaluation."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from joblib import parallel_config

from skmetalpka.baselines import MetalMeanRegressor
from skmetalpka.metrics import evaluate
from skmetalpka.selection import (
    CVResult,
    build_model,
    evaluate_model,
    format_markdown_table,
    grouped_cv,
    make_groups,
    set_random_state,
)

# two rows per metal; with metal groups and 3 folds each metal is one test fold, and the
# per-metal mean model predicts the mean of the other metals' rows (metal unseen).
X6 = pd.DataFrame(
    {
        "metal": ["Cu2+", "Cu2+", "Ni2+", "Ni2+", "Zn2+", "Zn2+"],
        "smiles": ["NCCN", "NCC(=O)O", "NCCN", "NCC(=O)O", "NCCN", "OC(=O)C(=O)O"],
    }
)
Y6 = np.array([[4.0, 8.0], [6.0, np.nan], [2.0, 5.0], [4.0, np.nan], [8.0, 15.0], [10.0, 17.0]])


def test_grouped_cv_by_metal_hand_computed():
    res = grouped_cv({"mean": MetalMeanRegressor()}, X6, Y6, groups="metal", n_splits=3)
    assert isinstance(res, CVResult) and res.model_names == ["mean"]
    # each metal is alone in its test fold
    for metal in ("Cu2+", "Ni2+", "Zn2+"):
        sel = (X6["metal"] == metal).to_numpy()
        assert len(set(res.folds[sel])) == 1
    assert sorted(res.fold_sizes) == [2, 2, 2]
    pred = res.predictions["mean"]
    # beta_1: Cu <- mean(2,4,8,10)=6, Ni <- mean(4,6,8,10)=7, Zn <- mean(4,6,2,4)=4
    np.testing.assert_allclose(pred[:, 0], [6, 6, 7, 7, 4, 4])
    # beta_2: Cu <- mean(5,15,17)=37/3, Ni <- mean(8,15,17)=40/3, Zn <- mean(8,5)=6.5
    np.testing.assert_allclose(pred[:, 1], [37 / 3, 37 / 3, 40 / 3, 40 / 3, 6.5, 6.5])
    m1 = res.metrics["mean"]["beta"]["steps"]["1"]
    # errors 2, 0, 5, 3, -4, -6 -> squares sum 90 over 6
    assert m1["n"] == 6 and m1["rmse"] == pytest.approx(math.sqrt(15))
    assert m1["mae"] == pytest.approx(20 / 6)
    table = res.per_step("mean")
    assert list(table.index) == ["beta_1", "beta_2", "all"]
    assert table.loc["beta_1", "rmse"] == pytest.approx(math.sqrt(15))
    assert table.loc["beta_2", "n"] == 4 and table.loc["all", "n"] == 10


def test_same_folds_for_every_model_and_all_rows_predicted():
    models = {
        "mean": MetalMeanRegressor(),
        "rf": build_model("rf", {"n_estimators": 5}, random_state=0),
    }
    res = grouped_cv(models, X6, Y6, groups="ligand", n_splits=3)
    assert res.group_kind == "ligand"
    for name in models:
        assert np.isfinite(res.predictions[name][:, 0]).all()
        assert res.metrics[name]["n_missing_pred"] == 0
    # a ligand is never on both sides: each ligand in exactly one test fold
    for lig in X6["smiles"].unique():
        assert len(set(res.folds[(X6["smiles"] == lig).to_numpy()])) == 1
    summary = res.summary()
    assert list(summary.index) == ["mean", "rf"]
    assert summary.loc["mean", "n"] == 10
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["n_groups"] == 3 and d["n_splits"] == 3 and sum(d["fold_sizes"]) == 6
    assert len(d["models"]["rf"]["fit_time_s"]) == 3
    md = res.to_markdown(source="tiny")
    assert "## rf" in md and "| beta_1 | 6 | 0 |" in md and "* data: tiny" in md


def test_ligand_groups_are_canonical_and_metal_groups_canonical():
    X = pd.DataFrame(
        {
            "metal": ["Cu2+", "Cu(II)", "Ni2+", "Xx9+"],
            "smiles": ["OCC(=O)O", "C(O)C(=O)O", "NCCN", "not a smiles"],
        }
    )
    lig = make_groups(X, "ligand")
    assert lig[0] == lig[1] != lig[2] and lig[3] == "not a smiles"
    met = make_groups(X, "metal")
    assert met.tolist() == ["Cu2+", "Cu2+", "Ni2+", "Xx9+"]
    np.testing.assert_array_equal(make_groups(X, [1, 1, 2, 2]), [1, 1, 2, 2])
    with pytest.raises(ValueError, match="one label per row"):
        make_groups(X, [1, 2])
    with pytest.raises(ValueError, match="missing label"):
        make_groups(X, [1, None, 2, 2])
    with pytest.raises(ValueError, match="groups must be one of"):
        make_groups(X, "solvent")


def test_grouped_cv_errors():
    with pytest.raises(ValueError, match="cannot make 4 folds from 3 group"):
        grouped_cv({"mean": MetalMeanRegressor()}, X6, Y6, groups="metal", n_splits=4)
    with pytest.raises(ValueError, match="non-empty dict"):
        grouped_cv({}, X6, Y6)
    with pytest.raises(ValueError, match="n_splits must be an integer >= 2"):
        grouped_cv({"mean": MetalMeanRegressor()}, X6, Y6, n_splits=1)
    bad = X6.assign(smiles=["NCCN", "C1CC", "NCCN", "NCC(=O)O", "NCCN", "OC(=O)C(=O)O"])
    with pytest.raises(RuntimeError, match=r"(?s)model .mean. failed in fold \d/3.*C1CC"):
        grouped_cv({"mean": MetalMeanRegressor()}, bad, Y6, groups="metal", n_splits=3)


def test_grouped_cv_array_groups_shuffle_and_parallel_agree():
    groups = np.array(["a", "a", "b", "b", "c", "c"])
    seq = grouped_cv({"mean": MetalMeanRegressor()}, X6, Y6, groups=groups, n_splits=3)
    assert seq.group_kind == "custom"
    with parallel_config(backend="threading"):  # the parallel path, without process start-up
        par = grouped_cv(
            {"mean": MetalMeanRegressor()}, X6, Y6, groups=groups, n_splits=3, n_jobs=2
        )
    np.testing.assert_array_equal(seq.folds, par.folds)
    np.testing.assert_allclose(seq.predictions["mean"], par.predictions["mean"])
    shuffled = grouped_cv(
        {"mean": MetalMeanRegressor()}, X6, Y6, groups=groups, n_splits=3, random_state=1
    )
    for g in "abc":
        assert len(set(shuffled.folds[groups == g])) == 1


def test_build_model_and_seeding():
    rf = build_model("rf", {"n_estimators": 7}, random_state=3)
    assert rf.n_estimators == 7 and rf.random_state == 3
    assert build_model("rf", {"random_state": 5}, random_state=3).random_state == 5
    gnn = build_model("gnn", {"max_epochs": 2}, random_state=11)
    assert gnn.get_params()["model__random_state"] == 11
    assert gnn.get_params()["model__max_epochs"] == 2
    assert set_random_state(MetalMeanRegressor(), 1).get_params() == {"on_error": "raise"}
    with pytest.raises(ValueError, match=r"invalid parameters for model 'rf'.*n_estimators"):
        build_model("rf", {"bogus": 1})
    with pytest.raises(ValueError, match="unknown model 'svm'"):
        build_model("svm")


def test_evaluate_model_counts_unpredicted_rows():
    est = MetalMeanRegressor().fit(X6, Y6)  # means: Cu [5, 8], Ni [3, 5], Zn [9, 16]
    X = pd.concat([X6, pd.DataFrame({"metal": ["Xx9+"], "smiles": ["NCCN"]})], ignore_index=True)
    Y = np.vstack([Y6, [[3.0, np.nan]]])
    res = evaluate_model(est, X, Y)
    assert res["n_rows"] == 7 and res["n_rows_unpredicted"] == 1
    assert res["unpredicted"][0]["row"] == 6 and res["unpredicted"][0]["metal"] == "Xx9+"
    assert res["metrics"]["n_missing_pred"] == 1
    # beta_1 in-sample errors: 1, 1, 1, 1, 1, 1 -> rmse 1; beta_2: 0, 0, 1, 1 -> rmse sqrt(1/2)
    assert res["metrics"]["beta"]["steps"]["1"]["rmse"] == pytest.approx(1.0)
    assert res["metrics"]["beta"]["steps"]["2"]["rmse"] == pytest.approx(math.sqrt(0.5))
    assert res["metrics"]["beta"]["all"]["n"] == 10  # the Xx9+ beta_1 is left out, counted
    ref = evaluate(Y[:6], est.predict(X6))["logk"]["all"]
    assert res["metrics"]["logk"]["all"] == {**ref, "n_missing_pred": 1}


def test_format_markdown_table():
    df = pd.DataFrame({"n": [3, 0], "rmse": [1.23456, float("nan")]}, index=["a", "b"])
    df.index.name = "step"
    assert format_markdown_table(df).splitlines() == [
        "| step | n | rmse |",
        "|---|---|---|",
        "| a | 3 | 1.235 |",
        "| b | 0 | - |",
    ]


def test_same_data_and_seed_give_identical_cv_metrics():
    """Reproducibility: two runs of a GNN + forest CV on a small subset agree exactly."""
    from skmetalpka import load_minteq
    from skmetalpka.selection import build_model

    X, y = load_minteq()
    keep = X["metal"].isin(["Cu2+", "Ni2+", "Zn2+", "Cd2+", "Pb2+", "Co2+"]).to_numpy()
    X, y = X.loc[keep].reset_index(drop=True), y[keep]
    small = {"max_epochs": 3, "hidden_dim": 16, "heads": 2, "encoder_depth": 1}

    def run():
        models = {
            "gnn": build_model("gnn", small, random_state=7),
            "rf": build_model("rf", {"n_estimators": 20}, random_state=7),
        }
        res = grouped_cv(models, X, y, groups="ligand", n_splits=3, random_state=0)
        metrics = {k: v["metrics"] for k, v in res.to_dict()["models"].items()}  # no timings
        return metrics, res.predictions

    (m1, p1), (m2, p2) = run(), run()
    assert json.dumps(m1, sort_keys=True) == json.dumps(m2, sort_keys=True)
    for name in p1:
        np.testing.assert_array_equal(p1[name], p2[name])
