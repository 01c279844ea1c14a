"""The embedded default data set: organic-ligand complexes of the MINTEQA2 v4 database.

:func:`load_minteq` needs no download: it parses ``databases/minteq.v4.dat`` of the ``phreeqc``
package (a dependency of skmetalpka). The database's constants for organic ligands come from
NIST SRD 46 and refer to 25 C and infinite dilution (I = 0).

What is read
------------
* ``SOLUTION_MASTER_SPECIES``: the organic ligands named in
  :data:`skmetalpka.datasets.ligands.LIGAND_SMILES` (30 ligands: carboxylates, amino acids,
  NTA/EDTA, amines, picolines) and their master species (often the anion, e.g. ``Nta-3``).
* ``SOLUTION_SPECIES``: every reaction with one of these ligands among its reactants (identity
  reactions ``L = L`` excepted) is one raw record. Only reactions exactly
  ``M + n L = MLn`` (one simple metal cation, ``n`` copies of one ligand, nothing else) give
  data: ``log_k`` of that reaction is the cumulative log beta_n of (M, L). With
  ``kind="proton"`` the reactions ``n H+ + L = HnL`` give the cumulative log beta^H_n instead.
* Excluded, by reason: ``protonated`` (H+ among the reactants of a metal complex),
  ``hydroxo`` (water among the reactants, or H+ released), ``mixed_ligand`` (a second ligand or
  anion), ``polynuclear`` (more than one metal ion), ``non_simple_metal`` (the metal enters as a
  hydroxide or oxo species such as ``Hg(OH)2``, ``Sn(OH)2``, ``Cr(OH)2+``), ``other_reactant``
  (anything else, e.g. NH4+ or electrons), ``protonation`` / ``metal_complex`` (the reaction
  type the other ``kind`` returns), ``missing_log_k``, ``duplicate``.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections import Counter
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from rdkit import Chem

from skmetalpka.chem import NON_METALS, InvalidLigandError, standardize_ligand
from skmetalpka.datasets.ligands import LIGAND_SMILES, SKIPPED_MASTER_SPECIES
from skmetalpka.datasets.report import DataReport, pad_ragged

__all__ = ["load_minteq", "minteq_database_path", "read_master_species", "normalize_ion"]

DATABASE_NAME = "minteq.v4.dat"
TEMPERATURE = 25.0
IONIC_STRENGTH = 0.0

_KEYWORDS = frozenset(
    """SOLUTION_MASTER_SPECIES SOLUTION_SPECIES PHASES EXCHANGE_MASTER_SPECIES EXCHANGE_SPECIES
    SURFACE_MASTER_SPECIES SURFACE_SPECIES RATES END LLNL_AQUEOUS_MODEL_PARAMETERS
    NAMED_EXPRESSIONS CALCULATE_VALUES ISOTOPES ISOTOPE_RATIOS ISOTOPE_ALPHAS PITZER SIT
    GAS_BINARY_PARAMETERS""".split()
)
_CHARGE_RE = re.compile(r"^(?P<body>.*?)(?P<sign>[+-])(?P<num>\d*)$")
_SIMPLE_ION_RE = re.compile(r"^(?P<el>[A-Z][a-z]?)(?P<sign>\+)(?P<num>\d*)$")
_COEF_RE = re.compile(r"^(?P<coef>\d+(?:\.\d+)?)(?P<sp>[A-Za-z(].*)$")
_ELEMENT_RE = re.compile(r"[A-Z][a-z]?")
_FORMULA_RE = re.compile(r"(?:[A-Z][a-z]?\d*|[()]\d*)+")
_PT = Chem.GetPeriodicTable()
_ELEMENTS = frozenset(_PT.GetElementSymbol(z) for z in range(1, 119))


def minteq_database_path() -> Path:
    """Path of ``minteq.v4.dat`` inside the installed ``phreeqc`` package."""
    spec = importlib.util.find_spec("phreeqc")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the 'phreeqc' package is not installed; it ships the MINTEQ database used by "
            "load_minteq. Install it with: pip install phreeqc"
        )
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "databases" / DATABASE_NAME
        if p.is_file():
            return p
    raise FileNotFoundError(
        f"the installed 'phreeqc' package has no databases/{DATABASE_NAME}; reinstall it "
        "(pip install --force-reinstall phreeqc)"
    )


def normalize_ion(species: str) -> str:
    """PHREEQC ion name to the project's format: ``Cu+2`` -> ``Cu2+``, ``Ag+`` -> ``Ag+``."""
    m = _SIMPLE_ION_RE.match(species.strip())
    if m is None:
        raise ValueError(f"{species!r} is not a simple metal cation such as 'Cu+2'")
    num = m.group("num")
    if num in ("", "1"):
        return f"{m.group('el')}+"
    return f"{m.group('el')}{num}+"


