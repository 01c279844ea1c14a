"""MetalComplexRegressor and the default pipeline: sklearn contract, training behaviour."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, cross_validate
from skorch.callbacks import Callback

from skmetalpka.datasets import load_minteq, load_nist46
from skmetalpka.metrics import SCORERS
from skmetalpka.model import MetalComplexRegressor
from skmetalpka.model.regressor import warmup_cosine
from skmetalpka.pipelines import default_pipeline

SMALL = dict(hidden_dim=16, encoder_depth=1, star_layers=1, heads=2, batch_size=32)


@pytest.fixture(scope="module")
def minteq():
    X, y = load_minteq()
    return X, y


@pytest.fixture(scope="module")
def fitted(minteq):
    X, y = minteq
    pipe = default_pipeline(max_epochs=4, random_state=0, **SMALL)
    return pipe.fit(X, y)


def test_predict_shape_units_and_history(fitted, minteq):
    X, y = minteq
    pred = fitted.predict(X)
    assert pred.shape == y.shape
    assert np.isfinite(pred).all()
    model = fitted.named_steps["model"]
    assert model.n_steps_ == y.shape[1]
    h = model.history
    assert len(h) == 4
    for k in range(1, y.shape[1] + 1):
        assert f"valid_rmse_{k}" in h[-1]
    # predictions are in original units: the mean of beta_1 matches the data's scale
    assert abs(np.nanmean(pred[:, 0]) - np.nanmean(y[:, 0])) < 3.0


def test_joblib_round_trip_identical(fitted, minteq, tmp_path):
    X, _ = minteq
    path = tmp_path / "m.joblib"
    joblib.dump(fitted, path)
    again = joblib.load(path)
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))


def test_same_seed_same_predictions_and_clone(minteq):
    X, y = minteq
    a = default_pipeline(max_epochs=2, random_state=3, **SMALL).fit(X, y)
    b = clone(a).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    c = clone(a).set_params(model__random_state=4).fit(X, y)
    assert not np.allclose(a.predict(X), c.predict(X))


def test_get_set_params_round_trip():
    reg = MetalComplexRegressor(hidden_dim=24, site_mode="hard", backbone="global")
    params = reg.get_params(deep=False)
    assert params["hidden_dim"] == 24 and params["backbone"] == "global"
    reg2 = clone(reg)
    assert reg2.get_params(deep=False)["site_mode"] == "hard"
    reg2.set_params(encoder_depth=0, lr=0.01)
    assert reg2.encoder_depth == 0 and reg2.lr == 0.01


def test_flagged_rows_are_nan_not_lost(fitted):
    X = pd.DataFrame(
        {"metal": ["Cu2+", "Cu2+", "Xx9+", "Ni2+"], "smiles": ["NCCN", "C1CC(", "NCCN", "NCC(=O)O"]}
    )
    pipe = clone(fitted).set_params(graph__on_error="flag")
    # the fitted steps carry over: predict with a flagging featuriser on the fitted model
    fitted_flag = fitted.set_params(graph__on_error="flag")
    pred = fitted_flag.predict(X)
    fitted.set_params(graph__on_error="raise")
    assert pred.shape[0] == 4
    assert np.isnan(pred[1]).all() and np.isnan(pred[2]).all()
    assert np.isfinite(pred[0]).all() and np.isfinite(pred[3]).all()
    assert pipe.get_params()["graph__on_error"] == "flag"


def test_invalid_training_rows(minteq):
    X, y = minteq
    X = X.iloc[:40].copy()
    y = y[:40]
    X.loc[X.index[3], "smiles"] = "not-a-smiles"
    with pytest.raises(ValueError, match="row"):
        default_pipeline(max_epochs=1, **SMALL).fit(X, y)
    pipe = default_pipeline(on_error="flag", max_epochs=1, **SMALL).fit(X, y)
    assert pipe.named_steps["model"].n_invalid_fit_ == 1
    assert np.isnan(pipe.predict(X)[3]).all()


def test_training_lowers_validation_loss(nist_csv):
    """15 epochs on 400 real NIST rows; validation holds out whole ligands."""
    X, y = load_nist46(nist_csv)
    idx = np.random.default_rng(0).permutation(len(X))[:400]
    X, y = X.iloc[idx].reset_index(drop=True), y[idx]
    pipe = default_pipeline(max_epochs=15, patience=0, lr=1e-3, random_state=0, **SMALL).fit(X, y)
    h = pipe.named_steps["model"].history
    assert h[-1]["valid_loss"] < 0.85 * h[0]["valid_loss"]
    assert h[-1]["valid_rmse"] < h[0]["valid_rmse"]


def test_lr_schedule_has_floor():
    values = [warmup_cosine(e, warmup=5, total=100, floor=0.05) for e in range(200)]
    assert max(values) == pytest.approx(1.0)
    assert min(values) >= 0.05
    assert values[10] > 0.9  # no collapse within a few epochs
    assert values[150] == pytest.approx(0.05)


class _RecordWeights(Callback):
    """Keeps a copy of the module's weights after every epoch."""

    def on_train_begin(self, net, **kwargs):
        self.states = []

    def on_epoch_end(self, net, **kwargs):
        self.states.append({k: v.detach().clone() for k, v in net.module_.state_dict().items()})


