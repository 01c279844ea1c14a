"""Tests for skmetalpka.metrics (hand-computed values on small ragged arrays)."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_validate

from skmetalpka.metrics import (
    SCORERS,
    evaluate,
    make_masked_scorer,
    masked_bias,
    masked_mae,
    masked_r2,
    masked_rmse,
    per_group_report,
    per_step_report,
    scoring_dict,
    to_cumulative,
    to_stepwise,
)

nan = np.nan

# Rows of different lengths (1, 2 and 3 measured steps).
Y_TRUE = np.array(
    [
        [10.0, 18.0, nan],
        [5.0, nan, nan],
        [8.0, 14.0, 19.0],
    ]
)
# Four prediction columns: the 4th (and entries where y_true is NaN) must be ignored.
Y_PRED = np.array(
    [
        [11.0, 17.0, 25.0, 99.0],
        [5.0, 7.0, 1.0, 2.0],
        [8.0, 16.0, 19.0, 0.0],
    ]
)
# beta errors (pred - true) on the 6 measured entries: +1, -1 | 0 | 0, +2, 0
# logk true: [10, 8, .], [5, ., .], [8, 6, 5]; logk pred: [11, 6, .], [5, ., .], [8, 8, 3]
# logk errors: +1, -2 | 0 | 0, +2, -2


# --------------------------------------------------------------------------- conversions
def test_to_stepwise_with_gaps():
    beta = np.array([[4.0, 9.0, 12.5], [4.0, nan, 9.0], [nan, 12.0, 15.0], [7.0, nan, nan]])
    expected = np.array([[4.0, 5.0, 3.5], [4.0, nan, nan], [nan, nan, 3.0], [7.0, nan, nan]])
    np.testing.assert_array_equal(to_stepwise(beta), expected)


def test_to_cumulative_nan_propagates_and_round_trip():
    logk = np.array([[4.0, nan, 5.0], [3.0, 2.0, -0.5]])
    np.testing.assert_array_equal(to_cumulative(logk), [[4.0, nan, nan], [3.0, 5.0, 4.5]])
    beta = np.array([[4.0, 9.0, 12.5], [6.0, 10.0, nan], [2.0, nan, nan]])
    np.testing.assert_allclose(to_cumulative(to_stepwise(beta)), beta)
    # does not modify its input
    before = beta.copy()
    to_stepwise(beta)
    np.testing.assert_array_equal(beta, before)


def test_one_dimensional_input_is_one_step():
    assert to_stepwise([1.0, 2.0]).shape == (2, 1)
    assert masked_rmse([1.0, 2.0, nan], [2.0, 2.0, 5.0]) == pytest.approx(math.sqrt(0.5))


# --------------------------------------------------------------------------- scalar metrics
def test_beta_metrics_hand_computed():
    assert masked_rmse(Y_TRUE, Y_PRED) == pytest.approx(1.0)  # sqrt(6 / 6)
    assert masked_mae(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    assert masked_bias(Y_TRUE, Y_PRED) == pytest.approx(2 / 6)
    # pooled true values 10, 18, 5, 8, 14, 19: SS_tot = 1070 - 74^2/6 = 472/3; SS_res = 6
    assert masked_r2(Y_TRUE, Y_PRED) == pytest.approx(227 / 236)


def test_per_step_metrics_hand_computed():
    assert masked_rmse(Y_TRUE, Y_PRED, step=1) == pytest.approx(math.sqrt(1 / 3))
    assert masked_rmse(Y_TRUE, Y_PRED, step=2) == pytest.approx(math.sqrt(5 / 2))
    assert masked_mae(Y_TRUE, Y_PRED, step=2) == pytest.approx(1.5)
    assert masked_bias(Y_TRUE, Y_PRED, step=2) == pytest.approx(0.5)
    assert masked_rmse(Y_TRUE, Y_PRED, step=3) == 0.0
    # step 2 true values 18, 14: SS_tot = 8, SS_res = 1 + 4 = 5
    assert masked_r2(Y_TRUE, Y_PRED, step=2) == pytest.approx(1 - 5 / 8)


def test_logk_metrics_hand_computed():
    assert masked_rmse(Y_TRUE, Y_PRED, kind="logk") == pytest.approx(math.sqrt(13 / 6))
    assert masked_mae(Y_TRUE, Y_PRED, kind="logk") == pytest.approx(7 / 6)
    assert masked_bias(Y_TRUE, Y_PRED, kind="logk") == pytest.approx(-1 / 6)
    assert masked_rmse(Y_TRUE, Y_PRED, kind="logk", step=2) == pytest.approx(2.0)
    assert masked_bias(Y_TRUE, Y_PRED, kind="logk", step=3) == pytest.approx(-2.0)


def test_reuse_beta1_for_every_step_scores_worse():
    """Classic bug: a model that copies one target (beta_1) into every step."""
    reuse = np.repeat(Y_TRUE[:, :1], 3, axis=1)
    # errors on measured entries: 0, -8 | 0 | 0, -6, -11
    assert masked_rmse(Y_TRUE, reuse) == pytest.approx(math.sqrt(221 / 6))
    assert masked_rmse(Y_TRUE, Y_TRUE) == 0.0
    assert masked_rmse(Y_TRUE, reuse) > masked_rmse(Y_TRUE, Y_PRED) > 0.0
    # it is perfect on step 1 and only the later steps reveal the bug
    assert masked_rmse(Y_TRUE, reuse, step=1) == 0.0
    assert masked_rmse(Y_TRUE, reuse, step=2) == pytest.approx(math.sqrt(50))
    # stepwise it predicts log K_2 = 0 (true 8, 6)
    assert masked_rmse(Y_TRUE, reuse, kind="logk", step=2) == pytest.approx(math.sqrt(50))
    assert masked_r2(Y_TRUE, reuse, step=2) < 0


def test_predictions_shifted_by_one_step():
    """Classic bug: output column n compared with step n+1 (a leading beta_0 = 0)."""
    full = np.array([[10.0, 18.0, 24.0], [5.0, 9.0, 12.0], [8.0, 14.0, 19.0]])
    np.testing.assert_array_equal(masked_rmse(Y_TRUE, full), 0.0)
    shifted = np.column_stack([np.zeros(3), full[:, :2]])
    # beta errors: -10, -8 | -5 | -8, -6, -5 -> 314 / 6
    assert masked_rmse(Y_TRUE, shifted) == pytest.approx(math.sqrt(314 / 6))
    # logk pred [0, 10, 8], [0, 5, 4], [0, 8, 6]; errors -10, 2 | -5 | -8, 2, 1 -> 198 / 6
    assert masked_rmse(Y_TRUE, shifted, kind="logk") == pytest.approx(math.sqrt(33))
    # the other direction: column n holds beta_(n+1); the last column repeats beta_N
    shifted_left = np.column_stack([full[:, 1:], full[:, 2]])
    # errors 8, 6 | 4 | 6, 5, 0 -> 64 + 36 + 16 + 36 + 25 = 177
    assert masked_rmse(Y_TRUE, shifted_left) == pytest.approx(math.sqrt(177 / 6))


# --------------------------------------------------------------------------- alignment
def test_fewer_prediction_columns_than_measured_steps_raises():
    with pytest.raises(ValueError, match=r"step\(s\) \[3\].*at least 3 steps"):
        masked_rmse(Y_TRUE, Y_PRED[:, :2])


def test_fewer_prediction_columns_ok_when_extra_steps_unmeasured():
    y = np.column_stack([Y_TRUE, np.full(3, nan)])  # 4th step never measured
    assert masked_rmse(y, Y_PRED[:, :3]) == pytest.approx(1.0)
    assert masked_rmse(y, Y_PRED[:, :3], step=3) == 0.0


def test_row_mismatch_and_bad_arguments():
    with pytest.raises(ValueError, match="3 rows but y_pred has 2"):
        masked_rmse(Y_TRUE, Y_PRED[:2])
    with pytest.raises(ValueError, match="step=4 is out of range"):
        masked_rmse(Y_TRUE, Y_PRED, step=4)
    with pytest.raises(ValueError, match="step=0 is out of range"):
        masked_rmse(Y_TRUE, Y_PRED, step=0)
    with pytest.raises(ValueError, match="kind must be one of"):
        masked_rmse(Y_TRUE, Y_PRED, kind="K")
    with pytest.raises(ValueError, match="missing_pred must be one of"):
        masked_rmse(Y_TRUE, Y_PRED, missing_pred="drop")
    with pytest.raises(ValueError, match="inf"):
        masked_rmse(Y_TRUE, np.where(Y_PRED > 20, np.inf, Y_PRED))


# --------------------------------------------------------------------------- missing predictions
def test_missing_prediction_raises_by_default():
    pred = Y_PRED.copy()
    pred[2, 1] = nan  # a measured entry
    with pytest.raises(ValueError, match=r"NaN for 1 measured beta entry.*rows: \[2\]"):
        masked_rmse(Y_TRUE, pred)
    with pytest.raises(ValueError, match="missing_pred='ignore'"):
        per_step_report(Y_TRUE, pred)
    # a NaN prediction for an unmeasured entry is not an error
    pred2 = Y_PRED.copy()
    pred2[1, 1] = nan
    assert masked_rmse(Y_TRUE, pred2) == pytest.approx(1.0)
    # and a step that does not contain the NaN is still scored
    assert masked_rmse(Y_TRUE, pred, step=1) == pytest.approx(math.sqrt(1 / 3))


def test_missing_prediction_ignored_and_counted():
    pred = Y_PRED.copy()
    pred[2, 1] = nan  # drop the +2 error of row 2, step 2
    assert masked_rmse(Y_TRUE, pred, missing_pred="ignore") == pytest.approx(math.sqrt(2 / 5))
    rep = per_step_report(Y_TRUE, pred, missing_pred="ignore")
    assert rep.loc[2, "n"] == 1 and rep.loc[2, "n_missing_pred"] == 1
    assert rep.loc["all", "n"] == 5 and rep.loc["all", "n_missing_pred"] == 1
    # logk: the missing beta_2 makes log K_2 and log K_3 of row 2 unpredicted
    rep_k = per_step_report(Y_TRUE, pred, kind="logk", missing_pred="ignore")
    assert rep_k.loc["all", "n_missing_pred"] == 2
    res = evaluate(Y_TRUE, pred, missing_pred="ignore")
    assert res["n_missing_pred"] == 1
    assert res["logk"]["all"]["n_missing_pred"] == 2


def test_no_measured_entry_returns_nan_with_warning():
    y = np.array([[1.0, nan], [2.0, nan]])
    with pytest.warns(UndefinedMetricWarning, match="no measured beta entry for step 2"):
        assert math.isnan(masked_rmse(y, [[1.0, 2.0], [2.0, 3.0]], step=2))
    with pytest.warns(UndefinedMetricWarning, match="zero variance"):
        assert math.isnan(masked_r2([[3.0], [3.0]], [[3.0], [4.0]]))
    # the reports do not warn; n = 0 explains the NaN
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rep = per_step_report(y, [[1.0, 2.0], [2.0, 3.0]])
    assert rep.loc[2, "n"] == 0 and math.isnan(rep.loc[2, "rmse"])


# --------------------------------------------------------------------------- reports
def test_per_step_report_layout_and_values():
    rep = per_step_report(Y_TRUE, Y_PRED)
    assert isinstance(rep, pd.DataFrame)
    assert list(rep.index) == [1, 2, 3, "all"]
    assert rep.index.name == "step"
    assert list(rep.columns) == ["n", "n_missing_pred", "rmse", "mae", "r2", "bias"]
    assert rep["n"].tolist() == [3, 2, 1, 6]
    np.testing.assert_allclose(
        rep["rmse"].to_numpy(), [math.sqrt(1 / 3), math.sqrt(2.5), 0.0, 1.0], rtol=1e-12
    )
    assert math.isnan(rep.loc[3, "r2"])  # one entry: R^2 undefined
    assert rep.loc["all", "r2"] == pytest.approx(227 / 236)


def test_per_group_report():
    groups = np.array(["Cu2+", "Zn2+", "Cu2+"])
    rep = per_group_report(Y_TRUE, Y_PRED, groups)
    assert list(rep.index) == ["Cu2+", "Zn2+"]
    # Cu2+: rows 0 and 2 -> errors 1, -1, 0, 2, 0
    assert rep.loc["Cu2+", "n"] == 5
    assert rep.loc["Cu2+", "rmse"] == pytest.approx(math.sqrt(6 / 5))
    assert rep.loc["Cu2+", "mae"] == pytest.approx(4 / 5)
    assert rep.loc["Zn2+", "rmse"] == 0.0
    rep2 = per_group_report(Y_TRUE, Y_PRED, groups, step=2)
    assert rep2.loc["Zn2+", "n"] == 0 and math.isnan(rep2.loc["Zn2+", "rmse"])
    assert rep2.loc["Cu2+", "rmse"] == pytest.approx(math.sqrt(2.5))
    with pytest.raises(ValueError, match="one label per row"):
        per_group_report(Y_TRUE, Y_PRED, groups[:2])
    with pytest.raises(ValueError, match="missing label"):
        per_group_report(Y_TRUE, Y_PRED, np.array(["Cu2+", None, "Cu2+"], dtype=object))


def test_evaluate_is_json_and_matches_report():
    res = evaluate(Y_TRUE, Y_PRED)
    text = json.dumps(res, allow_nan=False)  # strict JSON: NaN became None
    assert json.loads(text) == res
    assert res["n_samples"] == 3 and res["n_steps"] == 3 and res["n_missing_pred"] == 0
    assert res["beta"]["all"]["rmse"] == pytest.approx(1.0)
    assert res["beta"]["steps"]["2"]["rmse"] == pytest.approx(math.sqrt(2.5))
    assert res["beta"]["steps"]["3"]["r2"] is None
    assert res["logk"]["all"]["rmse"] == pytest.approx(math.sqrt(13 / 6))
    assert set(res["logk"]["steps"]) == {"1", "2", "3"}


# --------------------------------------------------------------------------- scorers
class _ColumnMeanRegressor(RegressorMixin, BaseEstimator):
    """Predicts shrink * (per-column nanmean of y); test-only dummy."""

    def __init__(self, shrink: float = 1.0):
        self.shrink = shrink

    def fit(self, X, y):
        self.mean_ = np.nanmean(np.asarray(y, dtype=float), axis=0)
        return self

    def predict(self, X):
        return np.tile(self.shrink * self.mean_, (len(X), 1))


X_CV = np.arange(4.0).reshape(-1, 1)
Y_CV = np.array([[1.0, 3.0], [3.0, nan], [5.0, 9.0], [7.0, 11.0]])
G_CV = np.array(["a", "a", "b", "b"])
# test group b: train means (2, 3): errors -3, -6 | -5, -8 -> 134 / 4
# test group a: train means (6, 10): errors 5, 7 | 3 -> 83 / 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.UndefinedMetricWarning")  # r2, 1-2 entries
def test_scorer_in_cross_validate_with_nan_targets():
    res = cross_validate(
        _ColumnMeanRegressor(),
        X_CV,
        Y_CV,
        groups=G_CV,
        cv=GroupKFold(n_splits=2),
        scoring=scoring_dict(2),
        error_score="raise",
    )
    got = sorted(res["test_neg_rmse_beta"])
    assert got == pytest.approx(sorted([-math.sqrt(134 / 4), -math.sqrt(83 / 3)]))
    # beta_1: group b errors -3, -5; group a errors 5, 3 -> both sqrt(17)
    assert res["test_neg_rmse_beta1"] == pytest.approx([-math.sqrt(17)] * 2)
    # beta_2: group b errors -6, -8 -> sqrt(50); group a error 7
    assert sorted(res["test_neg_rmse_beta2"]) == pytest.approx([-math.sqrt(50), -7.0])
    assert sorted(res["test_neg_mae_beta"]) == pytest.approx([-22 / 4, -15 / 3])
    assert "test_r2_logk2" in res


def test_single_scorer_matches_function_and_sign():
    est = _ColumnMeanRegressor().fit(X_CV, Y_CV)
    pred = est.predict(X_CV)
    assert SCORERS["neg_rmse_beta"](est, X_CV, Y_CV) == pytest.approx(-masked_rmse(Y_CV, pred))
    assert SCORERS["neg_rmse_beta2"](est, X_CV, Y_CV) == pytest.approx(
        -masked_rmse(Y_CV, pred, step=2)
    )
    assert SCORERS["neg_rmse_logk"](est, X_CV, Y_CV) == pytest.approx(
        -masked_rmse(Y_CV, pred, kind="logk")
    )
    assert SCORERS["r2_beta"](est, X_CV, Y_CV) == pytest.approx(masked_r2(Y_CV, pred))
    assert SCORERS["neg_mae_beta"](est, X_CV, Y_CV) < 0
    for name in ["neg_rmse_beta", "neg_rmse_beta1", "neg_rmse_beta4", "neg_mae_logk3", "r2_beta"]:
        assert name in SCORERS
    with pytest.raises(ValueError, match="metric must be one of"):
        make_masked_scorer("bias")
    with pytest.raises(ValueError, match="step"):
        make_masked_scorer("rmse", step=0)


def test_scorer_raises_on_missing_predictions_unless_ignored():
    class _Flagging(_ColumnMeanRegressor):
        def predict(self, X):
            out = super().predict(X)
            out[0] = nan  # flags the first test row
            return out

    est = _Flagging().fit(X_CV, Y_CV)
    with pytest.raises(ValueError, match="missing_pred"):
        make_masked_scorer()(est, X_CV, Y_CV)
    # ignoring row 0: means (4, 23/3); errors on rows 1..3 -> 1 | 1, 4/3 | 3, 10/3
    got = make_masked_scorer(missing_pred="ignore")(est, X_CV, Y_CV)
    expected = -math.sqrt((1 + 1 + 16 / 9 + 9 + 100 / 9) / 5)
    assert got == pytest.approx(expected)


def test_grid_search_with_masked_scorer():
    gs = GridSearchCV(
        _ColumnMeanRegressor(),
        {"shrink": [0.0, 0.5, 1.0]},
        scoring={"rmse": SCORERS["neg_rmse_beta"], "rmse2": SCORERS["neg_rmse_beta2"]},
        refit="rmse",
        cv=GroupKFold(n_splits=2),
        error_score="raise",
    )
    gs.fit(X_CV, Y_CV, groups=G_CV)
    # shrink 0.5 predicts (1, 1.5) on group b: 198.5 / 4; (3, 5) on group a: 8 / 3
    assert gs.best_params_ == {"shrink": 0.5}
    scores = gs.cv_results_["mean_test_rmse"]
    assert scores[1] == pytest.approx(-(math.sqrt(198.5 / 4) + math.sqrt(8 / 3)) / 2)
    assert scores[2] == pytest.approx(-(math.sqrt(134 / 4) + math.sqrt(83 / 3)) / 2)
    assert scores[2] < scores[0] < scores[1]
    assert gs.predict(X_CV).shape == (4, 2)


def test_optuna_search_with_masked_scorer():
    optuna = pytest.importorskip("optuna")
    oi = pytest.importorskip("optuna_integration")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OptunaSearchCV is marked experimental
        search = oi.OptunaSearchCV(
            _ColumnMeanRegressor(),
            {"shrink": optuna.distributions.CategoricalDistribution([0.0, 1.0])},
            scoring=SCORERS["neg_rmse_beta"],
            cv=GroupKFold(n_splits=2),
            n_trials=8,
            random_state=0,
            error_score="raise",
        )
        search.fit(X_CV, Y_CV, groups=G_CV)
    # shrink 0 predicts zeros: group b 276 / 4, group a 19 / 3 (better than shrink 1)
    assert search.best_params_ == {"shrink": 0.0}
    assert search.best_score_ == pytest.approx(-(math.sqrt(69) + math.sqrt(19 / 3)) / 2)
