"""Tests for the baseline models (skmetalpka.baselines)."""

from __future__ import annotations

import ast
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF
from sklearn.model_selection import GroupKFold, cross_validate
from threadpoolctl import threadpool_limits

from skmetalpka.baselines import (
    DESCRIPTOR_FEATURE_NAMES,
    DescriptorTreesRegressor,
    FingerprintForestRegressor,
    GPRBeta1Regressor,
    MetalMeanRegressor,
    _matern52_ard_lml,
    row_errors,
)
from skmetalpka.metals import METAL_DESCRIPTOR_NAMES
from skmetalpka.metrics import make_masked_scorer


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # The GP is BLAS-bound; oversubscribed threads on a busy 2-core machine are 10x slower.
    with threadpool_limits(1):
        yield


def small_rf(**kw):
    return FingerprintForestRegressor(n_estimators=20, n_bits=256, random_state=0, **kw)


def small_trees(**kw):
    return DescriptorTreesRegressor(n_estimators=20, random_state=0, **kw)


def toy():
    """Six hand-made rows with 1, 2 or 3 measured steps."""
    X = pd.DataFrame(
        {
            "metal": ["Cu2+", "Cu2+", "Ni2+", "Zn2+", "Cu(II)", "Ni2+"],
            "smiles": ["NCCN", "NCC(=O)O", "NCCN", "OC(=O)CC(O)=O", "c1ccncc1", "NCC(=O)O"],
        }
    )
    y = np.array(
        [
            [10.5, 19.6, np.nan],
            [8.2, 15.1, np.nan],
            [7.3, 13.5, 17.6],
            [3.5, np.nan, np.nan],
            [2.5, 4.4, np.nan],
            [5.8, 10.6, 14.0],
        ]
    )
    return X, y


@pytest.fixture(scope="module")
def nist_subset(nist_csv):
    """About 200 real rows (20 per metal) whose values are all >= -1."""
    df = pd.read_csv(nist_csv)
    values = df["pKa_value"].map(ast.literal_eval)
    ok = values.map(lambda v: len(v) > 0 and min(v) >= -1)
    df = df[ok].assign(values=values[ok])
    df = df.groupby("metal_ion", sort=True).head(20).reset_index(drop=True)
    n_steps = int(df["values"].map(len).max())
    y = np.full((len(df), n_steps), np.nan)
    for i, v in enumerate(df["values"]):
        y[i, : len(v)] = v
    X = pd.DataFrame({"metal": df["metal_ion"], "smiles": df["SMILES"]})
    return X, y


# --------------------------------------------------------------------------------------
# shapes and NaN targets
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model",
    [
        MetalMeanRegressor(),
        small_rf(),
        small_trees(),
        GPRBeta1Regressor(),
        GPRBeta1Regressor(all_steps=True),
    ],
    ids=["mean", "rf", "trees", "gpr", "gpr_all"],
)
def test_fit_predict_shapes(model):
    X, y = toy()
    m = clone(model).fit(X, y)
    assert m.n_steps_ == 3
    assert m.n_invalid_fit_ == 0
    p = m.predict(X)
    assert p.shape == (6, 3)
    assert p.dtype == np.float64
    assert np.isfinite(p[:, 0]).all()
    if isinstance(m, GPRBeta1Regressor) and not m.all_steps:
        assert np.isnan(p[:, 1:]).all()
    else:
        assert np.isfinite(p).all()


def test_one_dimensional_y():
    X, y = toy()
    p = small_rf().fit(X, y[:, 0]).predict(X)
    assert p.shape == (6, 1)


def test_metal_mean_hand_computed():
    X, y = toy()
    m = MetalMeanRegressor().fit(X, y)
    # Cu2+ rows (0, 1, 4 -- 'Cu(II)' is the same metal)
    np.testing.assert_allclose(
        m.metal_means_["Cu2+"], [(10.5 + 8.2 + 2.5) / 3, (19.6 + 15.1 + 4.4) / 3, np.nan]
    )
    np.testing.assert_allclose(m.global_mean_, [37.8 / 6, 63.2 / 5, 15.8])
    test = pd.DataFrame({"metal": ["Ni2+", "Zn2+", "Fe3+"], "smiles": ["N", "N", "N"]})
    p = m.predict(test)
    np.testing.assert_allclose(p[0], [6.55, 12.05, 15.8])  # Ni2+: own means
    np.testing.assert_allclose(p[1], [3.5, 63.2 / 5, 15.8])  # Zn2+: steps 2-3 global
    np.testing.assert_allclose(p[2], m.global_mean_)  # unseen metal


