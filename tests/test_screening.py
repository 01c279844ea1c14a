"""Decisions from predicted constants: screening rules, rank/speciate/predict --std commands,
and the packaged-model fallback."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from skmetalpka import load_minteq
from skmetalpka.cli import main
from skmetalpka.io import load_model
from skmetalpka.screening import (
    knows_protons,
    n_complex_steps,
    n_protonation_steps,
    predict_constants,
    rank_ligands,
    rank_metals,
)
from skmetalpka.speciation import conditional_log_k, log_alpha_oh, speciate

EDTA = "OC(=O)CN(CCN(CC(=O)O)CC(=O)O)CC(=O)O"
SMALL = {"max_epochs": 3, "hidden_dim": 16, "heads": 2, "encoder_depth": 1, "star_layers": 1}


@pytest.mark.parametrize(
    ("smiles", "protons", "complexes"),
    [
        ("NCCN", 2, 3),  # two amines: H2en2+, Cu(en)3
        ("NCC(=O)O", 2, 3),  # glycine: amine + carboxylate
        (EDTA, 6, 1),  # 2 amines + 4 carboxylates; one EDTA fills the metal
        ("CC(=O)O", 1, 6),  # acetate: monodentate
        ("N", 1, 6),  # ammonia
        ("C", 0, 6),  # no donor at all: at least one complex is kept anyway (capped by N)
        ("OP(=O)(O)CN", 3, 3),  # aminomethylphosphonic acid: 2 + 1 protons
    ],
)
def test_protonation_and_complex_step_rules(smiles, protons, complexes):
    assert n_protonation_steps(smiles) == protons
    assert n_complex_steps(smiles, 6) == complexes
    assert n_complex_steps(smiles, 2) == min(complexes, 2)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A 2-member joint metal + proton ensemble, and a metal-only single model."""
    folder = tmp_path_factory.mktemp("screening")
    Xp, yp = load_minteq(kind="proton")
    proton = folder / "proton.csv"
    frame = Xp[["metal", "smiles"]].copy()
    for k in range(yp.shape[1]):
        frame[f"log_beta_{k + 1}"] = yp[:, k]
    frame.to_csv(proton, index=False)
    joint = folder / "joint.skmodel"
    params = json.dumps({**SMALL, "n_members": 2})
    args = [
        "fit",
        "--data",
        "minteq",
        "--params",
        params,
        "--pretrain-proton",
        str(proton),
        "--proton-mode",
        "joint",
    ]
    assert main([*args, "--out", str(joint), "-q"]) == 0
    single = folder / "single.skmodel"
    assert (
        main(["fit", "--data", "minteq", "--params", json.dumps(SMALL), "--out", str(single), "-q"])
        == 0
    )
    return {"joint": joint, "single": single}


def test_predict_constants_uses_the_models_protons(models):
    est, meta = load_model(models["joint"], return_meta=True)
    assert knows_protons(est) and "H+" in meta["trained_metals"]
    pc = predict_constants(est, "NCCN", "Cu2+", trained_metals=meta["trained_metals"])
    assert pc.log_beta.shape == (3,) and pc.protonation.shape == (2,)
    assert np.all(pc.log_beta_std >= 0) and np.all(np.isfinite(pc.protonation_std))
    X = pd.DataFrame({"metal": ["Cu2+", "H+"], "smiles": ["NCCN", "NCCN"]})
    mean, _ = est.predict(X, return_std=True)
    np.testing.assert_allclose(pc.log_beta, mean[0, :3])
    np.testing.assert_allclose(pc.protonation, mean[1, :2])
    given = predict_constants(est, "NCCN", "Cu2+", protonation=[9.93, 17.01, np.nan], n_steps=2)
    np.testing.assert_array_equal(given.protonation, [9.93, 17.01])
    assert given.log_beta.shape == (2,) and "given by the user" in given.notes[-1]
    single = load_model(models["single"])
    plain = predict_constants(single, "NCCN", "Cu2+")
    assert plain.protonation.size == 0 and "not trained on H+" in plain.notes[-1]
    assert np.all(np.isnan(plain.log_beta_std))
    with pytest.raises(ValueError, match="cannot predict .*Xx9\\+"):
        predict_constants(est, "NCCN", "Xx9+")


