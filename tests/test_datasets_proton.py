"""Tests for load_nist46_proton."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skmetalpka.chem import standardize_ligand
from skmetalpka.datasets import load_nist46_proton
from skmetalpka.datasets.proton import parse_proton_step

COLUMNS = [
    "Metal ion",
    "Ligand",
    "Equilibrium",
    "Temperature (C)",
    "Ionic strength",
    "Value type",
    "Value",
    "SMILES",
]
H = "H⁺"
ROWS = [
    (H, "A", "[HL]/[L][H]", "25", "0.1", "Log K", "9.0", "NCC(O)=O"),  # 0 A@25: step 1
    (H, "A", "[H₂L]/[HL][H]", "25", "0.1", "Log K", "2.0", "NCC(O)=O"),  # 1 step 2
    (H, "A", "[H₂L]/[HL][H]", "25", "0.1", "Log K", "2.4", "C(N)C(=O)O"),  # 2 repeat -> 2.2
    (H, "A", "[HL]/[L][H]", "37", "0.1", "Log K", "8.8", "NCC(O)=O"),  # 3 A@37
    (H, "B", "[HL]/[L][H]", "25", "0.1", "Log K", "10.0", "NCCN"),  # 4 B: step 1
    (H, "B", "[H₃L]/[H₂L][H]", "25", "0.1", "Log K", "1.0", "NCCN"),  # 5 gap (no step 2)
    (H, "B", "[H4L]/[H3L][H]", "25", "0.1", "Log K", "0.5", "NCCN"),  # 6 gap, ASCII digits
    (H, "C", "[H₂L]/[HL][H]", "25", "0", "Log K", "4.0", "CC(O)=O"),  # 7 only step 2
    (H, "D", "[ML]/[M][L]", "25", "0.1", "Log K", "3.0", "CN"),  # 8 unrecognised
    (H, "D", "[HL]/[L][H]", "25", "0.1", "Log beta", "3.0", "CN"),  # 9 not log K
    ("Cu²⁺", "D", "[HL]/[L][H]", "25", "0.1", "Log K", "3.0", "CN"),  # 10 not a proton
    (H, "E", "[HL]/[L][H]", "25", "0.1", "Log K", "abc", "CN"),  # 11 invalid value
    (H, "E", "[HL]/[L][H]", "x", "0.1", "Log K", "10.6", "CN"),  # 12 invalid conditions
    (H, "F", "[HL]/[L][H]", "25", "0.1", "Log K", "5.0", "C1CC("),  # 13 invalid SMILES
    (H, "G", "[HL]/[L][H]", "25", "0.1", "Log K", "4.0", "CCC(O)=O"),  # 14 inconsistent
    (H, "G", "[HL]/[L][H]", "25", "0.1", "Log K", "6.5", "CCC(O)=O"),  # 15 inconsistent
    (H, "H", "[HL]/[L][H]", "25", "0.1", "Log K", "4.2", "[Na+].OC(=O)c1ccccc1"),  # 16 salt
]


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "nist46_proton.csv"
    pd.DataFrame(ROWS, columns=COLUMNS).to_csv(path, index=False)
    return path


def _accounting_holds(rep) -> None:
    assert rep.n_read == rep.n_kept + sum(rep.dropped.values())
    assert len(rep.excluded) == sum(rep.dropped.values())


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("[HL]/[L][H]", 1),
        ("[H₂L]/[HL][H]", 2),
        ("[H₃L]/[H₂L][H]", 3),
        ("[H₆L]/[H₅L][H]", 6),
        ("[H2L]/[HL][H]", 2),
        (" [H12L] / [H11L] [H] ", 12),
        ("[H1L]/[L][H]", 1),
        ("[H₃L]/[HL][H]", None),  # skips a step
        ("[HL]/[HL][H]", None),
        ("[ML]/[M][L]", None),
        ("[HL]/[L][H]2", None),
        ("[H0L]/[L][H]", None),
        ("", None),
        (None, None),
        (3.0, None),
    ],
)
def test_parse_proton_step(text, step):
    assert parse_proton_step(text) == step


def test_hand_made_table(table):
    X, y, rep = load_nist46_proton(table, return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 17 and rep.n_kept == 6 and rep.n_samples == 4
    assert rep.dropped == {
        "step_gap": 3,
        "unrecognised_equilibrium": 1,
        "not_log_k": 1,
        "not_proton": 1,
        "invalid_value": 1,
        "invalid_conditions": 1,
        "invalid_smiles": 1,
        "inconsistent_repeats": 2,
    }
    assert rep.modified == {"repeats_averaged": 1, "salt_stripped": 1, "samples_with_step_gap": 3}
    assert sorted(rep.excluded.row[rep.excluded.reason == "step_gap"]) == [5, 6, 7]
    assert list(X.columns) == ["metal", "smiles", "smiles_input", "temperature", "ionic_strength"]
    assert (X.metal == "H+").all()
    gly = standardize_ligand("NCC(O)=O").smiles
    assert X.smiles.tolist() == [
        gly,
        gly,
        standardize_ligand("NCCN").smiles,
        standardize_ligand("OC(=O)c1ccccc1").smiles,
    ]
    assert X.smiles_input.tolist()[-1] == "[Na+].OC(=O)c1ccccc1"
    assert X.temperature.tolist() == [25.0, 37.0, 25.0, 25.0]
    assert X.ionic_strength.tolist() == [0.1, 0.1, 0.1, 0.1]
    # cumulative: 9.0 + mean(2.0, 2.4) = 11.2; B's steps 3 and 4 follow a gap -> unknown
    np.testing.assert_allclose(
        y, [[9.0, 11.2], [8.8, np.nan], [10.0, np.nan], [4.2, np.nan]], equal_nan=True
    )
    assert y.dtype == np.float64


def test_repeat_spread_none_always_averages(table):
    X, y, rep = load_nist46_proton(table, max_repeat_spread=None, return_report=True)
    _accounting_holds(rep)
    assert "inconsistent_repeats" not in rep.dropped
    g = X.smiles == standardize_ligand("CCC(O)=O").smiles
    assert y[g.to_numpy(), 0].tolist() == [5.25]


def test_cumulative_sum_of_four_steps(tmp_path):
    steps = ["[HL]/[L][H]", "[H₂L]/[HL][H]", "[H₃L]/[H₂L][H]", "[H₄L]/[H₃L][H]"]
    vals = [10.2, 6.1, 2.7, 2.0]
    rows = [
        (H, "EDTA", s, 25, 0.1, "Log K", v, "OC(=O)CN(CCN(CC(O)=O)CC(O)=O)CC(O)=O")
        for s, v in zip(reversed(steps), reversed(vals), strict=True)
    ]  # order irrelevant
    path = tmp_path / "t.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    X, y = load_nist46_proton(path)
    np.testing.assert_allclose(y, [[10.2, 16.3, 19.0, 21.0]])


def test_missing_columns_error(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame(ROWS, columns=COLUMNS).drop(columns=["Equilibrium", "Value"]).to_csv(
        path, index=False
    )
    with pytest.raises(ValueError, match=r"\['Equilibrium', 'Value'\]"):
        load_nist46_proton(path)


def test_folder_and_env_resolution(table, tmp_path, monkeypatch):
    X1, y1 = load_nist46_proton(table.parent)
    monkeypatch.setenv("SKMETALPKA_DATA_HOME", str(table.parent))
    X2, y2 = load_nist46_proton()
    pd.testing.assert_frame_equal(X1, X2)
    monkeypatch.setenv("SKMETALPKA_DATA_HOME", str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError, match="nist46_proton.csv"):
        load_nist46_proton()


# --------------------------------------------------------------------------- real shared file
def test_real_file_report_numbers(nist_dir):
    X, y, rep = load_nist46_proton(nist_dir / "nist46_proton.csv", return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 6264 and rep.n_kept == 5943
    assert rep.dropped == {"invalid_smiles": 50, "inconsistent_repeats": 37, "step_gap": 234}
    assert rep.modified == {
        "salt_stripped": 37,
        "repeats_averaged": 365,
        "samples_with_step_gap": 139,
    }
    assert rep.n_samples == len(X) == 3274
    assert y.shape == (3274, 6) and y.dtype == np.float64
    assert list(X.index) == list(range(len(X)))
    assert (X.metal == "H+").all()
    assert np.isfinite(y[:, 0]).all()
    assert not X.duplicated(["smiles", "temperature", "ionic_strength"]).any()
    # L-alanine at 25 C, I = 0.1: log K1 = 9.71, log K2 = 2.33 -> log beta2 = 12.04
    ala = X.index[
        (X.smiles_input == "C[C@H](N)C(O)=O") & (X.temperature == 25.0) & (X.ionic_strength == 0.1)
    ]
    np.testing.assert_allclose(y[ala[0], :2], [9.71, 12.04])
    # the metal oxoacids are refused by skmetalpka.chem (a metal atom in the ligand)
    vanadate = rep.excluded[rep.excluded.SMILES == "O[V](O)(O)=O"]
    assert len(vanadate) == 21 and (vanadate.reason == "invalid_smiles").all()


def test_real_file_corrupted_copy_bom_crlf(nist_dir, tmp_path):
    raw = pd.read_csv(nist_dir / "nist46_proton.csv", dtype=str, keep_default_na=False)
    raw.loc[0, "Value"] = "n/a"
    raw.loc[1, "SMILES"] = "C1CC("
    raw.loc[2, "Equilibrium"] = "[ML]/[M][L]"
    path = tmp_path / "p.csv"
    text = raw.to_csv(index=False, lineterminator="\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    X, y, rep = load_nist46_proton(path, return_report=True)
    _accounting_holds(rep)
    assert rep.n_read == 6264
    for reason in ("invalid_value", "invalid_smiles", "unrecognised_equilibrium"):
        assert set(rep.excluded.row[rep.excluded.reason == reason]) & {0, 1, 2}
    assert rep.dropped["invalid_value"] == 1 and rep.dropped["unrecognised_equilibrium"] == 1
    assert rep.dropped["invalid_smiles"] == 51