def test_forest_step_uses_only_its_rows():
    X, y = toy()
    y = y.copy()
    y[np.isfinite(y[:, 1]), 1] = 100.0  # step 2 constant where measured
    m = small_rf().fit(X, y)
    p = m.predict(X)
    np.testing.assert_allclose(p[:, 1], 100.0)  # never trained on other steps' values
    assert not np.allclose(p[:, 0], p[0, 0])
    n_rows = [int(np.isfinite(y[:, k]).sum()) for k in range(3)]
    for k, forest in enumerate(m.forests_):
        # bootstrap weights of the root node sum to the number of training rows
        assert forest.estimators_[0].tree_.weighted_n_node_samples[0] == n_rows[k]
    assert len(m.feature_names_) == len(METAL_DESCRIPTOR_NAMES) + 256 + 2


def test_step_without_any_value_warns_and_predicts_nan():
    X, y = toy()
    y = np.column_stack([y, np.full(6, np.nan)])
    with pytest.warns(UserWarning, match=r"step\(s\) \[4\]"):
        m = small_rf().fit(X, y)
    assert m.forests_[3] is None
    p = m.predict(X)
    assert np.isnan(p[:, 3]).all() and np.isfinite(p[:, :3]).all()


def test_y_validation():
    X, y = toy()
    with pytest.raises(ValueError, match="6 rows but y has 5"):
        MetalMeanRegressor().fit(X, y[:5])
    with pytest.raises(ValueError, match="inf"):
        MetalMeanRegressor().fit(X, np.where(np.isnan(y), np.inf, y))
    with pytest.raises(ValueError, match="no measured"):
        MetalMeanRegressor().fit(X, np.full((6, 2), np.nan))
    with pytest.raises(TypeError, match="DataFrame"):
        MetalMeanRegressor().fit(X.to_numpy(), y)
    with pytest.raises(ValueError, match="missing required column"):
        MetalMeanRegressor().fit(X[["metal"]], y)


# --------------------------------------------------------------------------------------
# invalid rows
# --------------------------------------------------------------------------------------
def bad_frame():
    X, y = toy()
    X = X.copy()
    X.index = [10, 11, 12, 13, 14, 15]
    X.loc[11, "smiles"] = "C1CC"  # unclosed ring
    X.loc[13, "metal"] = "Hg(OH)2"
    return X, y


def test_row_errors():
    X, _ = bad_frame()
    errs = row_errors(X)
    assert list(errs.index) == list(X.index)
    assert errs[10] == "" and errs[12] == ""
    assert errs[11].startswith("smiles:")
    assert errs[13].startswith("metal:") and "polyatomic" in errs[13]
    cond = pd.DataFrame(
        {
            "metal": ["Cu2+"] * 4,
            "smiles": ["N"] * 4,
            "temperature": [25.0, np.nan, "warm", 37.0],
            "ionic_strength": [0.1, None, 0.5, -1.0],
        }
    )
    errs = row_errors(cond)
    assert errs.tolist()[:2] == ["", ""]  # NaN / None mean standard conditions
    assert errs[2].startswith("temperature:")
    assert errs[3].startswith("ionic_strength:") and "negative" in errs[3]