def _charge(species: str) -> int:
    m = _CHARGE_RE.match(species)
    if m is None or not m.group("body"):
        return 0
    n = int(m.group("num")) if m.group("num") else 1
    return n if m.group("sign") == "+" else -n


def _strip_comment(line: str) -> str:
    return line.split("#", 1)[0].rstrip()


def _sections(lines: list[str]) -> dict[str, list[tuple[int, str]]]:
    """Comment-free lines per data block (blocks with the same keyword are concatenated)."""
    out: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for no, line in enumerate(lines, start=1):
        text = _strip_comment(line)
        if not text.strip():
            continue
        word = text.strip()
        if not text[0].isspace() and word in _KEYWORDS:
            current = word
            out.setdefault(current, [])
            continue
        if current is not None:
            out[current].append((no, text))
    return out


@dataclass(frozen=True)
class _Master:
    name: str
    species: str
    charge: int
    mass: float | None
    formula: str


def read_master_species(path: str | os.PathLike[str] | None = None) -> dict[str, _Master]:
    """``SOLUTION_MASTER_SPECIES`` of the database: name -> (species, charge, gram formula mass).

    The mass is the last number of the line (the gram formula weight), or None if absent.
    """
    file = Path(path) if path is not None else minteq_database_path()
    lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    out: dict[str, _Master] = {}
    for _, text in _sections(lines).get("SOLUTION_MASTER_SPECIES", []):
        tok = text.split()
        if len(tok) < 2:
            continue
        mass: float | None = None
        for t in reversed(tok[2:]):
            try:
                mass = float(t)
                break
            except ValueError:
                continue
        formula = tok[3] if len(tok) > 3 else ""
        out.setdefault(tok[0], _Master(tok[0], tok[1], _charge(tok[1]), mass, formula))
    return out


def _parse_side(text: str) -> dict[str, float]:
    """``'2 H+ + Edta-4'`` -> {'H+': 2, 'Edta-4': 1}."""
    out: dict[str, float] = {}
    coef: float | None = None
    for tok in text.split():
        if tok == "+":
            coef = None
            continue
        try:
            coef = float(tok)
            continue
        except ValueError:
            pass
        m = _COEF_RE.match(tok)
        if m is not None:
            c, sp = float(m.group("coef")), m.group("sp")
        else:
            c, sp = (coef if coef is not None else 1.0), tok
        out[sp] = out.get(sp, 0.0) + c
        coef = None
    return out


def _formula_elements(species: str) -> list[str] | None:
    """Element symbols of a chemical formula such as ``Hg(OH)2`` or ``NH4+``; None for names."""
    body = re.sub(r"[+-]\d*$", "", species.strip())
    if not body or _FORMULA_RE.fullmatch(body) is None:
        return None
    elements = _ELEMENT_RE.findall(body)
    if any(el not in _ELEMENTS for el in elements):
        return None
    return elements


def _has_metal(species: str) -> bool:
    elements = _formula_elements(species)
    return elements is not None and any(el not in NON_METALS for el in elements)


@dataclass
class _Reaction:
    line: int
    equation: str
    lhs: dict[str, float]
    rhs: dict[str, float]
    log_k: float | None


def _read_reactions(lines: list[str]) -> list[_Reaction]:
    out: list[_Reaction] = []
    for no, text in _sections(lines).get("SOLUTION_SPECIES", []):
        if not text[0].isspace() and "=" in text:
            left, _, right = text.partition("=")
            out.append(_Reaction(no, text.strip(), _parse_side(left), _parse_side(right), None))
            continue
        tok = text.split()
        if out and tok and tok[0].lstrip("-").lower() in ("log_k", "logk") and len(tok) > 1:
            try:
                out[-1].log_k = float(tok[1])
            except ValueError:
                pass
    return out


