"""Bad input, end to end: one table of awkward rows, checked in the library and in the CLI.

Library (:class:`~skmetalpka.featurize.graph.SmilesToGraph`): a bad row raises a ``ValueError``
naming the row and the reason with ``on_error="raise"``, and becomes a flagged placeholder graph
carrying the reason with ``on_error="flag"``; rows that are awkward but usable (salts, charges,
isotopes, an unseen metal, no donor atom, a very large ligand) are featurised.

CLI (``skmetalpka predict`` with a ``mean`` baseline fitted on the embedded MINTEQ data): the
output has one row per input row, in order, the ``error`` column is filled exactly for the bad
rows, and the exit status is 0. A CSV that cannot be used as a whole exits with status 2.

Cases already covered elsewhere are not repeated here: ``C1CC`` and ``Xx9+`` (both modes) in
tests/test_graph.py; the raise mode of ``""``, ``None``, ``copper`` and ``[Cu]NCCN`` in
tests/test_graph.py; ``C1CC``, ``Xx9+``, an empty SMILES cell and a BOM + CRLF + quoted-comma
file with NIST header names in tests/test_cli.py.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from skmetalpka.cli import main
from skmetalpka.datasets import load_minteq
from skmetalpka.featurize.graph import ATOM_FEATURE_NAMES, SmilesToGraph
from skmetalpka.featurize.sites import SitePredictor
from skmetalpka.metals import METAL_DESCRIPTOR_NAMES, metal_descriptors

#: 121 heavy atoms: H2N-(CH2CH2NH)40-H, a linear polyamine.
POLYAMINE = "N" + "CCN" * 40
#: 121 heavy atoms: HO-(CH2CH2O)40-H, a linear polyether (PEG).
POLYETHER = "O" + "CCO" * 40

GOOD = ("Cu2+", "NCCN")  # neighbour rows, always valid
GOOD2 = ("Ni2+", "NCC(=O)O")


@dataclass(frozen=True)
class Case:
    """One awkward row.

    ``reason`` is ``None`` when the row must be accepted; otherwise a substring of the error,
    and ``field`` is the prefix the CLI puts in front of it (``smiles`` or ``metal``).
    """

    id: str
    metal: object
    smiles: object
    reason: str | None = None
    field: str = "smiles"
    smiles_out: str | None = None  # standardised SMILES of an accepted row
    n_atoms: int | None = None


CASES = [
    # ---- refused ligands
    Case("empty", "Cu2+", "", "SMILES is empty"),
    Case("blank", "Cu2+", "   ", "SMILES is empty"),
    Case("none", "Cu2+", None, "SMILES is missing (None/NaN)"),
    Case("nan", "Cu2+", math.nan, "SMILES is missing (None/NaN)"),
    Case("not_a_string", "Cu2+", 42, "SMILES must be a string, got int"),
    Case("metal_atom", "Cu2+", "[Cu]NCCN", "contains the metal atom Cu"),
    Case("two_ligands", "Cu2+", "CCO.CCN", "holds 2 different organic fragments (CCN, CCO)"),
    Case("only_counter_ions", "Cu2+", "[Na+].[Cl-]", "holds no organic ligand fragment"),
    Case("radical", "Cu2+", "C[CH2]", "has a radical on atom 1 (C)"),
    Case("query_bond", "Cu2+", "NC~CN", "unspecified ('~') bond between atoms 1 and 2"),
    Case("no_heavy_atom", "Cu2+", "[H][H]", "has no heavy atom"),
    # ---- refused metals
    Case("metal_name", "copper", "NCCN", "'copper' is an element name", "metal"),
    Case("no_charge", "Cu", "NCCN", "the charge is missing (for example 'Cu2+')", "metal"),
    Case("wrong_case", "cu2+", "NCCN", "did you mean 'Cu2+'?", "metal"),
    Case("roman_ten", "Cu(X)", "NCCN", "(X) is not a Roman-numeral charge", "metal"),
    Case("polyatomic", "Hg(OH)2", "NCCN", "polyatomic ions are not supported", "metal"),
    Case("ambiguous_oxo", "VO2+", "NCCN", "the charge is ambiguous", "metal"),
    Case("empty_metal", "", "NCCN", "the string is empty", "metal"),
    # ---- accepted
    Case("salt", "Cu2+", "[Na+].OC(=O)CN", smiles_out="NCC(=O)O", n_atoms=5),
    Case("two_copies", "Cu2+", "NCCN.NCCN", smiles_out="NCCN", n_atoms=4),
    Case("zwitterion", "Cu2+", "[NH3+]CC(=O)[O-]", smiles_out="[NH3+]CC(=O)[O-]", n_atoms=5),
    Case("isotope", "Cu2+", "[13CH3]N", smiles_out="[13CH3]N", n_atoms=2),
    Case("unseen_metal", "La3+", "NCCN", smiles_out="NCCN", n_atoms=4),
    Case("roman_metal", "Cu(II)", "NCCN", smiles_out="NCCN", n_atoms=4),
    Case("no_donor", "Cu2+", "C", smiles_out="C", n_atoms=1),
    Case("polyamine_121", "Cu2+", POLYAMINE, smiles_out=POLYAMINE, n_atoms=121),
    Case("polyether_121", "Cu2+", POLYETHER, smiles_out=POLYETHER, n_atoms=121),
]
BAD = [c for c in CASES if c.reason is not None]
OK = [c for c in CASES if c.reason is None]
#: Raise-mode checks that tests/test_graph.py already makes.
RAISE_TESTED_IN_TEST_GRAPH = {"empty", "none", "metal_atom", "metal_name"}


def _frame(case: Case) -> pd.DataFrame:
    """The case between two valid rows, with a non-default index (row labels 10, 11, 12)."""
    index = [10, 11, 12]
    return pd.DataFrame(
        {  # object columns keep None as None (pandas 3 would store a text column's None as NaN)
            "metal": pd.Series([GOOD[0], case.metal, GOOD2[0]], index=index, dtype=object),
            "smiles": pd.Series([GOOD[1], case.smiles, GOOD2[1]], index=index, dtype=object),
        }
    )


# =============================================================================== library
@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_library_bad_row_raises_or_is_flagged(case):
    X = _frame(case)
    if case.id not in RAISE_TESTED_IN_TEST_GRAPH:
        with pytest.raises(ValueError) as exc:
            SmilesToGraph(on_error="raise").fit(X).transform(X)
        msg = str(exc.value)
        assert msg.startswith(f"row 11 (metal={case.metal!r}, smiles={case.smiles!r}): ")
        assert case.reason in msg and "on_error='flag'" in msg
    graphs = SmilesToGraph(on_error="flag").fit(X).transform(X)
    assert len(graphs) == 3
    assert [bool(g.valid) for g in graphs] == [True, False, True]
    assert [g.smiles for g in graphs] == ["NCCN", "", "NCC(=O)O"]
    flagged = graphs[1]
    assert case.reason in flagged.error
    assert flagged.metal == str(case.metal) and flagged.input_smiles == str(case.smiles)
    assert flagged.num_nodes == 1 and flagged.edge_index.shape == (2, 0)
    assert not flagged.x.any() and not flagged.metal_x.any()
    sites = SitePredictor().fit(graphs).transform(graphs)
    assert [g.site_note for g in sites] == ["", "invalid row", ""]


@pytest.mark.parametrize("case", OK, ids=[c.id for c in OK])
def test_library_awkward_but_valid_row_is_featurised(case):
    X = _frame(case)
    # on_error="raise" does not raise: the row is usable
    graphs = SmilesToGraph(on_error="raise").fit(X).transform(X)
    g = graphs[1]
    assert bool(g.valid) and g.error == ""
    assert g.smiles == case.smiles_out
    assert g.num_nodes == case.n_atoms == g.x.shape[0]
    np.testing.assert_allclose(g.metal_x.numpy()[0], metal_descriptors(case.metal), rtol=1e-6)
    (site,) = SitePredictor().fit([g]).transform([g])
    assert site.site_note == ("no donor atom" if case.id == "no_donor" else "")


def test_library_valid_row_details():
    """Hand-checked features of the accepted rows of the table."""
    names = list(ATOM_FEATURE_NAMES)
    rows = {c.id: c for c in OK}
    X = pd.DataFrame(
        {"metal": [rows[k].metal for k in rows], "smiles": [rows[k].smiles for k in rows]}
    )
    g = dict(zip(rows, SmilesToGraph().fit(X).transform(X), strict=True))
    # salt: Na+ (input atom 0) removed; the glycine atoms keep their input order
    assert g["salt"].mol.GetAtomWithIdx(0).GetSymbol() == "O"
    # zwitterion: N+ (atom 0) and O- (atom 4) keep their charges
    zw = g["zwitterion"].x
    assert zw[0, names.index("formal_charge=+1")] == 1 and zw[0, names.index("total_h=3")] == 1
    assert zw[4, names.index("formal_charge=-1")] == 1
    # isotope: 13C mass 13.00335 u (not 12.011 u)
    assert float(g["isotope"].x[0, names.index("mass/100")]) == pytest.approx(0.1300335, abs=1e-6)
    # unseen metal: La3+ is in the descriptor table (charge 3, atomic number 57)
    z_col = METAL_DESCRIPTOR_NAMES.index("atomic_number")
    assert g["unseen_metal"].metal_x[0, 0] == 3.0 and g["unseen_metal"].metal_x[0, z_col] == 57.0
    # 121-atom chains: 120 bonds (both directions); 41 N donors / 41 O donors
    for key, element in (("polyamine_121", "element=N"), ("polyether_121", "element=O")):
        big = g[key]
        assert big.edge_index.shape == (2, 240)
        assert int(big.x[:, names.index(element)].sum()) == 41
        assert big.lig_x[0, 0] == 121  # heavy_atoms descriptor
        assert int((big.donor_score > 0).sum()) >= 41
    # methane: no atom scores as a donor
    assert not bool((g["no_donor"].donor_score > 0).any())


# =============================================================================== CLI
@pytest.fixture(scope="module")
def mean_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("robustness") / "mean.skmodel"
    assert main(["fit", "--data", "minteq", "--model", "mean", "--out", str(path), "-q"]) == 0
    return path


@pytest.fixture(scope="module")
def minteq_means():
    """Per-metal and global means of the embedded training data (what `mean` predicts)."""
    X, y = load_minteq()
    means = {m: np.nanmean(y[(X["metal"] == m).to_numpy()], axis=0) for m in ("Cu2+", "Ni2+")}
    means["global"] = np.nanmean(y, axis=0)
    return means


def _cell(value: object) -> str:
    """How a table value is written in a CSV cell (None and NaN become an empty cell)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _csv_text(rows: list[tuple[object, object]]) -> str:
    lines = ["metal,smiles"]
    for metal, smiles in rows:
        lines.append(f"{_cell(metal)},{_cell(smiles)}")
    return "\n".join(lines) + "\n"