@pytest.mark.parametrize(
    "model",
    [MetalMeanRegressor(), small_rf(), small_trees(), GPRBeta1Regressor()],
    ids=["mean", "rf", "trees", "gpr"],
)
def test_on_error(model):
    X, y = bad_frame()
    with pytest.raises(ValueError, match=r"row 11 .*smiles") as info:
        clone(model).fit(X, y)
    assert "row 13" in str(info.value) and "on_error='flag'" in str(info.value)

    flag = clone(model).set_params(on_error="flag")
    with pytest.warns(UserWarning, match="2 invalid row"):
        flag.fit(X, y)
    assert flag.n_invalid_fit_ == 2

    state = dict(flag.__dict__)
    p = flag.predict(X)
    assert flag.__dict__.keys() == state.keys()  # predict sets no state
    assert np.isnan(p[[1, 3]]).all()
    assert np.isfinite(p[[0, 2, 4, 5], 0]).all()

    good = clone(model).fit(X.drop(index=[11, 13]), y[[0, 2, 4, 5]])
    with pytest.raises(ValueError, match=r"row 13 .*metal"):
        good.predict(X)
    # flagged rows in the test set are NaN, the others equal the clean model's predictions
    good_flag = clone(good).set_params(on_error="flag").fit(X.drop(index=[11, 13]), y[[0, 2, 4, 5]])
    np.testing.assert_allclose(
        good_flag.predict(X)[[0, 2, 4, 5]], good.predict(X.loc[[10, 12, 14, 15]])
    )


def test_invalid_on_error_value():
    X, y = toy()
    with pytest.raises(ValueError, match="on_error"):
        MetalMeanRegressor(on_error="ignore").fit(X, y)


# --------------------------------------------------------------------------------------
# sklearn behaviour
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model",
    [MetalMeanRegressor(), small_rf(), small_trees(), GPRBeta1Regressor()],
    ids=["mean", "rf", "trees", "gpr"],
)
def test_clone_and_params(model):
    c = clone(model)
    assert c.get_params() == model.get_params()
    c.set_params(on_error="flag")
    assert c.on_error == "flag" and model.on_error == "raise"
    tags = c.__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert tags.target_tags.multi_output


def test_params_are_not_validated_in_init():
    m = FingerprintForestRegressor(radius=-1)
    assert m.radius == -1
    X, y = toy()
    with pytest.raises(ValueError, match="radius"):
        m.fit(X, y)


def test_determinism():
    X, y = toy()
    p1 = small_rf().fit(X, y).predict(X)
    p2 = small_rf().fit(X, y).predict(X)
    np.testing.assert_array_equal(p1, p2)
    p3 = small_rf(max_features=0.5).set_params(random_state=1).fit(X, y).predict(X)
    assert not np.array_equal(p1, p3)
    g1 = GPRBeta1Regressor(random_state=0, n_restarts_optimizer=1).fit(X, y).predict(X)
    g2 = GPRBeta1Regressor(random_state=0, n_restarts_optimizer=1).fit(X, y).predict(X)
    np.testing.assert_array_equal(g1, g2)


def test_unseen_metal_predicted():
    X, y = toy()
    test = pd.DataFrame({"metal": ["Co2+", "Fe3+", "H+"], "smiles": ["NCCN", "NCC(=O)O", "N"]})
    for m in (small_rf(), small_trees(), GPRBeta1Regressor(), MetalMeanRegressor()):
        p = m.fit(X, y).predict(test)
        assert np.isfinite(p[:, 0]).all()


def test_descriptor_trees_use_the_gpr_descriptors_and_every_step():
    X, y = toy()
    trees = small_trees().fit(X, y)
    assert trees.feature_names_ == list(DESCRIPTOR_FEATURE_NAMES)
    assert [type(f).__name__ for f in trees.forests_] == ["ExtraTreesRegressor"] * 3
    assert all(f.n_features_in_ == len(DESCRIPTOR_FEATURE_NAMES) for f in trees.forests_)
    # the forest of step 3 saw only the two rows with a measured beta_3 (Ni2+ rows 2 and 5)
    assert trees.forests_[2].estimators_[0].tree_.n_node_samples[0] == 2
    # fully grown trees reproduce their training values: a mean of them is one of them
    p = trees.predict(X)
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p[[2, 5], 2], y[[2, 5], 2], atol=1e-9)
    # reproducible, the seed matters, and threads do not change the trees
    np.testing.assert_array_equal(p, small_trees().fit(X, y).predict(X))
    assert not np.array_equal(p, small_trees().set_params(random_state=1).fit(X, y).predict(X))
    np.testing.assert_allclose(p, small_trees(n_jobs=2).fit(X, y).predict(X), rtol=1e-12)


