"""Learning from protons: weighted loss, pre-training phase, ProtonTransferRegressor."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from skmetalpka import default_pipeline, load_minteq
from skmetalpka.cli import main
from skmetalpka.model import MaskedHuberLoss, ProtonTransferRegressor, exclude_ligands

SMALL = {"max_epochs": 3, "hidden_dim": 16, "heads": 2, "encoder_depth": 1, "star_layers": 1}


@pytest.fixture(scope="module")
def tables():
    X, y = load_minteq()
    Xp, yp = load_minteq(kind="proton")
    return X, y, Xp, yp


def test_weighted_loss_by_hand():
    loss = MaskedHuberLoss(scale=[1.0, 2.0], delta=10.0)
    pred = torch.tensor([[1.0, 2.0], [0.0, 0.0]])
    target = torch.tensor([[0.0, 0.0], [2.0, float("nan")]])
    # squared halves: row 0 -> 0.5 * 1, 0.5 * 1 (2 / 2); row 1 -> 0.5 * 4
    assert float(loss(pred, target)) == pytest.approx((0.5 + 0.5 + 2.0) / 3)
    w = torch.tensor([1.0, 3.0])
    assert float(loss(pred, target, w)) == pytest.approx((0.5 + 0.5 + 3 * 2.0) / (1 + 1 + 3))
    assert float(loss(pred, target, torch.tensor([1.0, 0.0]))) == pytest.approx(0.5)


def test_unit_sample_weights_change_nothing(tables):
    X, y, _, _ = tables
    a = default_pipeline(**SMALL).fit(X, y).predict(X)
    b = default_pipeline(**SMALL).fit(X, y, model__sample_weight=np.ones(len(X))).predict(X)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    c = default_pipeline(**SMALL).fit(X, y, model__sample_weight=np.linspace(0.1, 3, len(X)))
    assert not np.allclose(a, c.predict(X), atol=1e-3)
    with pytest.raises(ValueError, match="sample_weight must be finite"):
        default_pipeline(**SMALL).fit(X, y, model__sample_weight=-np.ones(len(X)))
    with pytest.raises(ValueError, match="sample_weight has 3 values"):
        default_pipeline(**SMALL).fit(X, y, model__sample_weight=np.ones(3))


@pytest.mark.parametrize("mode", ["pretrain", "joint", "none"])
def test_transfer_modes_fit_predict_and_persist(tables, mode, tmp_path):
    X, y, Xp, yp = tables
    model = ProtonTransferRegressor(default_pipeline(**SMALL), mode=mode, pretrain_epochs=2)
    model.fit(X, y, proton_X=Xp, proton_y=yp)
    width = max(y.shape[1], yp.shape[1])
    assert model.n_steps_ == width
    pred = model.predict(X)
    assert pred.shape == (len(X), width) and np.isfinite(pred).all()
    assert model.predict(Xp).shape == (len(Xp), width)  # H+ rows: protonation constants
    net = model.estimator_[-1]
    if mode == "pretrain":
        assert len(net.pretrain_history_) == 2 and len(net.history) == 3
        assert "H+" in model.metals_ and model.n_proton_rows_ == len(Xp)
    elif mode == "joint":
        assert net.pretrain_history_ is None and "H+" in net.metals_
    else:
        assert model.n_proton_rows_ == 0 and "H+" not in model.metals_
    path = tmp_path / "m.joblib"
    joblib.dump(model, path)
    assert joblib.load(path).predict(X).tobytes() == pred.tobytes()
    from skmetalpka.persistence import load_model, save_model

    safe = save_model(model, tmp_path / "m.skmodel", model="gnn", trained_on="test")
    assert safe["file_format"] == "skmodel"
    back = load_model(tmp_path / "m.skmodel")
    assert back.predict(X).tobytes() == pred.tobytes()
    assert back.get_params()["mode"] == mode and back.metals_ == model.metals_
    again = back.estimator_[-1]  # training histories are kept (not compact)
    assert [r["train_loss"] for r in again.history] == [r["train_loss"] for r in net.history]
    if mode == "pretrain":
        assert len(again.pretrain_history_) == len(net.pretrain_history_)


def test_transfer_keeps_the_sklearn_contract(tables):
    X, y, Xp, yp = tables
    model = ProtonTransferRegressor(default_pipeline(**SMALL), proton_weight=0.25)
    params = model.get_params()
    assert params["proton_weight"] == 0.25 and params["estimator__model__hidden_dim"] == 16
    model.set_params(estimator__model__max_epochs=2, pretrain_epochs=1)
    twin = clone(model)
    assert twin.get_params()["estimator__model__max_epochs"] == 2
    assert not hasattr(twin, "estimator_")
    assert twin.fit(X, y, proton_X=Xp, proton_y=yp) is twin
    assert model.estimator.named_steps["model"].__dict__.get("module_") is None  # not fitted
    # same seed, same data: the same predictions
    again = clone(model).fit(X, y, proton_X=Xp, proton_y=yp)
    np.testing.assert_array_equal(twin.predict(X), again.predict(X))


def test_transfer_argument_errors(tables):
    X, y, Xp, yp = tables
    with pytest.raises(ValueError, match="mode must be one of"):
        ProtonTransferRegressor(default_pipeline(**SMALL), mode="both").fit(X, y, Xp, yp)
    with pytest.raises(ValueError, match="give both proton_X and proton_y"):
        ProtonTransferRegressor(default_pipeline(**SMALL)).fit(X, y, proton_X=Xp)
    with pytest.raises(ValueError, match="proton_weight must be a number"):
        ProtonTransferRegressor(default_pipeline(**SMALL), proton_weight=-1).fit(X, y, Xp, yp)
    with pytest.raises(ValueError, match="ending in a MetalComplexRegressor"):
        ProtonTransferRegressor(default_pipeline(**SMALL)[:-1]).fit(X, y, Xp, yp)


def test_pretrain_graphs_must_match_n(tables):
    X, y, Xp, yp = tables
    pipe = default_pipeline(**SMALL, max_ligands=5)
    feats = pipe[:-1].fit(X, y)
    other = default_pipeline(max_ligands=6)[:-1].fit(Xp, yp)
    with pytest.raises(ValueError, match="expand both with the same LigandCountExpander"):
        pipe.fit(X, y, model__pretrain_X=other.transform(Xp), model__pretrain_y=yp)
    with pytest.raises(ValueError, match="give both pretrain_X and pretrain_y"):
        pipe.fit(X, y, model__pretrain_X=feats.transform(Xp))


def test_exclude_ligands_matches_any_spelling():
    Xp = pd.DataFrame({"metal": ["H+"] * 4, "smiles": ["NCCN", "C(N)CN", "OC(=O)CN", "NCC(O)=O"]})
    yp = np.arange(4.0)[:, None]
    kept_X, kept_y = exclude_ligands(Xp, yp, ["NCCN"])  # both spellings of ethylenediamine go
    assert kept_X["smiles"].tolist() == ["OC(=O)CN", "NCC(O)=O"]
    np.testing.assert_array_equal(kept_y[:, 0], [2.0, 3.0])


def test_cli_fit_with_proton_pretraining(tmp_path, capsys):
    proton = tmp_path / "proton.csv"
    Xp, yp = load_minteq(kind="proton")
    frame = Xp[["metal", "smiles"]].copy()
    for k in range(yp.shape[1]):
        frame[f"log_beta_{k + 1}"] = yp[:, k]
    frame.to_csv(proton, index=False)
    out = tmp_path / "m.skmodel"
    params = '{"max_epochs": 2, "hidden_dim": 16, "heads": 2, "encoder_depth": 1}'
    code = main(
        [
            "fit",
            "--params",
            params,
            "--pretrain-proton",
            str(proton),
            "--proton-mode",
            "joint",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "saved gnn model" in capsys.readouterr().out
    assert main(["predict", "--model", str(out), "--smiles", "NCCN", "--metal", "H+"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[1].startswith("H+,NCCN,") and text.strip().endswith(",,")
    assert (
        main(
            [
                "fit",
                "--data",
                "minteq",
                "--model",
                "rf",
                "--pretrain-proton",
                str(proton),
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "--pretrain-proton needs --model gnn" in capsys.readouterr().err


def test_load_proton_data_reads_the_nist_proton_table(nist_dir, tmp_path):
    from skmetalpka.io import InputError, load_proton_data

    X, y, report = load_proton_data(nist_dir / "nist46_proton.csv")
    assert len(X) == 3274 and set(X["metal"]) == {"H+"} and y.shape == (3274, 6)
    assert report.n_read == report.n_kept + sum(report.dropped.values())
    X2, _, _ = load_proton_data(nist_dir)  # the folder works too
    assert len(X2) == len(X)
    bad = tmp_path / "bad.csv"
    bad.write_text("metal,smiles,log_beta_1\nCu2+,NCCN,10\n", encoding="utf-8")
    with pytest.raises(InputError, match="must hold H\\+ rows only"):
        load_proton_data(bad)