def _predict(model, path, capsys, *extra) -> tuple[int, pd.DataFrame | None, str]:
    out = path.with_name(path.stem + "_out.csv")
    code = main(
        ["predict", "--model", str(model), "--input", str(path), "--output", str(out), *extra]
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if code != 0:
        return code, None, err
    return code, pd.read_csv(out, dtype=str, keep_default_na=False), err


def _assert_prediction(row: pd.Series, expected: np.ndarray) -> None:
    got = row[[f"log_beta_{k}" for k in range(1, 6)]].astype(float).to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


# CSV cells cannot hold None/NaN/42: those rows are the library's; in a CSV they read as text.
CLI_BAD = [c for c in BAD if c.id not in {"none", "nan", "not_a_string", "empty"}]
CLI_OK = OK


@pytest.mark.parametrize("case", CLI_BAD + CLI_OK, ids=[c.id for c in CLI_BAD + CLI_OK])
def test_cli_each_case_between_valid_rows(case, mean_model, minteq_means, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(_csv_text([GOOD, (case.metal, case.smiles), GOOD2]), encoding="utf-8")
    code, out, err = _predict(mean_model, src, capsys)
    assert code == 0
    assert len(out) == 3
    assert out["metal"].tolist() == [GOOD[0], _cell(case.metal), GOOD2[0]]
    assert out["smiles"].tolist() == [GOOD[1], _cell(case.smiles), GOOD2[1]]  # as given
    assert out.loc[0, "error"] == "" and out.loc[2, "error"] == ""
    _assert_prediction(out.loc[0], minteq_means["Cu2+"])
    _assert_prediction(out.loc[2], minteq_means["Ni2+"])
    if case.reason is None:
        assert out.loc[1, "error"] == ""
        key = "global" if case.metal == "La3+" else "Cu2+"  # La3+ is not in MINTEQ
        _assert_prediction(out.loc[1], minteq_means[key])
        expected_warning = (
            "metal La3+ was not in the training data: predicted from its descriptors "
            "(extrapolation)"
            if case.metal == "La3+"
            else ""
        )
        assert out["warning"].tolist() == ["", expected_warning, ""]
        assert "predicted 3 of 3 rows" in err
    else:
        assert out.loc[1, "error"].startswith(f"{case.field}: ")
        assert case.reason in out.loc[1, "error"]
        assert (out.loc[1, "log_beta_1":"log_beta_5"] == "").all()
        assert "predicted 2 of 3 rows" in err and "1 with errors" in err


def test_cli_all_cases_in_one_file_keep_order(mean_model, minteq_means, tmp_path, capsys):
    cases = CLI_BAD + CLI_OK
    rows = [(c.metal, c.smiles) for c in cases]
    rows = [r for pair in zip(rows, [GOOD] * len(rows), strict=True) for r in pair]  # interleave
    src = tmp_path / "all.csv"
    src.write_text(_csv_text(rows), encoding="utf-8")
    code, out, err = _predict(mean_model, src, capsys)
    assert code == 0 and len(out) == len(rows) == 2 * len(cases)
    assert out["metal"].tolist() == [_cell(m) for m, _ in rows]
    assert out["smiles"].tolist() == [_cell(s) for _, s in rows]
    expected_bad = [c.reason is not None for c in cases for _ in (0, 1)]
    expected_bad[1::2] = [False] * len(cases)
    assert (out["error"] != "").tolist() == expected_bad
    assert f"predicted {len(rows) - len(CLI_BAD)} of {len(rows)} rows" in err


def test_cli_single_ligand_arguments(mean_model, minteq_means, capsys):
    """--smiles/--metal: a bad ligand is one error row (exit 0), a good one is predicted."""
    for smiles, metal, reason in (
        ("", "Cu2+", "smiles: SMILES is empty"),
        ("C[CH2]", "Cu2+", "smiles: SMILES 'C[CH2]' has a radical"),
        ("[Na+].OC(=O)CN", "copper", "metal: invalid metal ion 'copper'"),
        ("[13CH3]N", "La3+", ""),
    ):
        code = main(["predict", "--model", str(mean_model), "--smiles", smiles, "--metal", metal])
        assert code == 0
        captured = capsys.readouterr()
        out = pd.read_csv(io.StringIO(captured.out), dtype=str, keep_default_na=False)
        assert len(out) == 1 and out.loc[0, "smiles"] == smiles and out.loc[0, "metal"] == metal
        if reason:
            assert out.loc[0, "error"].startswith(reason)
        else:
            assert out.loc[0, "error"] == ""
            _assert_prediction(out.loc[0], minteq_means["global"])


# ------------------------------------------------------------------------------ CSV layout
_OK_ROWS = [("Cu2+", "NCCN", ""), ("Ni2+", "NCC(=O)O", "")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            b"id,SMILES ,note, Metal \n1,NCCN,a,Cu2+\n2,NCC(=O)O,b,Ni2+\n",
            _OK_ROWS,
            id="extra_columns_any_order_and_case",
        ),
        pytest.param(
            b'metal,smiles,note\n"Cu2+","NCCN","a, b"\nNi2+,"NCC(=O)O","multi\nline, ""quoted"""\n',
            _OK_ROWS,
            id="quoted_cells_commas_newlines",
        ),
        pytest.param(
            b"\xef\xbb\xbfmetal,smiles\nCu2+,NCCN\nNi2+,NCC(=O)O\n", _OK_ROWS, id="bom_lf"
        ),
        pytest.param(
            b"metal,smiles\r\nCu2+,NCCN\r\nNi2+,NCC(=O)O", _OK_ROWS, id="crlf_no_final_newline"
        ),
        pytest.param(b"metal,smiles\rCu2+,NCCN\rNi2+,NCC(=O)O\r", _OK_ROWS, id="cr_only"),
        pytest.param(
            b"\xef\xbb\xbfmetal,smiles\r\nCu2+,NCCN,\r\nNi2+,NCC(=O)O,\r\n",
            _OK_ROWS,
            id="trailing_comma_every_line",
        ),
        pytest.param(
            b"metal,smiles\n\nCu2+,NCCN\n\n\nNi2+,NCC(=O)O\n\n", _OK_ROWS, id="blank_lines_skipped"
        ),
        pytest.param(
            b"metal,smiles\nCu2+\nNi2+,NCC(=O)O\n",
            [
                ("Cu2+", "", "smiles: SMILES is empty; give the ligand's SMILES"),
                ("Ni2+", "NCC(=O)O", ""),
            ],
            id="short_line",
        ),
        pytest.param(
            b"metal,smiles\n Cu2+ , NCCN \n",
            [(" Cu2+ ", " NCCN ", "")],
            id="cells_with_spaces",
        ),
        pytest.param(b"metal,smiles\n", [], id="header_only"),
    ],
)
def test_cli_csv_layouts(content, expected, mean_model, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    code, out, _ = _predict(mean_model, src, capsys)
    assert code == 0
    assert list(out.columns) == [
        "metal",
        "smiles",
        *(f"log_beta_{k}" for k in range(1, 6)),
        "error",
        "warning",
    ]
    assert len(out) == len(expected)
    assert list(zip(out["metal"], out["smiles"], out["error"], strict=True)) == expected


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            b"metal,ligand\nCu2+,NCCN\n",
            "lacks the required column(s) ['smiles']; it has ['metal', 'ligand']",
            id="no_smiles_column",
        ),
        pytest.param(
            b"ion,SMILES\nCu2+,NCCN\n",
            "lacks the required column(s) ['metal (or metal_ion)']; it has ['ion', 'SMILES']",
            id="no_metal_column",
        ),
        pytest.param(
            b"metal;smiles\nCu2+;NCCN\n",
            "lacks the required column(s) ['metal (or metal_ion)', 'smiles']",
            id="semicolon_separated",
        ),
        pytest.param(
            b"metal,smiles\nCu2+,NCCN,x\nNi2+,N,y\n",
            "every data line has 3 fields but the header names only 2 column(s)",
            id="unnamed_extra_field",
        ),
        pytest.param(
            b"metal,smiles\nCu2+,NCCN\nNi2+,N,y\n",
            "is not a valid CSV file",
            id="ragged_line",
        ),
        pytest.param("metal,smiles\nCu2+,NCCN\n".encode("utf-16"), "is not UTF-8 text", id="utf16"),
        pytest.param(b"", "is empty; it needs a header line", id="empty_file"),
    ],
)
def test_cli_unusable_csv_exits_2(content, message, mean_model, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_bytes(content)
    code, out, err = _predict(mean_model, src, capsys)
    assert code == 2 and out is None
    assert err.startswith("skmetalpka predict: error: prediction input")
    assert message in err
