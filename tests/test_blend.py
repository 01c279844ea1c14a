"""Blends (skmetalpka.model.blend): weighted averages of different models, step by step."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from conftest import TINY
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator

from skmetalpka.baselines import (
    DescriptorTreesRegressor,
    FingerprintForestRegressor,
    GPRBeta1Regressor,
    MetalMeanRegressor,
    SeriesInterpolationRegressor,
)
from skmetalpka.model import BlendRegressor, EnsembleRegressor, ResidualKriging
from skmetalpka.pipelines import ProtonTransferRegressor, default_recipe, make_model
from skmetalpka.pipelines.recipes import BLEND_WEIGHTS

_FRAME = pd.read_csv(io.StringIO(TINY))
X = _FRAME[["metal", "smiles"]]
Y = _FRAME[["log_beta_1", "log_beta_2"]].to_numpy()
QUERY = pd.DataFrame(
    {"metal": ["Cu2+", "Ni2+", "Co2+", "Zn2+"], "smiles": ["NCCN", "OCCO", "NCC(=O)O", "NCCN"]}
)


def _forest() -> FingerprintForestRegressor:
    return FingerprintForestRegressor(n_estimators=8, n_bits=128, random_state=0)


@pytest.fixture(scope="module")
def gp_mean() -> BlendRegressor:
    """A Gaussian process of log beta_1 only (NaN after it) and the per-metal mean."""
    return BlendRegressor(
        [("gpr", GPRBeta1Regressor(random_state=0)), ("mean", MetalMeanRegressor())],
        weights=[3.0, 1.0],
    ).fit(X, Y)


def test_prediction_is_the_weighted_mean_of_the_members():
    forest, mean = _forest().fit(X, Y), MetalMeanRegressor().fit(X, Y)
    blend = BlendRegressor([("rf", _forest()), ("mean", MetalMeanRegressor())], weights=[1, 3])
    assert blend.fit(X, Y) is blend
    expected = 0.25 * forest.predict(QUERY) + 0.75 * mean.predict(QUERY)
    np.testing.assert_allclose(blend.predict(QUERY), expected, rtol=1e-12)
    np.testing.assert_allclose(blend.weights_, [0.25, 0.75])
    assert blend.n_steps_ == 2
    assert set(blend.named_estimators_) == {"rf", "mean"}
    assert blend.named_estimators_["mean"] is blend.estimators_[1]
    # the unfitted members are untouched (clones were fitted)
    assert not hasattr(blend.estimators[1][1], "metal_means_")


def test_default_weights_are_equal():
    blend = BlendRegressor([("rf", _forest()), ("mean", MetalMeanRegressor())]).fit(X, Y)
    members = [e.predict(QUERY) for e in blend.estimators_]
    np.testing.assert_allclose(blend.predict(QUERY), (members[0] + members[1]) / 2)


def test_a_member_without_a_step_leaves_it_to_the_others(gp_mean):
    gp, mean = gp_mean.estimators_
    p_gp, p_mean = gp.predict(QUERY), mean.predict(QUERY)
    assert np.isnan(p_gp[:, 1]).all()  # the GP models log beta_1 only
    pred = gp_mean.predict(QUERY)
    np.testing.assert_allclose(pred[:, 0], 0.75 * p_gp[:, 0] + 0.25 * p_mean[:, 0])
    # step 2: the renormalised weights of the members that predict it = the mean alone
    np.testing.assert_allclose(pred[:, 1], p_mean[:, 1])


def test_a_cell_no_member_predicts_stays_nan():
    flagged = pd.DataFrame({"metal": ["Cu2+", "Cu2+"], "smiles": ["NCCN", "not a smiles"]})
    blend = BlendRegressor(
        [
            ("gpr", GPRBeta1Regressor(random_state=0, on_error="flag")),
            ("mean", MetalMeanRegressor(on_error="flag")),
        ]
    ).fit(X, Y)
    pred = blend.predict(flagged)
    assert np.isfinite(pred[0]).all()
    assert np.isnan(pred[1]).all()


def test_std_is_that_of_the_weighted_mixture(gp_mean):
    gp, mean = gp_mean.estimators_
    mu_gp, sd_gp = gp.predict(QUERY, return_std=True)
    mu_mean = mean.predict(QUERY)
    mu, sd = gp_mean.predict(QUERY, return_std=True)
    np.testing.assert_allclose(mu, gp_mean.predict(QUERY))
    # step 1: the GP's variance (the mean, without a std, is taken to be as uncertain), plus
    # both members' weighted squared distance to the blend
    m = mu[:, 0]
    var = sd_gp[:, 0] ** 2 + 0.75 * (mu_gp[:, 0] - m) ** 2 + 0.25 * (mu_mean[:, 0] - m) ** 2
    np.testing.assert_allclose(sd[:, 0], np.sqrt(var), rtol=1e-10)
    # step 2: only the mean predicts it and it gives no std: nothing to mix
    np.testing.assert_allclose(sd[:, 1], 0.0, atol=1e-12)


def test_std_calibration_rescales_the_mixture(gp_mean):
    calibration = {"cells": {}, "pooled": {"seen": [2.0, 0.5, 10], "unseen": [3.0, 1.0, 10]}}
    _, raw = gp_mean.predict(QUERY, return_std=True)
    calibrated = clone(gp_mean).set_params(std_calibration=calibration).fit(X, Y)
    _, sd = calibrated.predict(QUERY, return_std=True)
    seen = QUERY["metal"].isin(["Cu2+", "Ni2+", "Zn2+"]).to_numpy()
    assert gp_mean.metals_ == ["Cu2+", "Ni2+", "Zn2+"]
    np.testing.assert_allclose(sd[seen], np.sqrt((2.0 * raw[seen]) ** 2 + 0.25))
    np.testing.assert_allclose(sd[~seen], np.sqrt((3.0 * raw[~seen]) ** 2 + 1.0))


def test_return_std_needs_a_member_with_one():
    blend = BlendRegressor([("rf", _forest()), ("mean", MetalMeanRegressor())]).fit(X, Y)
    with pytest.raises(ValueError, match="no member gives a standard deviation"):
        blend.predict(QUERY, return_std=True)


def test_frozen_members_are_reused_without_refitting():
    forest = _forest().fit(X, Y)
    before = forest.predict(QUERY)
    # fitted on other data: a refit would change the forest
    blend = BlendRegressor([("rf", FrozenEstimator(forest)), ("mean", MetalMeanRegressor())])
    blend.fit(X.iloc[:3], Y[:3])
    np.testing.assert_array_equal(blend.estimators_[0].predict(QUERY), before)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"estimators": None}, "estimators is required"),
        ({"estimators": []}, "estimators is required"),
        ({"estimators": [MetalMeanRegressor()]}, r"\(name, estimator\) pair"),
        (
            {"estimators": [("m", MetalMeanRegressor()), ("m", MetalMeanRegressor())]},
            "must be unique",
        ),
        ({"estimators": [("m", MetalMeanRegressor())], "weights": [1, 2]}, "2 entries for 1"),
        ({"estimators": [("m", MetalMeanRegressor())], "weights": [-1]}, ">= 0"),
        ({"estimators": [("m", MetalMeanRegressor())], "weights": [0]}, "not all 0"),
        ({"estimators": [("m", "mean")]}, "no fit/predict"),
        ({"estimators": [("m", MetalMeanRegressor())], "max_steps": {"x": 1}}, "not members"),
        ({"estimators": [("m", MetalMeanRegressor())], "max_steps": {"m": 0}}, "int >= 1"),
        ({"estimators": [("m", MetalMeanRegressor())], "max_steps": [1]}, "must be a dict"),
    ],
)
def test_invalid_parameters_are_refused_in_fit(kwargs, match):
    blend = BlendRegressor(**kwargs)  # __init__ only stores
    with pytest.raises((ValueError, TypeError), match=match):
        blend.fit(X, Y)


def test_fit_params_are_routed_by_name_or_by_signature():
    xp = pd.DataFrame({"metal": ["H+"] * 3, "smiles": ["NCCN", "NCC(=O)O", "OC(=O)C(=O)O"]})
    yp = np.array([[9.9, 16.8], [9.6, 12.0], [4.2, 5.4]])
    small = {"max_epochs": 1, "hidden_dim": 8, "heads": 2, "encoder_depth": 1, "star_layers": 1}
    from skmetalpka.pipelines import default_pipeline

    blend = BlendRegressor(
        [
            ("gnn", ProtonTransferRegressor(default_pipeline(**small), mode="joint")),
            ("mean", MetalMeanRegressor()),
        ]
    )
    # proton_X/proton_y reach the proton-aware member only; the mean's fit does not take them
    blend.fit(X, Y, proton_X=xp, proton_y=yp)
    assert blend.named_estimators_["gnn"].n_proton_rows_ == 3
    # the network learned H+ too: a seen metal of the blend (calibration, warnings), but not
    # one of its own training rows (the mean never saw it)
    assert "H+" in blend.metals_ and "H+" not in blend.fit_metals_
    with pytest.raises(ValueError, match="no member's fit takes 'sample_weight'"):
        blend.fit(X, Y, sample_weight=np.ones(len(X)))
    with pytest.raises(TypeError, match="bogus"):  # named: the member's own fit refuses it
        BlendRegressor([("mean", MetalMeanRegressor())]).fit(X, Y, mean__bogus=1)


def test_params_clone_and_nested_set_params():
    blend = BlendRegressor([("rf", _forest()), ("mean", MetalMeanRegressor())], weights=[1, 1])
    params = blend.get_params()
    assert params["rf__n_estimators"] == 8 and params["weights"] == [1, 1]
    blend.set_params(rf__n_estimators=3, weights=[2, 1])
    assert blend.estimators[0][1].n_estimators == 3 and blend.weights == [2, 1]
    twin = clone(blend)
    assert twin.estimators[0][1] is not blend.estimators[0][1]
    assert twin.get_params()["rf__n_estimators"] == 3


def test_make_model_blend():
    blend = make_model("rf", n_estimators=5, blend="mean", blend_weights=[2, 1])
    assert isinstance(blend, BlendRegressor)
    assert [n for n, _ in blend.estimators] == ["rf", "mean"]
    assert blend.estimators[0][1].n_estimators == 5 and blend.weights == [2, 1]
    kriged = make_model("mean", kriging=True, blend={"gpr": {"max_optimizer_samples": 50}})
    assert isinstance(kriged.estimators[0][1], ResidualKriging)
    assert kriged.estimators[1][1].max_optimizer_samples == 50
    both = make_model("mean", blend=["gpr", "rf"])
    assert [n for n, _ in both.estimators] == ["mean", "gpr", "rf"]
    with pytest.raises(ValueError, match="not models"):
        make_model("mean", blend="forest")
    with pytest.raises(ValueError, match="must be unique"):
        make_model("mean", blend="mean").fit(X, Y)
    with pytest.raises(ValueError, match="need blend"):
        make_model("mean", blend_weights=[1, 1])
    with pytest.raises(ValueError, match="model name, a list"):
        make_model("mean", blend=3)


def test_default_recipe_blend():
    recipe = default_recipe(blend=True, random_state=4)
    assert isinstance(recipe, BlendRegressor)
    assert [n for n, _ in recipe.estimators] == ["gnn", "gpr", "kriged_mean", "series"]
    gnn, gpr, kriged, series = (est for _, est in recipe.estimators)
    assert isinstance(series, SeriesInterpolationRegressor)
    assert isinstance(gnn, ResidualKriging) and isinstance(gnn.estimator, EnsembleRegressor)
    assert isinstance(gpr, GPRBeta1Regressor) and gpr.random_state == 4
    assert isinstance(kriged, ResidualKriging)
    assert isinstance(kriged.estimator, MetalMeanRegressor)
    # the kriged mean cannot extrapolate to a new metal: weight 0 there
    assert set(BLEND_WEIGHTS.values()) == {1.0}  # equal weights (BLEND_WEIGHTS' note)
    assert recipe.weights is None and recipe.unseen_metal_weights == [1.0, 1.0, 0.0, 1.0]
    assert recipe.max_steps == {"kriged_mean": 1}  # log beta_1 only
    assert not isinstance(default_recipe(), BlendRegressor)
    forest = default_recipe(blend=("rf",))
    assert [n for n, _ in forest.estimators] == ["gnn", "rf"]
    assert forest.unseen_metal_weights is None
    assert isinstance(forest.estimators[1][1].estimator, FingerprintForestRegressor)
    # descriptor trees: not kriged, log beta_1 and log beta_2 only, weight 1 for new metals too
    trees = default_recipe(blend=("gpr", "kriged_mean", "trees"), random_state=4)
    assert [n for n, _ in trees.estimators] == ["gnn", "gpr", "kriged_mean", "trees"]
    assert isinstance(trees.estimators[3][1], DescriptorTreesRegressor)
    assert trees.estimators[3][1].random_state == 4
    assert trees.max_steps == {"kriged_mean": 1, "trees": 2}
    assert trees.unseen_metal_weights == [1.0, 1.0, 0.0, 1.0]
    for bad in (("gpr", "gpr"), ("mean",), ()):
        with pytest.raises(ValueError, match="blend must be True or names"):
            default_recipe(blend=bad)


def test_default_recipe_blend_weights():
    """blend_weights overrides any member's weight, the network's included; the kriged mean
    keeps weight 0 for new metals whatever its weight."""
    custom = default_recipe(blend=("kriged_mean", "series"), blend_weights={"series": 3})
    assert custom.weights == [1.0, 1.0, 3.0]
    assert custom.unseen_metal_weights == [1.0, 0.0, 3.0]  # the kriged mean: 0 for new metals
    equal = default_recipe(
        blend=("gpr", "series"), blend_weights={"gnn": 2.0, "gpr": 2.0, "series": 2.0}
    )
    assert equal.weights is None and equal.unseen_metal_weights is None
    with pytest.raises(ValueError, match="not members of this blend"):
        default_recipe(blend=("series",), blend_weights={"gpr": 2.0})


def test_a_kriged_member_without_std_counts_as_uncertain_as_the_others():
    """A wrapper's predict takes return_std, but a kriged forest has none to give: it counts as
    uncertain as the GP, plus its disagreement."""
    from skmetalpka._base import supports_std

    forest = ResidualKriging(_forest(), max_optimizer_rows=60, min_rows=2)
    gp = GPRBeta1Regressor(random_state=0)
    assert not supports_std(forest) and supports_std(ResidualKriging(gp))
    assert not supports_std(FrozenEstimator(forest)) and supports_std(FrozenEstimator(gp))
    blend = BlendRegressor([("rf", forest), ("gpr", gp)]).fit(X, Y)
    assert supports_std(blend)
    mu, sd = blend.predict(QUERY, return_std=True)
    f_mu = blend.estimators_[0].predict(QUERY)[:, 0]
    g_mu, g_sd = blend.estimators_[1].predict(QUERY, return_std=True)
    m = mu[:, 0]
    var = g_sd[:, 0] ** 2 + 0.5 * (f_mu - m) ** 2 + 0.5 * (g_mu[:, 0] - m) ** 2
    np.testing.assert_allclose(sd[:, 0], np.sqrt(var), rtol=1e-10)
    assert not supports_std(BlendRegressor([("rf", forest)]))


def test_combine_predictions_by_hand():
    from skmetalpka.model.blend import combine_predictions

    nan = np.nan
    mus = np.array([[[1.0, 2.0, nan]], [[3.0, nan, nan]]])  # 2 members, 1 row, 3 steps
    sds = np.array([[[0.5, 0.4, nan]], [[nan, nan, nan]]])  # the second member has no std
    mean, std = combine_predictions(mus, [0.25, 0.75], sds)
    np.testing.assert_allclose(mean[0, :2], [0.25 * 1 + 0.75 * 3, 2.0])
    assert np.isnan(mean[0, 2]) and np.isnan(std[0, 2])
    # step 1: v = 0.5^2 (only member 1 has a std) + 0.25 (1 - 2.5)^2 + 0.75 (3 - 2.5)^2
    np.testing.assert_allclose(std[0, 0], np.sqrt(0.25 + 0.25 * 2.25 + 0.75 * 0.25))
    np.testing.assert_allclose(std[0, 1], 0.4)  # one member predicts step 2
    np.testing.assert_allclose(combine_predictions(mus, [1, 1])[0, 0], 2.0)


def test_unseen_metal_weights_apply_to_metals_not_in_fit():
    blend = BlendRegressor(
        [("rf", _forest()), ("mean", MetalMeanRegressor())], unseen_metal_weights=[1, 0]
    ).fit(X, Y)
    assert blend.fit_metals_ == ["Cu2+", "Ni2+", "Zn2+"]
    forest, mean = (e.predict(QUERY) for e in blend.estimators_)
    pred = blend.predict(QUERY)
    unseen = (QUERY["metal"] == "Co2+").to_numpy()
    np.testing.assert_allclose(pred[unseen], forest[unseen])  # the mean knows no Co2+
    np.testing.assert_allclose(pred[~unseen], (forest[~unseen] + mean[~unseen]) / 2)
    np.testing.assert_allclose(blend.unseen_metal_weights_, [1.0, 0.0])
    # another spelling of a training metal is the same metal
    spelled = pd.DataFrame({"metal": ["Cu+2"], "smiles": ["NCCN"]})
    np.testing.assert_allclose(blend.predict(spelled), blend.predict(QUERY.iloc[:1]))
    with pytest.raises(ValueError, match="unseen_metal_weights has 1 entries for 2"):
        clone(blend).set_params(unseen_metal_weights=[1]).fit(X, Y)


def test_a_wider_member_adds_steps_only_it_predicts():
    y3 = np.column_stack([Y, Y[:, 1] + 3.0])
    wide = MetalMeanRegressor().fit(X, y3)  # e.g. a network that also predicts proton steps
    blend = BlendRegressor([("wide", FrozenEstimator(wide)), ("rf", _forest())]).fit(X, Y)
    assert blend.n_steps_ == 2
    pred, forest = blend.predict(QUERY), blend.estimators_[1].predict(QUERY)
    assert pred.shape == (len(QUERY), 3)
    np.testing.assert_allclose(pred[:, 2], wide.predict(QUERY)[:, 2])
    np.testing.assert_allclose(pred[:, :2], (wide.predict(QUERY)[:, :2] + forest) / 2)


def test_command_line_fits_and_saves_a_blend(tiny_csv, tmp_path, capsys):
    import json

    from skmetalpka.cli import main
    from skmetalpka.persistence import load_model

    params = {
        "blend": {"gpr": {"random_state": 0}, "rf": {"n_estimators": 5}},
        "blend_unseen_metal_weights": [1, 1, 0],
    }
    out = tmp_path / "blend.skmodel"
    args = ["fit", "--data", str(tiny_csv), "--model", "mean", "--params", json.dumps(params)]
    assert main([*args, "--out", str(out)]) == 0
    model = load_model(out)
    assert isinstance(model, BlendRegressor)
    assert [n for n, _ in model.estimators] == ["mean", "gpr", "rf"]
    capsys.readouterr()
    assert (
        main(["predict", "--model", str(out), "--smiles", "NCCN", "--metal", "Co2+", "--std"]) == 0
    )
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    # Co2+ is new: the forest (weight 0 there) is left out, the mean and the GP answer
    mean, gpr = (e.predict(QUERY.iloc[[2]].assign(smiles="NCCN")) for e in model.estimators_[:2])
    assert abs(float(frame["log_beta_1"].iloc[0]) - (mean[0, 0] + gpr[0, 0]) / 2) < 1e-9
    assert float(frame["log_beta_1_std"].iloc[0]) > 0


def test_max_steps_limits_a_member_to_its_first_steps(gp_mean):
    blend = BlendRegressor(
        [("rf", _forest()), ("mean", MetalMeanRegressor())], max_steps={"mean": 1}
    ).fit(X, Y)
    forest, mean = (e.predict(QUERY) for e in blend.estimators_)
    pred = blend.predict(QUERY)
    np.testing.assert_allclose(pred[:, 0], (forest[:, 0] + mean[:, 0]) / 2)
    np.testing.assert_allclose(pred[:, 1], forest[:, 1])  # the mean answers step 1 only
    limited = clone(gp_mean).set_params(max_steps={"gpr": 1}).fit(X, Y)
    _, sd = limited.predict(QUERY, return_std=True)
    np.testing.assert_allclose(sd, gp_mean.predict(QUERY, return_std=True)[1])