def test_descriptor_trees_step_without_values_is_nan():
    X, y = toy()
    y = np.column_stack([y, np.full(len(y), np.nan)])
    with pytest.warns(UserWarning, match=r"step\(s\) \[4\]"):
        trees = small_trees().fit(X, y)
    assert trees.forests_[3] is None
    assert np.isnan(trees.predict(X)[:, 3]).all()
    assert trees._scored_steps() == [0, 1, 2]


def test_gpr_return_std_and_features():
    X, y = toy()
    m = GPRBeta1Regressor(all_steps=True).fit(X, y)
    mean, std = m.predict(X, return_std=True)
    assert mean.shape == std.shape == (6, 3)
    assert (std > 0).all()
    np.testing.assert_allclose(mean, m.predict(X))
    m1 = GPRBeta1Regressor().fit(X, y)
    mean1, std1 = m1.predict(X, return_std=True)
    assert np.isnan(std1[:, 1:]).all() and (std1[:, 0] > 0).all()
    # constant columns (conditions, absent donor families) are dropped
    assert set(m1.feature_names_) < set(DESCRIPTOR_FEATURE_NAMES)
    assert "temperature" not in m1.feature_names_
    assert len(m1.feature_names_) == m1.scaler_.n_features_in_
    assert m1.gps_[0].kernel_.k1.k2.length_scale.shape == (len(m1.feature_names_),)
    assert m1.gps_[1] is None


def test_gpr_skips_rows_without_beta1():
    X, y = toy()
    y = y.copy()
    y[3, 0] = np.nan
    m = GPRBeta1Regressor().fit(X, y)
    assert m.gps_[0].X_train_.shape[0] == 5


def test_gpr_hyperparameters_on_a_subset_predict_with_every_row(monkeypatch):
    """max_optimizer_samples: the optimiser sees a seeded subset, the GP every row."""
    import skmetalpka.baselines.gpr as gpr_module

    X, y = toy()
    seen = []
    real = gpr_module._optimise_default_kernel

    def spy(kernel, Z, yy, alpha, n_restarts, rng):
        seen.append(len(yy))
        return real(kernel, Z, yy, alpha, n_restarts, rng)

    monkeypatch.setattr(gpr_module, "_optimise_default_kernel", spy)
    a = GPRBeta1Regressor(max_optimizer_samples=4, random_state=0).fit(X, y)
    b = GPRBeta1Regressor(max_optimizer_samples=4, random_state=0).fit(X, y)
    full = GPRBeta1Regressor(max_optimizer_samples=None, random_state=0).fit(X, y)
    assert seen == [4, 4, 6]
    assert a.gps_[0].X_train_.shape[0] == 6 == full.gps_[0].X_train_.shape[0]
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    with pytest.raises(ValueError, match="max_optimizer_samples"):
        GPRBeta1Regressor(max_optimizer_samples=1).fit(X, y)


def test_gpr_user_kernel():
    X, y = toy()
    m = GPRBeta1Regressor(kernel=RBF(10.0, length_scale_bounds="fixed")).fit(X, y)
    assert isinstance(m.gps_[0].kernel_, RBF)
    assert np.isfinite(m.predict(X)[:, 0]).all()


def test_fast_lml_matches_sklearn():
    rng = np.random.RandomState(0)
    Z = rng.randn(40, 4)
    y = np.sin(Z[:, 0]) + 0.1 * rng.randn(40)
    kernel = GPRBeta1Regressor()._default_kernel(4)
    gp = GaussianProcessRegressor(kernel=kernel, alpha=1e-6, normalize_y=True, optimizer=None)
    gp.fit(Z, y)
    theta = rng.uniform(-1, 1, kernel.theta.size)
    ref, ref_grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    lml, grad = _matern52_ard_lml(theta, Z, (y - y.mean()) / y.std(), 1e-6)
    assert lml == pytest.approx(ref, rel=1e-10)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-8)