def test_rank_metals_and_ligands_by_conditional_constant(models):
    est, meta = load_model(models["joint"], return_meta=True)
    known = meta["trained_metals"]
    table = rank_metals(est, "NCCN", ["Cu2+", "Ni2+", "Xx9+", "Zn2+"], ph=7, trained_metals=known)
    assert table["metal"].iloc[-1] == "Xx9+" and table["error"].iloc[-1].startswith("metal:")
    cond = table["conditional_log_beta_1_pH7"].to_numpy()
    assert np.all(np.diff(cond[:3]) <= 0)  # best first
    # by hand for the top row: log beta_1 - log alpha_H(L) - log alpha_OH(M) with the
    # predicted protonation and the metal's hydrolysis (minteq.v4)
    X = pd.DataFrame({"metal": ["H+"], "smiles": ["NCCN"]})
    prot = est.predict(X)[0, :2]
    top = table["metal"].iloc[0]
    hand = conditional_log_k(table["log_beta_1"].iloc[0], prot, 7) - log_alpha_oh(top, 7.0)
    assert cond[0] == pytest.approx(float(hand))
    assert table["log_alpha_M_OH_pH7"].iloc[0] == pytest.approx(float(log_alpha_oh(top, 7.0)))
    assert table["log_alpha_M_OH_pH7"].iloc[0] > 0
    assert table["hydrolysis_source"].iloc[:3].tolist() == ["minteq.v4.dat"] * 3
    assert np.isnan(table["log_alpha_M_OH_pH7"].iloc[-1])  # invalid metal
    plain = rank_metals(est, "NCCN", ["Cu2+"], ph=7, trained_metals=known, hydrolysis=False)
    assert plain["conditional_log_beta_1_pH7"].iloc[0] == pytest.approx(
        float(conditional_log_k(plain["log_beta_1"].iloc[0], prot, 7))
    )
    assert np.all(table["log_beta_1_std"].iloc[:3] >= 0)
    ligands = rank_ligands(est, ["NCCN", "NCC(=O)O", "CC(=O)O"], "Cu2+", ph=5, trained_metals=known)
    assert set(ligands["smiles"]) == {"NCCN", "NCC(=O)O", "CC(=O)O"}
    assert np.all(np.diff(ligands["conditional_log_beta_1_pH5"].to_numpy()) <= 0)


