"""The packaged default model: present, small, documented, and usable with no data or training."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from skmetalpka.baselines import MetalMeanRegressor, SeriesInterpolationRegressor
from skmetalpka.cli import main
from skmetalpka.featurize.descriptors import LIGAND_DESCRIPTOR_NAMES
from skmetalpka.model import BlendRegressor, EnsembleRegressor, ResidualKriging
from skmetalpka.pretrained import MODEL_CARD, default_model_path, load_default_model


def test_packaged_model_is_small_and_has_a_card():
    path = default_model_path()
    assert path.is_file(), "run `python benchmarks/train_default.py` to create the packaged model"
    assert path.stat().st_size <= 2_000_000  # the issue allows 5 MB; tracked files stay < 2 MB
    card = (path.parent / MODEL_CARD).read_text(encoding="utf-8")
    for section in ("## Data", "## Validation policy and metrics", "## Known limits", "## Retrain"):
        assert section in card
    model, meta = load_default_model(return_meta=True)
    assert meta["model"] == "gnn" and "H+" in meta["trained_metals"]
    # Trained on the multi-source corpus: lanthanides, actinides and hard trivalent ions too.
    for metal in ("La3+", "Lu3+", "Fe3+", "Al3+", "UO2 2+", "Cu2+"):
        assert metal in meta["trained_metals"], metal
    # A blend of a kriged ensemble (residual kriging around a calibrated deep ensemble), the
    # kriged per-metal mean, which gets no weight for metals the corpus lacks, and the
    # lanthanide/actinide series interpolation, which keeps its weight there.
    assert isinstance(model, BlendRegressor)
    assert [n for n, _ in model.estimators] == ["gnn", "kriged_mean", "series"]
    gnn, kriged, series = model.estimators_
    assert isinstance(gnn, ResidualKriging) and isinstance(gnn.estimator_, EnsembleRegressor)
    assert isinstance(kriged, ResidualKriging) and isinstance(kriged.estimator_, MetalMeanRegressor)
    assert isinstance(series, SeriesInterpolationRegressor) and len(series.values_) > 300
    np.testing.assert_allclose(model.weights_, [1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(model.unseen_metal_weights_, [0.5, 0.0, 0.5])
    assert model.max_steps == {"kriged_mean": 1}  # the series answers log beta_1 only anyway
    assert len(gnn.ligands_) > 800 and "La3+" in gnn.kriging_metals_
    assert np.isfinite(gnn.theta_[0]).all() and np.isfinite(kriged.theta_[0]).all()
    # trained with the chelate-topology descriptors; the network kriged on fingerprints alone,
    # the per-metal mean with the chelate-aware similarity
    assert not gnn.chelate_similarity and kriged.chelate_similarity
    graph = gnn.estimator_.estimators_[0].estimator_.named_steps["graph"]
    assert graph.n_ligand_features_ == len(LIGAND_DESCRIPTOR_NAMES)
    assert "H+" in model.metals_ and "H+" not in model.fit_metals_
    # The parameters name the unfitted recipe: a clone retrains everything.
    assert not hasattr(model.estimators[0][1], "estimator_")
    # Calibrated spread, per metal family and seen/unseen metal (model.calibration).
    calibration = gnn.estimator_.std_calibration
    assert calibration and {"cells", "pooled", "overall"} <= set(calibration)
    assert "rare earth|seen" in calibration["cells"] and "rare earth|unseen" in calibration["cells"]


def test_packaged_blend_answers_with_the_network_alone_for_new_metals_and_protons():
    model = load_default_model()
    gnn, kriged, series = model.estimators_
    nta, edta = "OC(=O)CN(CC(=O)O)CC(=O)O", "OC(=O)CN(CC(=O)O)CCN(CC(=O)O)CC(=O)O"
    X = pd.DataFrame(
        {
            # Ho3+ and Tb3+: no measured constant in the corpus; the glycolamide-like ligand
            # below was never measured with a lanthanide
            "metal": ["Cu2+", "Nd3+", "Tb3+", "Ho3+", "Ho3+", "H+"],
            "smiles": ["NCCN", nta, nta, edta, "CCNC(=O)CO", "NCCN"],
        }
    )
    assert "Ho3+" not in model.fit_metals_ and "Tb3+" not in model.fit_metals_
    blend, net, mean, ser = model.predict(X), gnn.predict(X), kriged.predict(X), series.predict(X)
    assert np.isnan(ser[[0, 4, 5], 0]).all() and np.isfinite(ser[1:4, 0]).all()
    # a measured metal: network and kriged mean (+ the series for a lanthanide), log beta_1
    np.testing.assert_allclose(blend[0, 0], (net[0, 0] + mean[0, 0]) / 2)
    np.testing.assert_allclose(blend[1, 0], (net[1, 0] + mean[1, 0] + ser[1, 0]) / 3)
    # a lanthanide the corpus lacks, for a ligand measured with its neighbours: network and
    # series; log beta_2... (and everything without neighbours, protons too): the network alone
    np.testing.assert_allclose(blend[2:4, 0], (net[2:4, 0] + ser[2:4, 0]) / 2)
    np.testing.assert_allclose(blend[:4, 1:], net[:4, 1:])
    np.testing.assert_allclose(blend[4:], net[4:])
    # Ho3+-EDTA lies between Dy3+ and Er3+ (measured 18.3 and 18.9)
    assert 17.5 < blend[3, 0] < 18.5


def test_packaged_model_narrows_sigma_only_where_it_has_measured_neighbours():
    model = load_default_model().named_estimators_["gnn"]
    edta = "OC(=O)CN(CC(=O)O)CCN(CC(=O)O)CC(=O)O"  # measured with every lanthanide
    X = pd.DataFrame({"metal": ["Nd3+", "Nd3+"], "smiles": [edta, "CCCCCCCCCCCCCCCCCCCC(=O)O"]})
    mean, std = model.predict(X, return_std=True)
    base_mean, base_std = model.estimator_.predict(X, return_std=True)
    assert np.all(std <= base_std + 1e-9)
    # EDTA, measured with Pr3+, Sm3+ ...: kriging explains part of the variance, at most s_f^2
    explained = base_std[0, 0] ** 2 - std[0, 0] ** 2
    assert 0.3 < explained <= model.theta_[0, 0] + 1e-9
    assert std[1, 0] > 0.95 * base_std[1, 0]  # a long fatty acid: nothing alike was measured
    assert abs(mean[0, 0] - 16.6) < abs(base_mean[0, 0] - 16.6) + 0.1  # Nd-EDTA log K1 ~ 16.6


def test_predict_on_a_fresh_install_needs_no_model_argument(capsys):
    assert main(["predict", "--smiles", "NCCN", "--metal", "Cu2+", "--std"]) == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out), keep_default_na=False)
    assert frame["error"].iloc[0] == "" and frame["warning"].iloc[0] == ""
    beta = frame[[c for c in frame.columns if c.startswith("log_beta_") and "std" not in c]]
    values = beta.iloc[0].astype(float).to_numpy()
    assert np.all(np.isfinite(values)) and 5 < values[0] < 15  # Cu-en log beta_1 is 10.5
    std = frame[[c for c in frame.columns if c.endswith("_std")]].iloc[0].astype(float)
    assert np.all(std > 0)


def test_rank_with_the_packaged_model(capsys):
    assert main(["rank", "--smiles", "NCCN", "--metals", "Cu2+,Ca2+", "--ph", "7"]) == 0
    out = capsys.readouterr().out
    # copper binds ethylenediamine far more strongly than calcium: first row
    first = [line for line in out.splitlines() if line.strip().startswith("1")][0]
    assert "Cu2+" in first