def _classify(
    rx: _Reaction, ligand_species: dict[str, str]
) -> tuple[str, str | None, str | None, int]:
    """(category, metal species, ligand name, n); category is 'metal', 'proton' or a reason."""
    ligs = {sp: c for sp, c in rx.lhs.items() if sp in ligand_species}
    metals = {sp: c for sp, c in rx.lhs.items() if sp not in ligand_species and _has_metal(sp)}
    rest = {sp: c for sp, c in rx.lhs.items() if sp not in ligs and sp not in metals}
    lig_sp = next(iter(ligs))
    name = ligand_species[lig_sp]
    n_lig = ligs[lig_sp]
    if any(_SIMPLE_ION_RE.match(sp) is None for sp in metals):
        return "non_simple_metal", None, name, 0
    if len(metals) > 1 or any(c != 1 for c in metals.values()):
        return "polynuclear", None, name, 0
    if len(ligs) > 1:
        return "mixed_ligand", None, name, 0
    if "H2O" in rest or "H+" in rx.rhs or "OH-" in rest or "H2O" in rx.rhs:
        return "hydroxo", None, name, 0
    other = {sp for sp in rest if sp != "H+"}
    if other:
        if any(_charge(sp) < 0 for sp in other):
            return "mixed_ligand", None, name, 0
        return "other_reactant", None, name, 0
    if len(rx.rhs) != 1 or next(iter(rx.rhs.values())) != 1 or n_lig != int(n_lig) or n_lig < 1:
        return "other_reactant", None, name, 0
    if metals:
        if "H+" in rest:
            return "protonated", None, name, 0
        return "metal", next(iter(metals)), name, int(n_lig)
    h = rest.get("H+", 0.0)
    if n_lig == 1 and h >= 1 and h == int(h):
        return "proton", "H+", name, int(h)
    return "other_reactant", None, name, 0


