"""Optuna tuning (skmetalpka.tuning, ``skmetalpka tune``) and scikit-learn searches on the pipeline.

Every fit here is tiny (hidden width 16, 2-3 epochs, MINTEQ or the TINY table) so that the file
runs in seconds; the point is the wiring (search space, pruning callback, grouped objective,
storage shared by concurrent processes, exported parameters), not the accuracy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import optuna
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, GroupKFold

from skmetalpka import default_pipeline, load_minteq
from skmetalpka.cli import main
from skmetalpka.io import load_params
from skmetalpka.metrics import SCORERS, masked_rmse
from skmetalpka.selection import _threads_per_job, grouped_cv
from skmetalpka.tuning import (
    SEARCH_SPACE,
    STEP_STRIDE,
    GroupedCVObjective,
    OptunaPruning,
    best_params,
    export_best_params,
    make_pruner,
    make_storage,
    suggest_params,
    trials_frame,
    tune,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)

#: Smallest sensible network: each fit takes a fraction of a second.
SMALL = {"max_epochs": 2, "encoder_depth": 1, "hidden_dim": 16, "heads": 2, "star_layers": 1}


@pytest.fixture(scope="module")
def minteq():
    X, y = load_minteq()
    return X, y


def _tiny(path):
    df = pd.read_csv(path)
    return df[["metal", "smiles"]], df[["log_beta_1", "log_beta_2"]].to_numpy(float)


# ------------------------------------------------------------------------- search space
def test_suggest_params_covers_the_space_and_builds_a_pipeline():
    values = {
        "encoder_depth": 2,
        "head_dim": 32,
        "heads": 4,
        "star_layers": 3,
        "site_mode": "hard",
        "backbone": "global",
        "dropout": 0.1,
        "lr": 1e-3,
        "weight_decay": 1e-4,
        "batch_size": 32,
        "max_epochs": 50,
    }
    assert set(values) == set(SEARCH_SPACE)
    params = suggest_params(optuna.trial.FixedTrial(values))
    assert params["hidden_dim"] == 128 and "head_dim" not in params  # 32 per head x 4 heads
    pipe = default_pipeline(**params)
    model = pipe.named_steps["model"]
    assert (model.encoder_depth, model.star_layers, model.site_mode) == (2, 3, "hard")
    assert (model.backbone, model.lr, model.batch_size, model.max_epochs) == (
        "global",
        1e-3,
        32,
        50,
    )


def test_fixed_params_are_not_searched_and_win():
    trial = optuna.trial.FixedTrial({"dropout": 0.3, "lr": 1e-3, "weight_decay": 1e-4})
    fixed = {**SMALL, "site_mode": "soft", "backbone": "none", "batch_size": 64}
    params = suggest_params(trial, fixed)
    assert params == {**fixed, "dropout": 0.3, "lr": 1e-3, "weight_decay": 1e-4}


def test_storage_and_pruner_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="database URL"):
        make_storage(str(tmp_path / "tune.db"))
    assert isinstance(make_storage(f"sqlite:///{tmp_path / 'a.db'}"), optuna.storages.RDBStorage)
    assert isinstance(make_pruner("median"), optuna.pruners.MedianPruner)
    assert isinstance(make_pruner("halving"), optuna.pruners.SuccessiveHalvingPruner)
    with pytest.raises(ValueError, match="pruner must be one of"):
        make_pruner("hyperband?")


# ------------------------------------------------------------------------- pruning callback
class _RecordingTrial:
    """Stands in for an Optuna trial: records reports, asks to prune after ``prune_after``."""

    def __init__(self, prune_after: int) -> None:
        self.reports: list[tuple[int, float]] = []
        self.prune_after = prune_after

    def report(self, value: float, step: int) -> None:
        self.reports.append((step, value))

    def should_prune(self) -> bool:
        return len(self.reports) >= self.prune_after


def test_pruning_callback_reports_every_epoch_and_stops_training(tiny_csv):
    X, y = _tiny(tiny_csv)
    trial = _RecordingTrial(prune_after=2)
    cb = OptunaPruning(trial, step_offset=STEP_STRIDE)
    pipe = default_pipeline(**{**SMALL, "max_epochs": 10}, callbacks=[("prune", cb)])
    with pytest.raises(optuna.TrialPruned, match="pruned at step 10002"):
        pipe.fit(X, y)
    net = pipe.named_steps["model"]
    assert len(net.history) == 2  # stopped after the second epoch, not the tenth
    assert [s for s, _ in trial.reports] == [STEP_STRIDE + 1, STEP_STRIDE + 2]
    assert [v for _, v in trial.reports] == [
        net.history[0, "valid_rmse"],
        net.history[1, "valid_rmse"],
    ]


def test_objective_prunes_with_a_real_pruner(minteq):
    X, y = minteq
    objective = GroupedCVObjective(X, y, n_splits=2, fixed_params=SMALL)
    study = optuna.create_study(pruner=optuna.pruners.ThresholdPruner(upper=0.0))
    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    assert trial.state == optuna.trial.TrialState.PRUNED
    assert list(trial.intermediate_values) == [1]  # the first epoch of fold 0


# ------------------------------------------------------------------------- objective and study
def test_objective_value_is_the_pooled_out_of_fold_rmse(minteq):
    X, y = minteq
    objective = GroupedCVObjective(X, y, n_splits=2, fixed_params=SMALL, random_state=3)
    params = {"dropout": 0.1, "lr": 1e-3, "weight_decay": 1e-4, "site_mode": "soft"}
    params.update({"backbone": "per_ligand", "batch_size": 64})
    study = optuna.create_study(pruner=optuna.pruners.NopPruner())
    study.enqueue_trial(params)
    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    # the same grouped CV by hand gives the same number
    models = {"gnn": default_pipeline(**SMALL, **params, random_state=3)}
    cv = grouped_cv(models, X, y, groups="ligand", n_splits=2)
    expected = masked_rmse(y, cv.predictions["gnn"], missing_pred="ignore")
    assert trial.value == pytest.approx(expected, rel=1e-6)
    assert trial.user_attrs["rmse"] == trial.value
    assert len(trial.user_attrs["fold_rmse"]) == 2
    assert trial.user_attrs["params"] == {**SMALL, **params}
    # two folds, SMALL's 2 epochs each: steps 1, 2, 10001, 10002
    assert sorted(trial.intermediate_values) == [1, 2, STEP_STRIDE + 1, STEP_STRIDE + 2]


def test_tune_resumes_a_study_and_exports_params_for_fit(minteq, tmp_path):
    X, y = minteq
    url = f"sqlite:///{tmp_path / 'tune.db'}"
    kw = dict(storage=url, study_name="s", n_splits=2, fixed_params=SMALL, sampler_seed=0)
    study = tune(X, y, n_trials=2, data_source="minteq", **kw)
    study = tune(X, y, n_trials=1, data_source="minteq", **kw)  # joins the same study
    assert len(study.trials) == 3
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    frame = trials_frame(study)
    assert list(frame["trial"]) == [0, 1, 2] and frame["value"].notna().all()
    best = export_best_params(study, tmp_path / "best.json")
    assert best == study.best_trial.user_attrs["params"] == best_params(study)
    assert load_params(tmp_path / "best.json") == best  # the _study record is left out
    assert json.loads((tmp_path / "best.json").read_text())["_study"][
        "best_value"
    ] == pytest.approx(study.best_value)
    # a worker with other settings is refused rather than mixing incomparable values
    with pytest.raises(ValueError, match="other settings .*n_splits"):
        tune(X, y, n_trials=1, data_source="minteq", **{**kw, "n_splits": 3})
    with pytest.raises(ValueError, match="give n_trials or timeout"):
        tune(X, y, n_trials=None, **kw)


def test_best_params_without_a_completed_trial_says_so():
    study = optuna.create_study()
    with pytest.raises(ValueError, match="no completed trial"):
        best_params(study)


# ------------------------------------------------------------------------- CLI
def test_cli_tune_then_fit_with_exported_params(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    best = tmp_path / "best.json"
    args = [
        "tune",
        "--data",
        "minteq",
        "--trials",
        "2",
        "--storage",
        url,
        "--study",
        "c",
        "--folds",
        "2",
    ]
    args += ["--params", json.dumps(SMALL), "--export", str(best), "--sampler-seed", "1"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "2 trials, 2 complete, 0 pruned, 0 failed" in out
    assert "trial 1 complete value" in err and "best" in err
    params = load_params(best)
    assert {k: params[k] for k in SMALL} == SMALL
    model = tmp_path / "m.skmodel"
    assert (
        main(["fit", "--data", "minteq", "--params", str(best), "--out", str(model), "--quiet"])
        == 0
    )
    assert "saved gnn model" in capsys.readouterr().out


def test_cli_tune_argument_errors(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    assert main(["tune", "--data", "minteq", "--storage", url]) == 2
    assert "give --trials N or --timeout S" in capsys.readouterr().err
    assert (
        main(["tune", "--data", "minteq", "--trials", "1", "--folds", "1", "--storage", url]) == 2
    )
    assert "--folds must be at least 2" in capsys.readouterr().err
    assert main(["tune", "--data", "minteq", "--trials", "1", "--storage", "tune.db"]) == 2
    assert "database URL" in capsys.readouterr().err


def test_two_concurrent_workers_share_one_study(tmp_path):
    """Two ``skmetalpka tune`` processes started together on one new SQLite file."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    cmd = [sys.executable, "-m", "skmetalpka", "tune", "--data", "minteq", "--trials", "2"]
    cmd += ["--storage", url]
    cmd += ["--study", "shared", "--folds", "2", "--params", json.dumps(SMALL), "--quiet"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    study = optuna.load_study(study_name="shared", storage=url)
    states = [t.state for t in study.trials]
    assert len(states) == 4, states  # 2 + 2: none lost
    assert all(s == optuna.trial.TrialState.COMPLETE for s in states)
    assert sorted(t.number for t in study.trials) == [0, 1, 2, 3]


# ------------------------------------------------------------------------- sklearn searches
def test_grid_search_on_the_pipeline_with_groups(minteq):
    X, y = minteq
    groups = X["smiles"].to_numpy()
    grid = GridSearchCV(
        default_pipeline(**SMALL),
        {"model__lr": [1e-4, 3e-3]},
        scoring=SCORERS["neg_rmse_beta"],
        cv=GroupKFold(n_splits=2),
        error_score="raise",
    )
    grid.fit(X, y, groups=groups)
    scores = grid.cv_results_["mean_test_score"]
    assert np.all(np.isfinite(scores)) and np.all(scores < 0)
    assert grid.best_params_["model__lr"] == [1e-4, 3e-3][int(np.argmax(scores))]
    assert grid.predict(X.iloc[:3]).shape == (3, y.shape[1])


def test_optuna_search_cv_on_the_pipeline_with_groups(minteq):
    from optuna_integration import OptunaSearchCV

    X, y = minteq
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OptunaSearchCV is marked experimental
        search = OptunaSearchCV(
            default_pipeline(**SMALL),
            {
                "model__lr": optuna.distributions.FloatDistribution(1e-4, 3e-3, log=True),
                "model__site_mode": optuna.distributions.CategoricalDistribution(["soft", "hard"]),
            },
            scoring=SCORERS["neg_rmse_beta1"],
            cv=GroupKFold(n_splits=2),
            n_trials=2,
            random_state=0,
            error_score="raise",
        )
        search.fit(X, y, groups=X["smiles"].to_numpy())
    assert len(search.trials_) == 2
    assert np.isfinite(search.best_score_) and search.best_score_ < 0
    assert set(search.best_params_) == {"model__lr", "model__site_mode"}


# ------------------------------------------------------------------------- parallel CV threads
class _ThreadCounter:
    """Predicts the number of torch threads of the process it runs in."""

    def get_params(self, deep: bool = True) -> dict:
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        return self

    def predict(self, X):
        import torch

        return np.full((len(X), 1), float(torch.get_num_threads()))


def test_parallel_cv_gives_each_worker_its_share_of_the_cores(tiny_csv):
    X, y = _tiny(tiny_csv)
    res = grouped_cv({"threads": _ThreadCounter()}, X, y, n_splits=2, n_jobs=2)
    expected = max(1, (os.cpu_count() or 1) // 2)
    assert _threads_per_job(2) == expected
    np.testing.assert_array_equal(res.predictions["threads"][:, 0], expected)