def test_conditions_are_features():
    X, y = toy()
    X = X.assign(temperature=[25, 25, 37, 25, 25, 37], ionic_strength=np.nan)
    m = GPRBeta1Regressor().fit(X, y)
    assert "temperature" in m.feature_names_
    assert "ionic_strength" not in m.feature_names_  # all default -> constant -> dropped


def test_score_is_masked():
    X, y = toy()
    m = small_rf().fit(X, y)
    s = m.score(X, y)  # NaN targets would break sklearn's r2_score
    assert np.isfinite(s) and s <= 1.0
    g = GPRBeta1Regressor().fit(X, y)
    # only beta_1 is predicted: the score is the beta_1 R^2
    from skmetalpka.metrics import masked_r2

    assert g.score(X, y) == pytest.approx(masked_r2(y[:, :1], g.predict(X)[:, :1]))


# --------------------------------------------------------------------------------------
# real data
# --------------------------------------------------------------------------------------
def test_cross_validate_group_by_metal(nist_subset):
    X, y = nist_subset
    assert len(X) == 200 and X["metal"].nunique() == 10
    groups = X["metal"].to_numpy()
    scoring = {"rmse1": make_masked_scorer("rmse", step=1), "r2": make_masked_scorer("r2", 1)}
    results = {}
    for name, model in [
        ("mean", MetalMeanRegressor()),
        ("rf", FingerprintForestRegressor(n_estimators=50, n_bits=1024, random_state=0)),
        ("trees", DescriptorTreesRegressor(n_estimators=50, random_state=0)),
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)  # no silently flagged rows
            cv = cross_validate(
                model,
                X,
                y,
                groups=groups,
                cv=GroupKFold(n_splits=5),
                scoring=scoring,
                error_score="raise",
            )
        assert np.isfinite(cv["test_rmse1"]).all()
        results[name] = -cv["test_rmse1"].mean()
    # For unseen metals the mean model can only predict the global mean; the ligand-aware
    # forest must do better.
    assert results["rf"] < results["mean"]
    assert results["trees"] < results["mean"]


def test_gpr_on_real_subset(nist_subset):
    X, y = nist_subset
    idx = np.arange(0, 200, 2)  # 100 rows, 10 per metal
    cv = cross_validate(
        GPRBeta1Regressor(),
        X.iloc[idx],
        y[idx],
        groups=X["metal"].to_numpy()[idx],
        cv=GroupKFold(n_splits=3),
        scoring=make_masked_scorer("rmse", step=1),
        error_score="raise",
    )
    assert np.isfinite(cv["test_score"]).all()
    assert (-cv["test_score"] < 3 * np.nanstd(y[idx, 0])).all()


def test_gpr_keeps_the_ligand_descriptors_of_fit_time():
    """Ligand descriptors are stored at fit time; an object without them (saved before the
    chelate descriptors existed, see test_legacy_models) uses the legacy ones."""
    from skmetalpka.baselines._base import _descriptor_feature_names, _features, _parse_rows
    from skmetalpka.featurize.descriptors import (
        LEGACY_LIGAND_DESCRIPTOR_NAMES,
        LIGAND_DESCRIPTOR_NAMES,
    )

    X, y = toy()
    m = GPRBeta1Regressor().fit(X, y)
    assert m.ligand_descriptor_names_ == LIGAND_DESCRIPTOR_NAMES
    assert any(n.startswith("lig_chelate_") for n in m.feature_names_)
    del m.ligand_descriptor_names_
    assert m._ligand_names() == LEGACY_LIGAND_DESCRIPTOR_NAMES
    rows = _parse_rows(X)
    names = m._metal_names()
    F = _features(rows, "descriptors", metal_names=names, ligand_names=m._ligand_names())
    assert F.shape[1] == len(_descriptor_feature_names(names, LEGACY_LIGAND_DESCRIPTOR_NAMES))
    full = _features(rows, "descriptors", metal_names=names)
    assert full.shape[1] == F.shape[1] + len(LIGAND_DESCRIPTOR_NAMES) - len(
        LEGACY_LIGAND_DESCRIPTOR_NAMES
    )
    with pytest.raises(ValueError, match="not a prefix"):
        _features(rows, "descriptors", ligand_names=("tpsa",))
