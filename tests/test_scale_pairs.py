"""score_pairs: the cross product of a block of ligands with every metal, row-safe."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skmetalpka.baselines import MetalMeanRegressor
from skmetalpka.scale import pair_columns, score_pairs
from skmetalpka.speciation import conditional_log_k, log_alpha_h, log_alpha_oh

LIGANDS = pd.DataFrame(
    {
        "ligand_index": [10, 11, 12, 13],
        "ligand_id": ["en", "bad", "gly", "empty"],
        "smiles": ["NCCN", "C1CC", "NCC(=O)O", ""],
    }
)


def _mean_model(with_protons: bool = False) -> MetalMeanRegressor:
    metal = ["Cu2+", "Cu2+", "Ni2+"]
    smiles = ["NCCN", "NCC(=O)O", "NCCN"]
    y = [[10.0, 19.0], [8.0, 15.0], [7.0, 13.0]]
    if with_protons:  # H+ means: log beta^H = 9, 16
        metal += ["H+", "H+"]
        smiles += ["NCCN", "NCC(=O)O"]
        y += [[10.0, 17.0], [8.0, 15.0]]
    X = pd.DataFrame({"metal": metal, "smiles": smiles})
    return MetalMeanRegressor().fit(X, np.array(y))


def test_every_pair_once_ligand_major_with_errors_and_warnings():
    out = score_pairs(
        _mean_model(), LIGANDS, ["Cu2+", "Ni2+", "Fe3+"], known_metals=["Cu2+", "Ni2+"]
    )
    assert list(out.columns) == pair_columns(2, ligand_id=True)
    assert len(out) == 12
    assert out["ligand_index"].tolist() == [10] * 3 + [11] * 3 + [12] * 3 + [13] * 3
    assert out["metal"].tolist() == ["Cu2+", "Ni2+", "Fe3+"] * 4
    assert out["ligand_id"].tolist()[::3] == ["en", "bad", "gly", "empty"]
    ok = out["error"] == ""
    assert ok.tolist() == [True] * 3 + [False] * 3 + [True] * 3 + [False] * 3
    assert out.loc[~ok, ["log_beta_1", "log_beta_2"]].isna().all().all()
    assert out.loc[3, "error"].startswith("smiles:")
    # per-metal means; Fe3+ was not trained: global mean, with a warning
    np.testing.assert_allclose(out.loc[0, ["log_beta_1", "log_beta_2"]], [9.0, 17.0])
    np.testing.assert_allclose(out.loc[1, ["log_beta_1", "log_beta_2"]], [7.0, 13.0])
    np.testing.assert_allclose(out.loc[2, ["log_beta_1", "log_beta_2"]], [25 / 3, 47 / 3])
    assert out.loc[2, "warning"].startswith("metal Fe3+ was not in the training data")
    assert out.loc[0, "warning"] == "" and out.loc[5, "warning"] == ""
    assert out["ligand_index"].dtype == np.int64 and out["log_beta_1"].dtype == np.float64


def test_small_batches_give_the_same_table():
    model = _mean_model()
    big = score_pairs(model, LIGANDS, ["Cu2+", "Ni2+"])
    small = score_pairs(model, LIGANDS, ["Cu2+", "Ni2+"], batch_pairs=1)
    pd.testing.assert_frame_equal(big, small)


def test_conditional_constants_from_the_models_protonation_constants():
    model = _mean_model(with_protons=True)
    known = ["Cu2+", "Ni2+", "H+"]
    ligands = LIGANDS.iloc[[0, 2]]
    out = score_pairs(model, ligands, ["Cu2+"], ph=7.4, known_metals=known, hydrolysis=False)
    tag = "pH7.4"
    assert list(out.columns) == pair_columns(2, ph=7.4, ligand_id=True)
    # ethylenediamine: 2 protonation steps (two amines), log beta^H = 9, 16 (H+ means);
    # glycine: 2 ionisable groups (amine, carboxylate), the same means
    la = float(log_alpha_h([9.0, 16.0], 7.4))
    np.testing.assert_allclose(out[f"log_alpha_L_H_{tag}"], [la, la])
    np.testing.assert_allclose(out[f"log_alpha_M_OH_{tag}"], [0.0, 0.0])
    assert out.loc[0, f"conditional_log_beta_1_{tag}"] == pytest.approx(
        float(conditional_log_k(9.0, [9.0, 16.0], 7.4))
    )
    assert out.loc[0, f"conditional_log_beta_2_{tag}"] == pytest.approx(17.0 - 2 * la)
    # with the metal's hydrolysis (the default): one more log alpha_M(OH), from a database
    wet = score_pairs(model, ligands, ["Cu2+"], ph=7.4, known_metals=known)
    lm = float(log_alpha_oh("Cu2+", 7.4))
    assert lm > 0.1
    np.testing.assert_allclose(wet[f"log_alpha_M_OH_{tag}"], [lm, lm])
    for j in (1, 2):
        col = f"conditional_log_beta_{j}_{tag}"
        np.testing.assert_allclose(wet[col], out[col] - lm)
    assert (wet["hydrolysis_source"] != "").all()


def test_ph_needs_a_model_that_knows_protons_and_empty_inputs():
    with pytest.raises(ValueError, match="not trained on H\\+ rows"):
        score_pairs(_mean_model(), LIGANDS, ["Cu2+"], ph=7.0, known_metals=["Cu2+"])
    with pytest.raises(ValueError, match="metals is empty"):
        score_pairs(_mean_model(), LIGANDS, [])
    empty = score_pairs(_mean_model(), LIGANDS.iloc[:0], ["Cu2+"])
    assert len(empty) == 0 and list(empty.columns) == pair_columns(2, ligand_id=True)


def test_packaged_model_agrees_with_rank_ligands():
    from skmetalpka.pretrained import load_default_model
    from skmetalpka.screening import rank_ligands

    model = load_default_model()
    ligands = pd.DataFrame({"smiles": ["NCCN", "NCC(=O)O", "OC(=O)C(=O)O"]})
    out = score_pairs(model, ligands, ["Cu2+", "Zn2+"], ph=7.0)
    assert len(out) == 6 and (out["error"] == "").all()
    assert out["ligand_index"].tolist() == [0, 0, 1, 1, 2, 2]
    assert (out["log_beta_1_std"] > 0).all()  # an ensemble: standard deviations
    ranked = rank_ligands(model, ligands["smiles"].tolist(), "Zn2+", ph=7.0)
    mine = out[out["metal"] == "Zn2+"].set_index("smiles")
    theirs = ranked.set_index("smiles").loc[mine.index]
    np.testing.assert_allclose(mine["log_beta_1"], theirs["log_beta_1"], atol=1e-4)
    np.testing.assert_allclose(mine["log_beta_1_std"], theirs["log_beta_1_std"], atol=1e-4)
    np.testing.assert_allclose(
        mine["conditional_log_beta_1_pH7"], theirs["conditional_log_beta_1_pH7"], atol=1e-4
    )
