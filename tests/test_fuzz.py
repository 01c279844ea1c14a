"""Property-based (hypothesis) fuzzing of every place where user text enters skmetalpka.

Each entry point must either work or refuse with its documented ``ValueError`` subclass, never
crash with anything else, and never lose or reorder rows:

* :func:`skmetalpka.chem.standardize_ligand` (random unicode, SMILES-alphabet strings, valid
  ligands with counter-ions);
* :class:`skmetalpka.featurize.graph.SmilesToGraph` (one graph per row, in order);
* :func:`skmetalpka.metals.parse_ion` / :func:`skmetalpka.metals.format_ion`;
* :func:`skmetalpka.io.read_prediction_input` (random bytes, and generated CSV files whose
  cells must come back exactly as written).

Every test is deterministic (``derandomize=True``) and the whole file runs in well under a minute.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from rdkit import Chem

from skmetalpka.chem import NON_METALS, InvalidLigandError, standardize_ligand
from skmetalpka.featurize.graph import SmilesToGraph
from skmetalpka.io import InputError, read_prediction_input
from skmetalpka.metals import UnknownMetalError, format_ion, metal_descriptors, parse_ion

FUZZ = settings(derandomize=True, max_examples=200, deadline=None, database=None)

# ----------------------------------------------------------------------------- strategies
#: Atom and bond tokens of SMILES (organic subset, aromatic, bracket atoms, metals, isotopes,
#: charges, chirality, ring closures, branches, bonds, fragment separators).
SMILES_TOKENS = (
    *"C N O S P F I B c n o s p * H".split(),
    "Cl", "Br", "Cu", "Na", "Fe", "se",
    *"( ) [ ] = # @ + - / \\ . : % ~ $".split(),
    *"0123456789",
    "[nH]", "[NH3+]", "[O-]", "[13CH3]", "[C@H]", "[C@@H]", "[2H]", "[Cu]", "[Na+]", "[CH2]",
)  # fmt: skip
smiles_like = st.lists(st.sampled_from(SMILES_TOKENS), min_size=1, max_size=30).map("".join)
any_text = st.text(max_size=40)

#: Substituents that keep every backbone carbon within its valence (at most two per carbon).
_SUBSTITUENTS = (
    "N", "O", "C", "F", "Cl", "S", "C(=O)O", "C(=O)[O-]", "[NH3+]", "[13CH3]", "C#N", "c1ccccc1",
    "c1ccncc1", "P(=O)(O)O", "C=O", "[2H]",
)  # fmt: skip


@st.composite
def acyclic_ligand(draw) -> str:
    """A chemically valid, closed-shell, single-fragment ligand: a carbon chain with branches."""
    n = draw(st.integers(1, 12))
    parts = []
    for _ in range(n):
        subs = draw(st.lists(st.sampled_from(_SUBSTITUENTS), max_size=2))
        parts.append("C" + "".join(f"({s})" for s in subs))
    return "".join(parts)


#: Fragments that standardize_ligand removes as counter-ions (no carbon, or carbonate etc.).
COUNTER_IONS = (
    "[Na+]", "[K+]", "[Cl-]", "Cl", "O", "[O-]S(=O)(=O)[O-]", "[NH4+]", "O=C([O-])[O-]",
    "[H+]", "[Br-]", "OC(=O)O", "[O-][N+](=O)[O-]",
)  # fmt: skip


def _canonical(smiles: str) -> str:
    mol = Chem.MolFromSmiles(smiles)
    assert mol is not None, smiles
    return Chem.MolToSmiles(mol)


def _check_ligand(lig, text: str) -> None:
    """Properties every accepted ligand has."""
    assert _canonical(lig.smiles) == lig.smiles  # re-parses to the same canonical SMILES
    assert lig.input_smiles == text.strip()
    assert len(Chem.GetMolFrags(lig.mol)) == 1
    assert lig.mol.GetNumHeavyAtoms() > 0
    assert all(a.GetSymbol() in NON_METALS for a in lig.mol.GetAtoms())
    assert all(a.GetNumRadicalElectrons() == 0 for a in lig.mol.GetAtoms())
    # the atom map points back at the same element in the input SMILES
    parsed = Chem.MolFromSmiles(lig.input_smiles)
    assert len(lig.atom_map) == lig.mol.GetNumAtoms()
    for i, j in enumerate(lig.atom_map):
        assert parsed.GetAtomWithIdx(j).GetSymbol() == lig.mol.GetAtomWithIdx(i).GetSymbol()


# ----------------------------------------------------------------------------- (a) chem
def _standardize_or_refuse(text: object):
    try:
        lig = standardize_ligand(text)
    except InvalidLigandError as exc:
        assert str(exc), "a refusal must say why"
        event("refused")
        return None
    event("accepted")
    return lig


@FUZZ
@given(any_text)
def test_standardize_ligand_random_unicode(text):
    lig = _standardize_or_refuse(text)
    if lig is not None:
        _check_ligand(lig, text)


@FUZZ
@given(smiles_like)
def test_standardize_ligand_smiles_alphabet(text):
    lig = _standardize_or_refuse(text)
    if lig is not None:
        _check_ligand(lig, text)


@FUZZ
@given(
    acyclic_ligand(),
    st.lists(st.sampled_from(COUNTER_IONS), max_size=3),
    st.integers(1, 3),
    st.randoms(use_true_random=False),
)
def test_valid_ligand_with_counter_ions_and_copies_is_kept(ligand, ions, copies, rnd):
    frags = [ligand] * copies + ions
    rnd.shuffle(frags)
    text = ".".join(frags)
    lig = standardize_ligand(text)  # never refused
    _check_ligand(lig, text)
    assert lig.smiles == _canonical(ligand)
    assert len(lig.removed_fragments) == len(ions) + copies - 1
    assert lig.was_stripped == (len(frags) > 1)
    with pytest.raises(InvalidLigandError) if len(frags) > 1 else nullcontext():
        standardize_ligand(text, strip_salts=False)


# ----------------------------------------------------------------------------- (b) graphs
_GOOD_METALS = ("Cu2+", "Fe3+", "La3+", "H+", "Ag+", "Zn2+", "Cu(II)", "UO2 2+", "uranyl")
_BAD_METALS = ("Xx9+", "copper", "Cu", "Cu(X)", "", "Na3+", "cu2+", "Hg(OH)2", "VO2+")
metal_like = st.one_of(
    st.sampled_from(_GOOD_METALS), st.sampled_from(_BAD_METALS), st.text(max_size=8), st.none()
)
ligand_like = st.one_of(
    acyclic_ligand(), smiles_like, any_text, st.none(), st.just(math.nan), st.integers()
)
sites_like = st.one_of(
    st.none(),
    st.lists(st.one_of(st.integers(-3, 40), st.floats(allow_nan=True, allow_infinity=True))),
    st.text(alphabet="[](), 0123456789.-einf", max_size=12),
)


def _expected(metal, smiles) -> str | None:
    """Canonical SMILES when the row is valid, else None (oracle built from the parsers)."""
    if not isinstance(metal, str):
        return None
    try:
        metal_descriptors(metal)
        return standardize_ligand(smiles).smiles
    except ValueError:
        return None


@FUZZ
@given(st.lists(st.tuples(metal_like, ligand_like, sites_like), min_size=1, max_size=6))
def test_smiles_to_graph_flag_one_graph_per_row_in_order(rows):
    n = len(rows)
    X = pd.DataFrame(
        {
            "metal": [r[0] for r in rows],
            "smiles": [r[1] for r in rows],
            "binding_sites": [r[2] for r in rows],
        },
        index=range(100, 100 + n),
    )
    graphs = SmilesToGraph(on_error="flag").fit(X).transform(X)
    assert len(graphs) == n
    event(f"valid rows: {sum(bool(g.valid) for g in graphs)}")
    # the cells as pandas stores them (pandas 3 turns None into NaN in a text column)
    cells = list(zip(X["metal"].tolist(), X["smiles"].tolist(), strict=True))
    expected = [_expected(m, s) for m, s in cells]
    for g, (metal, smiles), exp in zip(graphs, cells, expected, strict=True):
        assert g.metal == str(metal)
        if exp is None:
            assert not bool(g.valid) and g.error and g.smiles == ""
            assert g.input_smiles == str(smiles)
        else:
            assert bool(g.valid) and g.error == "" and g.smiles == exp
            assert g.num_nodes == g.x.shape[0] == g.mol.GetNumAtoms()
            assert all(0 <= s < g.num_nodes for s in g.binding_sites)
    # on_error="raise": only a ValueError naming the first bad row (by index label)
    bad = [i for i, exp in enumerate(expected) if exp is None]
    t = SmilesToGraph(on_error="raise").fit(X)
    if bad:
        with pytest.raises(ValueError, match=f"^row {100 + bad[0]} "):
            t.transform(X)
    else:
        assert len(t.transform(X)) == n


@FUZZ
@given(acyclic_ligand(), sites_like, st.lists(st.integers(-5, 30), max_size=6))
def test_binding_sites_junk_is_ignored_and_indices_are_kept(ligand, junk, ints):
    n_atoms = Chem.MolFromSmiles(ligand).GetNumAtoms()
    X = pd.DataFrame(
        {"metal": ["Cu2+", "Cu2+"], "smiles": [ligand, ligand], "binding_sites": [junk, ints]}
    )
    g_junk, g_ints = SmilesToGraph(on_error="raise").fit(X).transform(X)
    assert all(0 <= s < n_atoms for s in g_junk.binding_sites)
    # one fragment: atom indices are unchanged; indices outside the ligand are dropped
    assert g_ints.binding_sites == [s for s in ints if 0 <= s < n_atoms]


# ----------------------------------------------------------------------------- (c) metals
_PT = Chem.GetPeriodicTable()
METAL_SYMBOLS = tuple(
    s for s in (_PT.GetElementSymbol(z) for z in range(1, 104)) if s not in NON_METALS
)
_ION_PIECES = (
    *METAL_SYMBOLS[:40], "cu", "CU", "Xx", "O", "C", "H", "(", ")", "[", "]", "+", "-", "++",
    "2", "3", "10", "0", " ", "I", "II", "IV", "X", "XX", "IIII", "VX", "２", "\u00a0",
)  # fmt: skip
#: Refused as cations (skmetalpka.metals module docstring).
REFUSED_NON_METALS = frozenset("He C N O F Ne P S Cl Ar Se Br Kr I Xe Rn".split())
ion_like = st.lists(st.sampled_from(_ION_PIECES), max_size=6).map("".join)
#: <symbol><space?><charge> in every accepted shape, with random digits, signs and numerals.
_charge = st.one_of(
    st.from_regex(r"\A[0-9]{0,2}[+-]{1,3}\Z"),
    st.from_regex(r"\A[+-][0-9]{1,2}\Z"),
    st.from_regex(r"\A\((?:[IVX]{1,4}|[0-9]?[+-]{1,2}|[+-][0-9])\)\Z"),
)
ion_shaped = st.builds(
    lambda sym, space, charge, bracket: (
        f"[{sym}{space}{charge}]" if bracket else f"{sym}{space}{charge}"
    ),
    st.sampled_from(METAL_SYMBOLS + ("H", "C", "O", "Xx", "cu")),
    st.sampled_from(["", " "]),
    _charge,
    st.booleans(),
)


@FUZZ
@given(st.one_of(st.text(max_size=15), ion_like, ion_shaped))
def test_parse_ion_refuses_only_with_unknown_metal_error(text):
    try:
        sym, charge = parse_ion(text)
    except UnknownMetalError as exc:
        assert "expected an element symbol followed by a positive charge" in str(exc)
        return
    # a real element, not one of the documented refused non-metals; H only as H+
    assert _PT.GetAtomicNumber(sym) >= 1 and sym not in REFUSED_NON_METALS
    assert isinstance(charge, int) and charge >= 1 and (sym != "H" or charge == 1)
    assert parse_ion(format_ion(sym, charge)) == (sym, charge)


@FUZZ
@given(st.sampled_from(METAL_SYMBOLS), st.integers(1, 3))
def test_format_ion_round_trip(symbol, charge):
    try:
        text = format_ion(symbol, charge)
    except UnknownMetalError as exc:  # e.g. Na3+: above the highest known oxidation state
        assert "oxidation state" in str(exc) or "electrons" in str(exc)
        return
    assert text == (f"{symbol}+" if charge == 1 else f"{symbol}{charge}+")
    assert parse_ion(text) == (symbol, charge)
    roman = ("I", "II", "III")[charge - 1]
    for spelling in (
        f"{symbol}+{charge}",
        f"{symbol}({charge}+)",
        f"{symbol}({roman})",
        f"[{symbol}+{charge}]",
        f" {symbol} {charge}+ ",
        symbol + "+" * charge,
    ):
        assert parse_ion(spelling) == (symbol, charge), spelling


@pytest.mark.parametrize(
    ("ion", "expected"),
    [("Cu2+", ("Cu", 2)), ("Fe3+", ("Fe", 3)), ("Na+", ("Na", 1)), ("La3+", ("La", 3)),
     ("Al3+", ("Al", 3)), ("Hg(II)", ("Hg", 2)), ("U(IV)", ("U", 4))],
)  # fmt: skip
def test_known_ions_parse(ion, expected):
    assert parse_ion(ion) == expected
    assert parse_ion(format_ion(*expected)) == expected


@pytest.mark.parametrize("ion", ["Cu(X)", "Cu(XX)", "Cu(IIII)", "Fe(VX)"])
def test_bad_roman_numeral_is_an_unknown_metal_error(ion):
    # regression: these raised a bare ValueError from int() that aborted `skmetalpka predict`
    with pytest.raises(UnknownMetalError, match="Roman-numeral charge from I to IX"):
        parse_ion(ion)


# ----------------------------------------------------------------------------- (d) CSV input
@pytest.fixture(scope="module")
def csv_path(tmp_path_factory) -> Path:
    """One file, rewritten by every example (a module-scoped fixture: hypothesis-safe)."""
    return tmp_path_factory.mktemp("fuzz_csv") / "input.csv"


def _read_bytes(path: Path, data: bytes) -> pd.DataFrame | None:
    path.write_bytes(data)
    try:
        X = read_prediction_input(path)
    except InputError as exc:
        assert str(exc)
        return None
    assert list(X.columns)[:2] == ["metal", "smiles"]
    assert set(X.columns) <= {"metal", "smiles", "temperature", "ionic_strength"}
    return X


_HEADERS = (b"metal,smiles\n", b"\xef\xbb\xbfmetal,smiles,temperature\r\n", b"SMILES,metal_ion\n")


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=80),
        st.tuples(st.sampled_from(_HEADERS), st.binary(max_size=60)).map(b"".join),
        st.text(alphabet=',"\r\n metalsiCu2+NO()', max_size=60).map(str.encode),
    )
)
def test_read_prediction_input_random_bytes(csv_path, data):
    _read_bytes(csv_path, data)


_cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8
)


def _csv_line(cells: list[str], newline: str, rnd) -> str:
    """One CSV record: a cell is quoted when it must be (and sometimes when it need not be)."""
    out = []
    for c in cells:
        if any(ch in c for ch in ',"\r\n') or rnd.random() < 0.2:
            c = '"' + c.replace('"', '""') + '"'
        out.append(c)
    return ",".join(out) + newline


@FUZZ
@given(
    st.sampled_from(["metal", "Metal", " METAL ", "metal_ion"]),
    st.sampled_from(["smiles", "SMILES", " Smiles"]),
    st.lists(st.sampled_from(["note", "id", "comment", "x y"]), unique=True, max_size=2),
    st.lists(st.tuples(_cell, _cell, _cell, _cell), max_size=6),
    st.booleans(),  # BOM
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),  # trailing separator on every data line
    st.randoms(use_true_random=False),
)
def test_read_prediction_input_matches_written_table(
    csv_path, metal_name, smiles_name, extras, records, bom, newline, trailing, rnd
):
    header = [metal_name, smiles_name, *extras]
    order = list(range(len(header)))
    rnd.shuffle(order)
    lines = [_csv_line([header[k] for k in order], newline, rnd)]
    for rec in records:
        line = _csv_line([rec[k] for k in order], newline, rnd)
        lines.append(line[: -len(newline)] + "," + newline if trailing else line)
    data = ("\ufeff" if bom else "") + "".join(lines)
    X = _read_bytes(csv_path, data.encode("utf-8"))
    # every generated line has at least two fields, so no line is blank and none is skipped
    assert X is not None
    assert X["metal"].tolist() == [r[0] for r in records]
    assert X["smiles"].tolist() == [r[1] for r in records]
