"""Residual kriging (skmetalpka.model.kriging): a ligand's measured level carried to new metals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator

from skmetalpka.baselines import GPRBeta1Regressor, MetalMeanRegressor
from skmetalpka.model import ResidualKriging
from skmetalpka.pipelines import build_model

LIGANDS = [
    "NCC(=O)O",  # glycine
    "OC(=O)CN(CC(=O)O)CCN(CC(=O)O)CC(=O)O",  # EDTA
    "OC(=O)CN(CC(=O)O)CC(=O)O",  # NTA
    "OC(=O)C(O)C(O)C(=O)O",  # tartaric acid
    "CC(=O)O",  # acetic acid
    "OC(=O)CC(O)(CC(=O)O)C(=O)O",  # citric acid
    "c1ccc(-c2ccccn2)nc1",  # 2,2'-bipyridine
    "Oc1ccccc1C(=O)O",  # salicylic acid
]
LANTHANIDES = ["La3+", "Ce3+", "Pr3+", "Nd3+", "Sm3+", "Eu3+", "Gd3+", "Dy3+", "Er3+", "Lu3+"]


def _series() -> tuple[pd.DataFrame, np.ndarray]:
    """log K1 = ligand level + ligand slope along the series: what a chemist expects."""
    rng = np.random.default_rng(0)
    level = rng.uniform(2, 16, len(LIGANDS))
    slope = rng.uniform(0.0, 3.0, len(LIGANDS))
    rows, y = [], []
    for i, smi in enumerate(LIGANDS):
        for j, metal in enumerate(LANTHANIDES):
            rows.append({"metal": metal, "smiles": smi})
            y.append(level[i] + slope[i] * j / (len(LANTHANIDES) - 1))
    return pd.DataFrame(rows), np.asarray(y)[:, None]


X, Y = _series()
HELD = (X["metal"] == "Nd3+").to_numpy()
FAST = {"max_optimizer_rows": 60}


@pytest.fixture(scope="module")
def fitted() -> ResidualKriging:
    return ResidualKriging(MetalMeanRegressor(), **FAST).fit(X[~HELD], Y[~HELD])


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.ravel(a) - np.ravel(b)) ** 2)))


def test_carries_each_ligands_level_to_a_held_out_lanthanide(fitted):
    base = fitted.estimator_.predict(X[HELD])
    pred = fitted.predict(X[HELD])
    assert pred.shape == base.shape == (HELD.sum(), 1)
    # the per-metal mean knows nothing of the ligand; kriging recovers it from Ce3+/Pr3+/Sm3+
    assert _rmse(base, Y[HELD]) > 3.0
    assert _rmse(pred, Y[HELD]) < 0.2 * _rmse(base, Y[HELD])


def test_fitted_state(fitted):
    assert fitted.n_steps_ == 1
    assert sorted(fitted.ligands_) == fitted.ligands_ and len(fitted.ligands_) == len(LIGANDS)
    assert set(fitted.kriging_metals_) == set(LANTHANIDES) - {"Nd3+"}
    assert fitted.theta_.shape == (1, 4) and np.all(fitted.theta_ > 0)
    assert fitted.pairs_[0].shape == (len(LIGANDS) * (len(LANTHANIDES) - 1), 2)
    assert fitted.weights_[0].shape == (len(fitted.pairs_[0]),)
    assert fitted.metal_features_.shape == (len(LANTHANIDES) - 1, 6)


def test_spelling_of_a_ligand_does_not_change_the_prediction(fitted):
    # glycine and EDTA drawn in another atom order, as anions and as a salt
    spelled = pd.DataFrame(
        {
            "metal": ["Nd3+", "Nd3+", "Nd3+"],
            "smiles": [
                "OC(=O)CN",
                "[O-]C(=O)CN(CC([O-])=O)CCN(CC(=O)[O-])CC(=O)[O-]",
                "[Na+].[O-]C(=O)CN",
            ],
        }
    )
    canonical = pd.DataFrame(
        {"metal": ["Nd3+"] * 3, "smiles": [LIGANDS[0], LIGANDS[1], LIGANDS[0]]}
    )
    np.testing.assert_allclose(fitted.predict(spelled), fitted.predict(canonical), atol=1e-9)


def test_a_ligand_unlike_every_training_ligand_keeps_the_models_prediction():
    model = ResidualKriging(
        MetalMeanRegressor(), similarity_sharpness=50.0, metal_length_scale=1.0
    ).fit(X, Y)
    far = pd.DataFrame({"metal": ["Nd3+"], "smiles": ["CCCCCCCCCCCCCCCC"]})
    base = model.estimator_.predict(far)[0, 0]
    assert model.predict(far)[0, 0] == pytest.approx(base + model.offset_[0], abs=1e-3)
    assert model.theta_[0, 1] == 50.0 and model.theta_[0, 2] == 1.0  # fixed ones are kept


def test_invalid_rows_keep_the_wrapped_models_output():
    model = ResidualKriging(MetalMeanRegressor(on_error="flag"), **FAST).fit(X, Y)
    bad = pd.DataFrame(
        {"metal": ["Nd3+", "Xx9+", "Nd3+"], "smiles": ["not a smiles", LIGANDS[0], LIGANDS[0]]}
    )
    base = model.estimator_.predict(bad)
    out = model.predict(bad)
    assert np.isnan(out[:2]).all() and np.isnan(base[:2]).all()  # flagged, not crashed
    assert np.isfinite(out[2]).all()
    with pytest.raises(ValueError, match="could not parse"):  # the model's own error stands
        ResidualKriging(MetalMeanRegressor(), **FAST).fit(X, Y).predict(bad)


def test_training_rows_with_invalid_smiles_are_left_out_not_fatal():
    Xb = pd.concat([X, pd.DataFrame({"metal": ["La3+"], "smiles": ["C1CC"]})], ignore_index=True)
    Yb = np.vstack([Y, [[5.0]]])
    model = ResidualKriging(MetalMeanRegressor(on_error="flag"), **FAST).fit(Xb, Yb)
    assert len(model.pairs_[0]) == len(X)


def test_a_step_with_too_few_rows_is_not_corrected():
    y2 = np.column_stack([Y[:, 0], np.full(len(Y), np.nan)])
    y2[:5, 1] = Y[:5, 0] * 1.8
    model = ResidualKriging(MetalMeanRegressor(), min_rows=10, **FAST).fit(X, y2)
    assert np.isnan(model.theta_[1]).all() and len(model.pairs_[1]) == 0
    base = model.estimator_.predict(X[:3])
    np.testing.assert_array_equal(model.predict(X[:3])[:, 1], base[:, 1])


def test_std_shrinks_where_the_ligand_was_measured_nearby():
    # the GP's own sigma is ~0.04 here: amplitude and noise on that scale
    model = ResidualKriging(
        GPRBeta1Regressor(random_state=0),
        amplitude=1e-3,
        noise=1e-5,
        similarity_sharpness=20.0,
        metal_length_scale=5.0,
    ).fit(X[~HELD], Y[~HELD])
    query = pd.concat(
        [X[HELD].iloc[:2], pd.DataFrame({"metal": ["Nd3+"], "smiles": ["CCCCCCCCCCCCCCCC"]})]
    )
    mean, std = model.predict(query, return_std=True)
    base_mean, base_std = model.estimator_.predict(query, return_std=True)
    assert mean.shape == std.shape == base_std.shape
    assert np.all(std <= base_std + 1e-12)
    assert np.all(std[:2, 0] < 0.9 * base_std[:2, 0])  # measured with Ce/Pr/Sm: narrower
    assert std[2, 0] == pytest.approx(base_std[2, 0], rel=1e-3)  # a stranger: unchanged
    # kriging removes at most its own amplitude (absolute units), never more
    np.testing.assert_array_less(base_std[:, 0] ** 2 - std[:, 0] ** 2, 1e-3 + 1e-12)


def test_explained_variance_never_exceeds_the_training_residuals_variance():
    """An amplitude far above the residuals' variance (what a nearly flat ligand kernel can
    fit) must not remove more variance than the residuals had."""
    model = ResidualKriging(
        MetalMeanRegressor(), amplitude=500.0, noise=0.5, similarity_sharpness=0.1, **FAST
    ).fit(X[~HELD], Y[~HELD])
    r2 = model.residual_rmse_[0] ** 2
    assert r2 < 50  # the residuals of the per-metal mean: the ligand levels, a few log units
    ev = model.explained_variance(X[HELD])[:, 0]
    assert np.all(ev <= r2 + 1e-9) and ev.max() > 0.5 * r2
    # an amplitude below the residuals' variance: the cap does not act
    small = ResidualKriging(
        MetalMeanRegressor(), amplitude=1.0, noise=0.5, similarity_sharpness=5.0, **FAST
    ).fit(X[~HELD], Y[~HELD])
    kq_max = small.explained_variance(X[HELD])[:, 0] * 1.5  # k_max^2 = v (s_f^2 + s_n^2)
    assert np.all(kq_max <= 1.0 + 1e-9) and small._explained_caps()[0] == 1.0


def test_return_std_needs_a_model_with_one(fitted):
    with pytest.raises(ValueError, match="no standard deviation"):
        fitted.predict(X[:2], return_std=True)


def test_a_frozen_model_is_reused_not_refitted():
    base = MetalMeanRegressor().fit(X[:20], Y[:20])  # fitted on other rows on purpose
    model = ResidualKriging(FrozenEstimator(base), **FAST).fit(X, Y)
    np.testing.assert_array_equal(model.estimator_.predict(X), base.predict(X))


def test_fit_is_deterministic_and_clone_gives_the_parameters():
    a = ResidualKriging(MetalMeanRegressor(), **FAST, random_state=3).fit(X[~HELD], Y[~HELD])
    b = clone(a).fit(X[~HELD], Y[~HELD])
    np.testing.assert_array_equal(a.predict(X[HELD]), b.predict(X[HELD]))
    assert b.get_params()["random_state"] == 3 and not hasattr(clone(a), "theta_")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"estimator": None}, "estimator is required"),
        ({"amplitude": -1.0}, "amplitude must be a positive number"),
        ({"noise": True}, "noise must be a positive number"),
        ({"metal_descriptors": ["charge", "bogus"]}, "unknown: \\['bogus'\\]"),
        ({"max_rows": 0}, "max_rows must be a positive integer"),
        ({"fingerprint_radius": -1}, "fingerprint_radius must be"),
        ({"chelate_similarity": "yes"}, "chelate_similarity must be True or False"),
    ],
)
def test_bad_parameters_are_refused_in_fit(params, match):
    model = ResidualKriging(MetalMeanRegressor()).set_params(**params)
    with pytest.raises(ValueError, match=match):
        model.fit(X, Y)


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="'metal' and 'smiles' columns"):
        ResidualKriging(MetalMeanRegressor()).fit(X[["metal"]], Y)
    with pytest.raises(ValueError, match="shape"):
        ResidualKriging(MetalMeanRegressor()).fit(X, Y[:-1])


def test_registry_wraps_any_model():
    model = build_model("mean", {"kriging": True}, random_state=2)
    assert isinstance(model, ResidualKriging) and model.random_state == 2
    assert isinstance(model.estimator, MetalMeanRegressor)
    with pytest.raises(ValueError, match="kriging must be true, false or a mapping"):
        build_model("mean", {"kriging": "yes"})
    model = build_model("mean", {"kriging": {"max_rows": 500}})
    assert model.max_rows == 500
    with pytest.raises(ValueError, match="invalid parameters for model 'mean'"):
        build_model("mean", {"kriging": {"bogus": 1}})


def test_tags_declare_smiles_input():
    tags = ResidualKriging(MetalMeanRegressor()).__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array


def test_protonation_rows_are_neither_used_nor_corrected():
    Xh = pd.concat([X, pd.DataFrame({"metal": ["H+"] * 3, "smiles": LIGANDS[:3]})])
    Yh = np.vstack([Y, [[9.6], [10.2], [9.7]]])
    model = ResidualKriging(MetalMeanRegressor(), **FAST).fit(Xh, Yh)
    assert "H+" not in model.kriging_metals_ and len(model.pairs_[0]) == len(X)
    query = pd.DataFrame({"metal": ["H+"], "smiles": [LIGANDS[0]]})
    np.testing.assert_array_equal(model.predict(query), model.estimator_.predict(query))


def test_the_packaged_recipe_is_a_kriged_proton_aware_ensemble():
    from skmetalpka.model import EnsembleRegressor
    from skmetalpka.pipelines import ProtonTransferRegressor
    from skmetalpka.pretrained import RECIPE_PARAMS, default_recipe

    model = default_recipe(n_members=2, random_state=5)
    assert isinstance(model, ResidualKriging) and model.random_state == 5
    assert isinstance(model.estimator, EnsembleRegressor)
    assert isinstance(model.estimator.estimator, ProtonTransferRegressor)
    assert (
        model.get_params()["estimator__estimator__estimator__model__dropout"]
        == (RECIPE_PARAMS["dropout"])
    )
    assert isinstance(default_recipe(kriging=False), EnsembleRegressor)


def test_prediction_in_ligand_blocks_matches_one_block(fitted, monkeypatch):
    import skmetalpka.model.kriging as kriging

    query = pd.concat([X, X.assign(metal="Nd3+")], ignore_index=True)
    whole = fitted.predict(query)
    monkeypatch.setattr(kriging, "_LIGAND_BLOCK", 3)  # 8 ligands: blocks of 3, 3 and 2
    np.testing.assert_allclose(fitted.predict(query), whole, rtol=0, atol=1e-12)


CDTA_12 = "O=C(O)CN(CC(=O)O)C1CCCCC1N(CC(=O)O)CC(=O)O"
CDTA_14 = "O=C(O)CN(CC(=O)O)C1CCC(N(CC(=O)O)CC(=O)O)CC1"


def test_chelate_similarity_separates_analogues_that_chelate_differently():
    """trans-1,2- and trans-1,4-CDTA share most of their fingerprint, not their chelate rings;
    glycinate chelates, acetate does not."""
    from skmetalpka.identity import ligand_id
    from skmetalpka.model.kriging import _similarity, _tanimoto

    ligs = [ligand_id(s) for s in [CDTA_12, CDTA_14, *LIGANDS, "CCCC"]]
    T = _tanimoto(ligs, ligs, 2, 2048)
    np.testing.assert_array_equal(_similarity(ligs, ligs, 2, 2048, False), T)
    S = _similarity(ligs, ligs, 2, 2048, True)
    np.testing.assert_allclose(np.diag(S), 1.0)
    np.testing.assert_allclose(S, S.T, atol=1e-12)
    # chelate counts (denticity, 5-rings, 6-rings): 1,2-CDTA (6, 5, 0), 1,4-CDTA (3, 4, 0)
    assert S[0, 1] == pytest.approx(T[0, 1] * (3 + 4) / (6 + 5))
    edta, glycine, acetate = 3, 2, 6
    assert S[0, edta] == pytest.approx(T[0, edta])  # the same topology: unchanged
    # glycinate (2, 1, 0) against acetate (1, 0, 0)
    assert S[glycine, acetate] == pytest.approx(T[glycine, acetate] / 3)
    assert (S <= T + 1e-12).all()
    # the product of two min-max kernels stays positive semi-definite
    assert np.linalg.eigvalsh(S).min() > -1e-9
    # a query block equals the rows of the square matrix
    np.testing.assert_allclose(_similarity(ligs[:2], ligs, 2, 2048, True), S[:2])


def test_chelate_similarity_is_off_by_default_and_on_for_the_kriged_mean_only():
    from skmetalpka.pretrained import default_recipe

    assert ResidualKriging(MetalMeanRegressor()).chelate_similarity is False
    assert build_model("mean", {"kriging": True}).chelate_similarity is True
    assert (
        build_model("mean", {"kriging": {"chelate_similarity": False}}).chelate_similarity is False
    )
    # the network is kriged on fingerprints alone (better on new metals, docs/guide/kriging.md)
    assert build_model("gnn", {"kriging": True}).chelate_similarity is False
    assert build_model("gnn", {"kriging": {"chelate_similarity": True}}).chelate_similarity is True
    assert default_recipe(n_members=2).chelate_similarity is False
    blend = default_recipe(n_members=2, blend=("kriged_mean", "series"))
    assert blend.estimators[0][1].chelate_similarity is False
    assert blend.estimators[1][1].chelate_similarity is True
    a = ResidualKriging(MetalMeanRegressor(), **FAST, chelate_similarity=True)
    a.fit(X[~HELD], Y[~HELD])
    assert np.isfinite(a.predict(X[HELD])).all()
    assert clone(a).get_params()["chelate_similarity"] is True