def test_weight_averaging_keeps_the_mean_of_the_last_epochs(minteq):
    X, y = minteq
    recorder = _RecordWeights()
    pipe = default_pipeline(
        max_epochs=5,
        weight_averaging=0.4,
        train_split=None,
        callbacks=[("record", recorder)],
        **SMALL,
    ).fit(X.iloc[:60], y[:60])
    model = pipe.named_steps["model"]
    assert model.history[-1, "weights_averaged"] == 2  # ceil(0.4 * 5) epochs
    kept = model.module_.state_dict()
    last, before = recorder.states[-1], recorder.states[-2]
    name = next(k for k, v in kept.items() if v.dtype.is_floating_point and v.ndim == 2)
    torch.testing.assert_close(kept[name], (last[name] + before[name]) / 2)
    assert not torch.allclose(kept[name], last[name])
    # the averaged network is what predict uses, and it survives pickling
    again = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(again.predict(X.iloc[:5]), pipe.predict(X.iloc[:5]))


def test_weight_averaging_out_of_range_is_explained(minteq):
    X, y = minteq
    pipe = default_pipeline(max_epochs=2, weight_averaging=1.5, train_split=None, **SMALL)
    with pytest.raises(ValueError, match="weight_averaging must be in"):
        pipe.fit(X.iloc[:20], y[:20])


def test_cross_validate_group_by_metal(minteq):
    X, y = minteq
    pipe = default_pipeline(max_epochs=2, train_split=None, **SMALL)
    res = cross_validate(
        pipe,
        X,
        y,
        groups=X["metal"],
        cv=GroupKFold(n_splits=2),
        scoring={"rmse": SCORERS["neg_rmse_beta"], "rmse1": SCORERS["neg_rmse_beta1"]},
        error_score="raise",
    )
    assert np.all(np.isfinite(res["test_rmse"])) and np.all(res["test_rmse"] < 0)


def test_wrong_input_type_is_explained():
    with pytest.raises(TypeError, match="default_pipeline"):
        MetalComplexRegressor().fit(pd.DataFrame({"metal": ["Cu2+"], "smiles": ["N"]}), [[1.0]])


def test_progress_bar_option_trains_and_pickles(minteq, capsys):
    X, y = minteq
    pipe = default_pipeline(max_epochs=2, progress=True, **SMALL).fit(X.iloc[:40], y[:40])
    assert "training" in capsys.readouterr().err
    again = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(again.predict(X.iloc[:3]), pipe.predict(X.iloc[:3]))


def test_davies_mode_moves_predictions_with_ionic_strength_by_the_davies_shift():
    """With ionic_strength_model='davies' the network predicts at I = 0 and the reported
    constant at I follows the Davies equation exactly; 'learned' gives I to the network."""
    import pandas as pd

    from skmetalpka import default_pipeline
    from skmetalpka.conditions import ionic_strength_shift

    X = pd.DataFrame(
        {
            "metal": ["Cu2+", "Cu2+", "Ni2+", "Ni2+", "Zn2+", "Zn2+"],
            "smiles": ["NCC(=O)O", "NCCN", "NCC(=O)O", "NCCN", "NCC(=O)O", "NCCN"],
            "ionic_strength": [0.1, 0.1, 0.0, 0.1, 0.5, 0.1],
        }
    )
    y = np.array([[8.2, 15.0], [10.5, 19.6], [5.8, 10.6], [7.3, 13.5], [5.0, 9.1], [5.7, 10.6]])
    pipe = default_pipeline(max_epochs=3, hidden_dim=16, heads=2, random_state=0).fit(X, y)
    q = pd.DataFrame({"metal": ["Cu2+"] * 3, "smiles": ["NCC(=O)O"] * 3})
    at = {i: pipe.predict(q.assign(ionic_strength=i)) for i in (0.0, 0.1, 0.5)}
    expected = (
        ionic_strength_shift([2], [-1], [0.5], 2)[0] - ionic_strength_shift([2], [-1], [0.1], 2)[0]
    )
    np.testing.assert_allclose(at[0.5][0] - at[0.1][0], expected, atol=1e-5)
    assert np.all(at[0.5][0] < at[0.0][0])  # Cu2+ + glycinate-: charges cancel, K falls with I
    neutral = q.assign(smiles="NCCN")
    np.testing.assert_allclose(  # Cu2+ + en: no charge change on binding, no Davies shift
        pipe.predict(neutral.assign(ionic_strength=0.5)),
        pipe.predict(neutral.assign(ionic_strength=0.0)),
        atol=1e-5,
    )
    with pytest.raises(ValueError, match="ionic_strength_model"):
        default_pipeline(max_epochs=1, ionic_strength_model="sit").fit(X, y)


def test_metal_embedding_has_one_row_per_ion_however_spelled():
    """``metal_embedding=True`` keys the embedding on the canonical ion: "Cu+2" is "Cu2+"."""
    X = pd.DataFrame(
        {
            "metal": ["Cu2+", "Cu+2", "Ni2+", "Ni(II)", "Zn2+", "Zn2+"],
            "smiles": ["NCCN", "NCC(=O)O", "NCCN", "NCC(=O)O", "NCCN", "OC(=O)C(=O)O"],
        }
    )
    y = np.array([[10.0, 19.0], [8.0, 15.0], [7.0, 13.0], [5.0, np.nan], [6.0, 11.0], [4.0, 7.0]])
    pipe = default_pipeline(max_epochs=2, random_state=0, metal_embedding=True, **SMALL)
    pipe.fit(X, y)
    net = pipe[-1]
    assert net.metals_ == ["Cu2+", "Ni2+", "Zn2+"]
    assert net.metal_index_ == {"Cu2+": 1, "Ni2+": 2, "Zn2+": 3}
    query = pd.DataFrame({"metal": ["Cu2+", "Cu+2", "Co2+"], "smiles": ["NCCN"] * 3})
    pred = pipe.predict(query)
    np.testing.assert_array_equal(pred[0], pred[1])  # one ion, one embedding row
    assert np.all(np.isfinite(pred[2]))  # an unseen ion takes the shared unknown row