def test_cli_rank(models, tmp_path, capsys):
    out = tmp_path / "rank.csv"
    code = main(
        [
            "rank",
            "--model",
            str(models["joint"]),
            "--smiles",
            "NCCN",
            "--metals",
            "Cu2+,Ni2+,Zn2+",
            "--ph",
            "6",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    text = captured.out
    assert "conditional_log_beta_1_pH6" in text and "Cu2+" in text
    assert "metal hydrolysis (log alpha_M(OH)) from minteq.v4.dat" in captured.err
    table = pd.read_csv(out)
    assert list(table["metal"].sort_values()) == ["Cu2+", "Ni2+", "Zn2+"]
    assert (table["log_alpha_M_OH_pH6"] > 0).all()
    assert main(["rank", "--model", str(models["joint"]), "--smiles", "NCCN", "--metals",
                 "Cu2+,Au3+", "--no-hydrolysis", "--output", str(out)]) == 0  # fmt: skip
    assert "metal hydrolysis" not in capsys.readouterr().err
    assert (pd.read_csv(out)["log_alpha_M_OH_pH7"] == 0).all()
    smiles_csv = tmp_path / "ligands.csv"
    smiles_csv.write_text("name,smiles\nen,NCCN\ngly,NCC(=O)O\n", encoding="utf-8")
    assert (
        main(
            [
                "rank",
                "--model",
                str(models["joint"]),
                "--smiles-file",
                str(smiles_csv),
                "--metal",
                "Cu2+",
            ]
        )
        == 0
    )
    assert "NCC(=O)O" in capsys.readouterr().out
    plain = tmp_path / "plain.txt"
    plain.write_text("NCCN\nNCC(=O)O\n\n", encoding="utf-8")
    assert (
        main(
            [
                "rank",
                "--model",
                str(models["single"]),
                "--smiles-file",
                str(plain),
                "--metal",
                "Ni2+",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert captured.out.count("Ni2+") == 2 and "no conditional constants" in captured.err
    assert main(["rank", "--model", str(models["joint"]), "--smiles", "NCCN"]) == 2
    assert "--smiles and --metals go together" in capsys.readouterr().err


def test_cli_speciate_reports_the_hydrolysis_database(tmp_path, capsys):
    base = ["speciate", "--smiles", "NCCN", "--metal", "Fe3+", "--log-beta", "4",
            "--protonation", "9.93,17.01", "--ph", "2:8:1"]  # fmt: skip
    assert main([*base, "--out", str(tmp_path / "fe")]) == 0
    text = capsys.readouterr().out
    assert "metal hydrolysis: 6 hydroxo complex(es) from minteq.v4.dat" in text
    assert "may precipitate: Ferrihydrite" in text and "solid" in text
    meta = json.loads((tmp_path / "fe" / "constants.json").read_text())
    assert meta["hydrolysis_source"] == "minteq.v4.dat" and meta["precipitation"] == [
        "Ferrihydrite"
    ]
    frame = pd.read_csv(tmp_path / "fe" / "speciation.csv")
    assert {"M:MOH", "M:M2(OH)2", "M:solid"} <= set(frame.columns)
    # --hydrolysis none: the ligand-only model
    assert main([*base, "--hydrolysis", "none", "--out", str(tmp_path / "plain")]) == 0
    got = pd.read_csv(tmp_path / "plain" / "speciation.csv")
    expected = speciate([4.0], "Fe3+", protonation=[9.93, 17.01], ph=np.arange(2, 8.01, 1.0),
                        hydrolysis=False)  # fmt: skip
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-9)
    assert (
        json.loads((tmp_path / "plain" / "constants.json").read_text())["hydrolysis_source"] is None
    )
    # an ion without hydrolysis data: a warning, and the file says so
    assert main(["speciate", "--smiles", "NCCN", "--metal", "Au3+", "--log-beta", "8",
                 "--protonation", "9.93", "--ph", "7", "--out", str(tmp_path / "au")]) == 0  # fmt: skip
    assert "warning: llnl.dat defines Au3+ but no hydroxo complex" in capsys.readouterr().err


def test_cli_speciate_with_given_constants_matches_the_library(tmp_path, capsys):
    out = tmp_path / "cu_en"
    code = main(
        [
            "speciate",
            "--smiles",
            "NCCN",
            "--metal",
            "Cu2+",
            "--log-beta",
            "10.5,19.6",
            "--protonation",
            "9.93,17.01",
            "--ph",
            "2:12:0.5",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "dominant metal species: pH 2.0: free" in text and "ML2" in text
    got = pd.read_csv(out / "speciation.csv")
    expected = speciate(
        [10.5, 19.6], "Cu2+", protonation=[9.93, 17.01], ph=np.arange(2, 12.01, 0.5)
    )
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-9)
    assert (out / "speciation.png").stat().st_size > 1000
    meta = json.loads((out / "constants.json").read_text())
    assert meta["source"] == "given" and meta["log_beta"] == [10.5, 19.6]


def test_cli_speciate_with_predicted_constants(models, tmp_path, capsys):
    out = tmp_path / "pred"
    code = main(
        [
            "speciate",
            "--model",
            str(models["joint"]),
            "--smiles",
            "NCCN",
            "--metal",
            "Cu2+",
            "--out",
            str(out),
        ]
    )
    assert code == 0, capsys.readouterr().err
    meta = json.loads((out / "constants.json").read_text())
    assert meta["source"].startswith("model") and len(meta["log_beta"]) == 3
    assert len(meta["protonation"]) == 2 and len(meta["log_beta_std"]) == 3
    frame = pd.read_csv(out / "speciation.csv")
    metal_cols = [c for c in frame.columns if c.startswith("M:")]
    np.testing.assert_allclose(frame[metal_cols].sum(axis=1), 1.0, atol=1e-9)
    capsys.readouterr()
    assert (
        main(
            [
                "speciate",
                "--smiles",
                "NCCN",
                "--metal",
                "Cu2+",
                "--log-beta",
                "10",
                "--protonation",
                "9.9",
                "--ph",
                "9:3",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "--ph needs 0 <= LO < HI <= 14" in capsys.readouterr().err
    assert (
        main(
            [
                "speciate",
                "--smiles",
                "NCCN",
                "--metal",
                "Cu2+",
                "--log-beta",
                "x",
                "--protonation",
                "9.9",
                "--out",
                str(out),
            ]
        )
        == 2
    )


def test_cli_predict_std(models, tmp_path, capsys):
    code = main(
        ["predict", "--model", str(models["joint"]), "--smiles", "NCCN", "--metal", "Cu2+", "--std"]
    )
    assert code == 0
    frame = pd.read_csv(io.StringIO(capsys.readouterr().out))
    std_cols = [c for c in frame.columns if c.endswith("_std")]
    n = load_model(models["joint"]).n_steps_
    assert std_cols == [f"log_beta_{k}_std" for k in range(1, n + 1)] and n == 5
    assert (frame[std_cols] >= 0).all().all()
    assert (
        main(
            [
                "predict",
                "--model",
                str(models["single"]),
                "--smiles",
                "NCCN",
                "--metal",
                "Cu2+",
                "--std",
            ]
        )
        == 2
    )
    assert "--std needs a model with a standard deviation" in capsys.readouterr().err


def test_missing_packaged_model_is_a_clear_error(monkeypatch, tmp_path, capsys):
    import skmetalpka.pretrained as pretrained

    monkeypatch.setattr(pretrained, "_HERE", tmp_path)
    assert main(["predict", "--smiles", "NCCN", "--metal", "Cu2+"]) == 2
    assert "python benchmarks/train_default.py" in capsys.readouterr().err