def load_minteq(
    *,
    kind: Literal["metal", "proton"] = "metal",
    path: str | os.PathLike[str] | None = None,
    return_report: bool = False,
) -> tuple[pd.DataFrame, np.ndarray] | tuple[pd.DataFrame, np.ndarray, DataReport]:
    """Load the organic-ligand constants of MINTEQA2 v4 (shipped with ``phreeqc``; no download).

    Parameters
    ----------
    kind : {"metal", "proton"}, default="metal"
        ``"metal"``: cumulative log beta_n of ``M + n L = MLn``. ``"proton"``: cumulative
        log beta^H_n of ``n H+ + L = HnL`` (``metal`` is ``"H+"``).
    path : str or path-like, optional
        Another copy of a MINTEQ-format database (default: the one in the ``phreeqc`` package).
    return_report : bool, default=False
        Also return the :class:`DataReport` (raw records are reactions; see the module
        docstring for the drop reasons).

    Returns
    -------
    X : pandas.DataFrame
        One row per (metal, ligand), in order of first appearance in the database. Columns
        ``metal`` (``Cu2+`` style), ``smiles`` (standardised), ``smiles_input`` (from
        :data:`~skmetalpka.datasets.ligands.LIGAND_SMILES`), ``temperature`` (25.0),
        ``ionic_strength`` (0.0) and ``ligand`` (the database's ligand name).
    y : numpy.ndarray of float64, shape (n_samples, N)
        Cumulative log beta_1..N; NaN for a step the database does not list (for example
        ``Cu+ + 2 Ethylenediamine`` has beta_2 without beta_1).
    report : DataReport
        Only with ``return_report=True``.
    """
    if kind not in ("metal", "proton"):
        raise ValueError(f"kind must be 'metal' or 'proton', got {kind!r}")
    file = Path(path) if path is not None else minteq_database_path()
    lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    master = read_master_species(file)
    try:
        version = metadata.version("phreeqc")
    except metadata.PackageNotFoundError:  # pragma: no cover
        version = "?"
    source = f"MINTEQA2 v4 ({file})" if path is not None else f"MINTEQA2 v4 (phreeqc {version})"
    report = DataReport(source=source)

    ligand_species: dict[str, str] = {}  # master species -> ligand name
    missing = [name for name in LIGAND_SMILES if name not in master]
    for name in LIGAND_SMILES:
        if name in master:
            ligand_species[master[name].species] = name
    if missing:
        report.notes.append(f"ligands of LIGAND_SMILES absent from the database: {missing}")
    # organic master species are those whose formula field is a number (a molar mass)
    unmapped = sorted(
        name
        for name, m in master.items()
        if name not in LIGAND_SMILES
        and name not in SKIPPED_MASTER_SPECIES
        and re.fullmatch(r"\d+(\.\d*)?", m.formula)
        and float(m.formula) > 0  # 'E e- 1 0 0' is the electron
    )
    if unmapped:
        report.notes.append(f"master species without a SMILES (not read): {unmapped}")
    report.notes.append(
        "not read (see skmetalpka.datasets.ligands.SKIPPED_MASTER_SPECIES): "
        + ", ".join(sorted(SKIPPED_MASTER_SPECIES))
    )

    smiles: dict[str, str] = {}
    bad_smiles: dict[str, str] = {}
    for name in ligand_species.values():
        try:
            smiles[name] = standardize_ligand(LIGAND_SMILES[name]).smiles
        except InvalidLigandError as exc:  # pragma: no cover - guarded by the tests
            bad_smiles[name] = str(exc)

    dropped: Counter[str] = Counter()
    excluded: list[dict[str, Any]] = []
    values: dict[tuple[str, str], dict[int, float]] = {}
    n_read = 0
    n_kept = 0
    for rx in _read_reactions(lines):
        if not any(sp in ligand_species for sp in rx.lhs) or rx.lhs == rx.rhs:
            continue
        n_read += 1
        category, metal, name, n = _classify(rx, ligand_species)
        if category in ("metal", "proton") and category != kind:
            category = "protonation" if category == "proton" else "metal_complex"
        detail = ""
        if category == kind:
            assert metal is not None and name is not None
            ion = "H+" if kind == "proton" else normalize_ion(metal)
            if rx.log_k is None:
                category, detail = "missing_log_k", "no log_k line"
            elif name in bad_smiles:
                category, detail = "invalid_smiles", bad_smiles[name]
            elif n in values.get((ion, name), {}):
                category, detail = "duplicate", f"second reaction for {ion} + {n} {name}"
            else:
                values.setdefault((ion, name), {})[n] = float(rx.log_k)
                n_kept += 1
                continue
        dropped[category] += 1
        excluded.append(
            {
                "line": rx.line,
                "equation": rx.equation,
                "log_k": rx.log_k,
                "ligand": name,
                "reason": category,
                "detail": detail,
            }
        )

    records = []
    rows_y = []
    for (ion, name), steps in values.items():
        records.append(
            {
                "metal": ion,
                "smiles": smiles[name],
                "smiles_input": LIGAND_SMILES[name],
                "temperature": TEMPERATURE,
                "ionic_strength": IONIC_STRENGTH,
                "ligand": name,
            }
        )
        row = [np.nan] * max(steps)
        for n, v in steps.items():
            row[n - 1] = v
        rows_y.append(row)
    X = pd.DataFrame(
        records,
        columns=["metal", "smiles", "smiles_input", "temperature", "ionic_strength", "ligand"],
    )
    X["temperature"] = X["temperature"].astype("float64")
    X["ionic_strength"] = X["ionic_strength"].astype("float64")
    y = pad_ragged(rows_y)

    report.n_read = n_read
    report.n_kept = n_kept
    report.n_samples = len(records)
    report.dropped = dict(dropped)
    report.excluded = pd.DataFrame(
        excluded, columns=["line", "equation", "log_k", "ligand", "reason", "detail"]
    )
    n_missing_first = int(np.isnan(y[:, 0]).sum()) if len(y) else 0
    report.notes.append(
        "records are reactions with an organic ligand among the reactants (identity reactions "
        f"excepted); {len(ligand_species)} ligands; values at 25 C, I = 0 (NIST SRD 46 via "
        "MINTEQA2 v4)"
    )
    if n_missing_first:
        report.notes.append(f"{n_missing_first} samples have no beta_1 (only higher complexes)")
    report.check()
    if return_report:
        return X, y, report
    return X, y
