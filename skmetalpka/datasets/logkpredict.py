"""LOGKPREDICT log K1 tables: :func:`load_logkpredict_nist` and :func:`load_logkpredict_iupac`.

Both tables come from the public repository ``Critical-Materials-Institute/LOGKPREDICT`` (MIT
licence) and hold one 1:1 complex per row with its log K1 (= log beta_1):

``logkpredict_nist_k1.csv`` (values from NIST SRD 46)
    header ``smiles, logK`` (note the space); the complex in the **dative form** with explicit
    hydrogens (``[H]OC(=O)C([H])([H])N([H])([H])->[Cu+2]``); the atoms on the ``->`` bonds are
    the curated donor atoms, returned as ``binding_sites``.
``logkpredict_iupac_lanthanides_k1.csv`` (values from the IUPAC stability-constant database)
    header ``Cmplx_smiles_neutral_std,Lg K1`` (a UTF-8 byte-order mark is tolerated); the complex
    in the **dotted form** ``ligand.[M+3]``, no donor atoms. The same (metal, ligand) pair often
    appears on several rows (independent measurements): every row is returned;
    :func:`skmetalpka.datasets.load_corpus` combines them.

Rules (both tables)
-------------------
* The complex is split by :func:`skmetalpka.datasets.complexes.split_complex`.
* ``metal`` is the species the source means by the metal atom and its formal charge
  (:func:`skmetalpka.ions.interpret_source_ion`, the one table of such readings): ``[U+2]``,
  ``[Pu+2]`` and ``[V+2]`` are the oxo cations UO2 2+, PuO2 2+ and VO 2+ (vanadyl) that the
  source writes without their oxygens; other labels are taken literally. A label it refuses is
  dropped as ``unsupported_metal`` with the reason in ``detail``.
* ``smiles`` is the ligand's **uncharged parent** (stereochemistry kept), the form in which the
  NIST-46 table draws ligands; ``ligand_id`` is the cross-source identity
  (:func:`skmetalpka.datasets.identity.ligand_id`). ``binding_sites`` index the atoms of
  ``Chem.MolFromSmiles(smiles)``.
* Drop reasons (raw rows): ``invalid_value`` (log K not a finite number), ``invalid_smiles``
  (RDKit cannot read the complex, or its ligand is not a valid molecule), ``no_metal``,
  ``several_metals``, ``no_ligand`` (only the metal), ``several_ligands`` (more than one ligand
  fragment: a mixed-ligand complex or a drawn counter-ion: which constant it is would be a
  guess), ``unsupported_metal`` (refused by :func:`~skmetalpka.ions.interpret_source_ion`) and ``inorganic_ligand`` (no carbon atom - F-, OH-, NH3, phosphate - or
  carbonate / cyanide / thiocyanate / cyanate: :func:`skmetalpka.datasets.identity.is_inorganic`;
  the graph model describes organic ligands).
* Kept rows whose donor atoms match no donor rule are flagged (``report.flagged``, reason
  ``donor_not_in_rules``), not dropped: the donors are curated.
* Conditions: the tables do not give temperature or ionic strength; both columns are NaN (the
  models then use their standard conditions).
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pandas as pd
from rdkit import Chem

from skmetalpka.chem import InvalidLigandError, standardize_ligand
from skmetalpka.datasets._home import read_csv_table, resolve_data_file
from skmetalpka.datasets.complexes import ComplexParseError, split_complex
from skmetalpka.datasets.identity import is_inorganic, neutral_parent, non_donor_atoms
from skmetalpka.datasets.report import DataReport
from skmetalpka.ions import UnknownMetalError, interpret_source_ion

__all__ = [
    "load_logkpredict_nist",
    "load_logkpredict_iupac",
    "LOGKPREDICT_NIST_FILENAME",
    "LOGKPREDICT_IUPAC_FILENAME",
]

#: File name of the LOGKPREDICT NIST log K1 table in the data home.
LOGKPREDICT_NIST_FILENAME = "logkpredict_nist_k1.csv"
#: File name of the LOGKPREDICT IUPAC lanthanide log K1 table in the data home.
LOGKPREDICT_IUPAC_FILENAME = "logkpredict_iupac_lanthanides_k1.csv"

COLUMNS = [
    "metal",
    "smiles",
    "smiles_input",
    "temperature",
    "ionic_strength",
    "binding_sites",
    "ligand_id",
]


def _metal(symbol: str, charge: int) -> tuple[str | None, str]:
    """(canonical ion or None, detail when refused): the source's reading of the metal atom
    (:func:`skmetalpka.ions.interpret_source_ion`: ``[U+2]`` is uranyl, ...)."""
    if charge <= 0:
        return None, f"metal atom {symbol} has charge {charge}; expected a cation"
    try:
        return interpret_source_ion((symbol, charge), "logkpredict"), ""
    except (UnknownMetalError, ValueError, KeyError) as exc:
        return None, str(exc)


def _load(
    path: str | os.PathLike[str] | None,
    *,
    filename: str,
    smiles_col: str,
    value_col: str,
    what: str,
    return_report: bool,
) -> tuple[pd.DataFrame, np.ndarray] | tuple[pd.DataFrame, np.ndarray, DataReport]:
    file = resolve_data_file(path, [filename], what=what, hint=f"put {filename} into the data home")
    raw = read_csv_table(file, [smiles_col, value_col], what=what)
    report = DataReport(source=str(file), n_read=len(raw))
    records: list[dict[str, Any]] = []
    values: list[float] = []
    for i, (text, value_text) in enumerate(zip(raw[smiles_col], raw[value_col], strict=True)):
        try:
            value = float(str(value_text).strip())
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            report.drop(i, "invalid_value", f"log K {value_text!r} is not a finite number")
            continue
        try:
            cx = split_complex(text)
        except ComplexParseError as exc:
            report.drop(i, exc.reason, str(exc))
            continue
        if cx.n_fragments > 1:
            report.drop(
                i,
                "several_ligands",
                f"{cx.n_fragments} ligand fragments ({cx.ligand_smiles}) around one metal",
            )
            continue
        metal, detail = _metal(cx.metal_symbol, cx.metal_charge)
        if metal is None:
            report.drop(i, "unsupported_metal", detail)
            continue
        try:
            lig = standardize_ligand(cx.ligand_smiles, strip_salts=False)
        except InvalidLigandError as exc:
            report.drop(i, "invalid_smiles", str(exc))
            continue
        if is_inorganic(lig.mol):
            report.drop(i, "inorganic_ligand", f"{lig.smiles} is not an organic ligand")
            continue
        smiles, position = neutral_parent(lig.mol, keep_stereo=True)
        if smiles != lig.smiles:
            report.modify("neutralised")
        sites = sorted(position[d] for d in cx.donors)
        wrong = non_donor_atoms(Chem.MolFromSmiles(smiles), sites)
        if wrong:
            report.flag(i, "donor_not_in_rules", f"donor atom(s) {wrong} of {smiles}")
            report.modify("donor_atoms_not_in_rules", len(wrong))
        records.append(
            {
                "metal": metal,
                "smiles": smiles,
                "smiles_input": str(text),
                "temperature": math.nan,
                "ionic_strength": math.nan,
                "binding_sites": sites,
                "ligand_id": neutral_parent(lig.mol)[0],
            }
        )
        values.append(value)
    X = pd.DataFrame(records, columns=COLUMNS)
    X["temperature"] = X["temperature"].astype("float64")
    X["ionic_strength"] = X["ionic_strength"].astype("float64")
    y = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    report.notes.append(
        "log K1 only (y has one column); temperature and ionic strength are not given (NaN)"
    )
    if report.modified.get("neutralised"):
        report.notes.append("neutralised counts rows whose ligand was drawn charged")
    report.finish(raw, n_kept=len(records), n_samples=len(records))
    if return_report:
        return X, y, report
    return X, y


def load_logkpredict_nist(
    path: str | os.PathLike[str] | None = None,
    *,
    return_report: bool = False,
) -> tuple[pd.DataFrame, np.ndarray] | tuple[pd.DataFrame, np.ndarray, DataReport]:
    """Load the LOGKPREDICT NIST table: log K1 of ~50 metal ions, with curated donor atoms.

    Parameters
    ----------
    path : str or path-like, optional
        The CSV file or a folder holding ``logkpredict_nist_k1.csv``. When omitted,
        ``$SKMETALPKA_DATA_HOME`` (else ``~/skmetalpka_data``) must hold it.
    return_report : bool, default=False
        Also return the :class:`DataReport`.

    Returns
    -------
    X : pandas.DataFrame
        One row per kept raw row: ``metal``, ``smiles`` (uncharged parent of the ligand),
        ``smiles_input`` (the complex as in the file), ``temperature`` and ``ionic_strength``
        (NaN: not given), ``binding_sites`` (the donor atoms of the dative bonds, indices into
        ``Chem.MolFromSmiles(smiles)``) and ``ligand_id``.
    y : numpy.ndarray of float64, shape (n_samples, 1)
        log K1 (= log beta_1).
    report : DataReport
        Only with ``return_report=True``; see the module notes for the drop reasons.

    Raises
    ------
    FileNotFoundError
        When no file is found.
    ValueError
        When the ``smiles`` or ``logK`` column is missing.
    """
    return _load(
        path,
        filename=LOGKPREDICT_NIST_FILENAME,
        smiles_col="smiles",
        value_col="logK",
        what="LOGKPREDICT NIST table",
        return_report=return_report,
    )


def load_logkpredict_iupac(
    path: str | os.PathLike[str] | None = None,
    *,
    return_report: bool = False,
) -> tuple[pd.DataFrame, np.ndarray] | tuple[pd.DataFrame, np.ndarray, DataReport]:
    """Load the LOGKPREDICT IUPAC table: log K1 of the rare earths.

    Parameters
    ----------
    path : str or path-like, optional
        The CSV file or a folder holding ``logkpredict_iupac_lanthanides_k1.csv``. When omitted,
        ``$SKMETALPKA_DATA_HOME`` (else ``~/skmetalpka_data``) must hold it.
    return_report : bool, default=False
        Also return the :class:`DataReport`.

    Returns
    -------
    X : pandas.DataFrame
        Same columns as :func:`load_logkpredict_nist`; ``binding_sites`` is always empty (the
        dotted form names no donor atoms). Repeated (metal, ligand) rows are all returned.
    y : numpy.ndarray of float64, shape (n_samples, 1)
        log K1.
    report : DataReport
        Only with ``return_report=True``.

    Raises
    ------
    FileNotFoundError
        When no file is found.
    ValueError
        When the ``Cmplx_smiles_neutral_std`` or ``Lg K1`` column is missing.
    """
    return _load(
        path,
        filename=LOGKPREDICT_IUPAC_FILENAME,
        smiles_col="Cmplx_smiles_neutral_std",
        value_col="Lg K1",
        what="LOGKPREDICT IUPAC table",
        return_report=return_report,
    )
