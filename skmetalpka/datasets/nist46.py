"""NIST SRD 46 metal-ligand stability constants: :func:`load_nist46` and :func:`fetch_nist46`.

The table format is the one of ``nist46_metal_binding.csv`` (public repository
``qteddie/GNN-MetalChelators``, MIT licence, extracted from NIST SRD 46): one row per
(metal, ligand) with the columns

``metal_ion``
    ion string such as ``Cu2+``;
``SMILES``
    the ligand as drawn in the source (may carry counter-ions such as ``[Na+]``);
``pKa_value``
    Python-style list of **cumulative** log beta_1 .. log beta_n at 25 C, I = 0.1 M;
``predicted_positions``
    Python-style list of atom indices (RDKit order of ``SMILES``) proposed as binding atoms by an
    upstream model (not ground truth);
``pKa_num`` (optional)
    the number of values; checked against the list when present.

Only these columns are used; further columns (as in other versions of the table, for example
the file downloaded by :func:`fetch_nist46`) are ignored.
"""

from __future__ import annotations

import ast
import hashlib
import math
import os
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from skmetalpka._files import atomic_open
from skmetalpka.chem import InvalidLigandError, standardize_ligand
from skmetalpka.datasets._home import get_data_home, read_csv_table, resolve_data_file
from skmetalpka.datasets.identity import map_atom_indices, non_donor_atoms
from skmetalpka.datasets.report import DataReport, pad_ragged

__all__ = [
    "load_nist46",
    "fetch_nist46",
    "NIST46_FILENAME",
    "NIST46_FULL_FILENAME",
    "NIST46_URL",
    "NIST46_SHA256",
]

#: File name of the (shared) metal table looked up in a data folder.
NIST46_FILENAME = "nist46_metal_binding.csv"
#: File name under which :func:`fetch_nist46` stores the full public table.
NIST46_FULL_FILENAME = "nist46_metal_binding_full.csv"

NIST46_REPOSITORY = "qteddie/GNN-MetalChelators"
NIST46_COMMIT = "0938c775d284ae35cca735dc9ded53cc5eaa20ed"
NIST46_REPO_PATH = "MetalGCN/model/pre_metal_t15_T25_I0.1_E3_m10_clean_merged_clean.csv"
#: Download address of the full public table (2,326 rows), pinned to one commit.
NIST46_URL = (
    f"https://raw.githubusercontent.com/{NIST46_REPOSITORY}/{NIST46_COMMIT}/{NIST46_REPO_PATH}"
)
#: SHA-256 of the file at :data:`NIST46_URL`.
NIST46_SHA256 = "189e07d9fe1c9774ccc5a218fff92379ee465c5d7c9331163c2d65e19e701081"

REQUIRED_COLUMNS = ("metal_ion", "SMILES", "pKa_value", "predicted_positions")

#: Conditions of the NIST 46 metal table (see the data README).
TEMPERATURE = 25.0
IONIC_STRENGTH = 0.1

_CHUNK = 1 << 16


def _parse_values(text: str) -> list[float]:
    obj = ast.literal_eval(text.strip())
    if not isinstance(obj, (list, tuple)) or not obj:
        raise ValueError(f"expected a non-empty list of numbers, got {text!r}")
    out = []
    for v in obj:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ValueError(f"non-numeric or non-finite value {v!r} in {text!r}")
        out.append(float(v))
    return out


def _parse_positions(text: str) -> list[int] | None:
    """Atom index list; ``None`` for a blank cell."""
    if not text.strip():
        return None
    obj = ast.literal_eval(text.strip())
    if not isinstance(obj, (list, tuple)):
        raise ValueError(f"expected a list of atom indices, got {text!r}")
    out = []
    for v in obj:
        if isinstance(v, bool) or not isinstance(v, int):
            raise ValueError(f"atom index {v!r} is not an integer in {text!r}")
        out.append(int(v))
    return out


def load_nist46(
    path: str | os.PathLike[str] | None = None,
    *,
    min_value: float | None = -1.0,
    strip_salts: bool = True,
    drop_duplicates: bool = True,
    return_report: bool = False,
) -> tuple[pd.DataFrame, np.ndarray] | tuple[pd.DataFrame, np.ndarray, DataReport]:
    """Load the NIST SRD 46 metal-ligand table (cumulative log beta at 25 C, I = 0.1 M).

    Parameters
    ----------
    path : str or path-like, optional
        The CSV file, or a folder holding ``nist46_metal_binding.csv`` (or the downloaded
        ``nist46_metal_binding_full.csv``). When omitted: ``$SKMETALPKA_DATA_HOME`` (or the
        default data home ``~/skmetalpka_data``) holding ``nist46_metal_binding.csv``, else the
        file downloaded there by :func:`fetch_nist46`.
    min_value : float or None, default=-1.0
        Rows holding any value below this are dropped (``implausible_value``): about 5 % of the
        rows mix in constants of other equilibria (down to -26) and their step order cannot be
        trusted. ``None`` keeps them.
    strip_salts : bool, default=True
        Remove counter-ions and repeated ligand copies from the SMILES (counted as
        ``salt_stripped``). When False such rows are dropped as ``invalid_smiles``.
    drop_duplicates : bool, default=True
        Keep only the first row per (metal, standardised SMILES); later ones are dropped as
        ``duplicate``.
    return_report : bool, default=False
        Also return the :class:`DataReport`.

    Returns
    -------
    X : pandas.DataFrame
        Columns ``metal``, ``smiles`` (standardised), ``smiles_input`` (as in the file),
        ``temperature`` (25.0), ``ionic_strength`` (0.1) and ``binding_sites`` (list of atom
        indices into ``Chem.MolFromSmiles(smiles)``, i.e. the canonical atom order of the
        standardised SMILES, mapped from the input order by
        :func:`skmetalpka.datasets.identity.map_atom_indices`; indices on removed fragments or
        outside the molecule are dropped and counted). Site atoms that no donor rule marks
        (e.g. a carbon) are kept, counted in ``modified['binding_site_indices_not_donor']``
        (atoms) and listed in ``report.flagged`` (reason ``binding_site_not_donor``).
    y : numpy.ndarray of float64, shape (n_samples, N)
        Cumulative log beta_1..log beta_N; NaN where a row has fewer values. N is the longest row.
    report : DataReport
        Only when ``return_report=True``. Drop reasons: ``malformed_row`` (a list cell that is not
        a list of numbers / integers, a blank metal, a non-integer ``pKa_num``),
        ``value_count_mismatch`` (``pKa_num`` differs from the list length), ``invalid_smiles``,
        ``implausible_value`` and ``duplicate``.

    Raises
    ------
    FileNotFoundError
        When no file is found (the message lists the three ways to provide one).
    ValueError
        When a required column (``metal_ion``, ``SMILES``, ``pKa_value``,
        ``predicted_positions``) is missing.
    """
    file = resolve_data_file(
        path,
        [NIST46_FILENAME, NIST46_FULL_FILENAME],
        what="NIST 46 metal table",
        hint="run skmetalpka.datasets.fetch_nist46() to download the public table "
        f"({NIST46_FULL_FILENAME}) into the data home",
    )
    raw = read_csv_table(file, REQUIRED_COLUMNS, what="NIST 46 metal table")
    has_num = "pKa_num" in raw.columns
    report = DataReport(source=str(file), n_read=len(raw))
    if not has_num:
        report.notes.append("no pKa_num column: the value-count check was skipped")

    dropped: Counter[str] = Counter()
    modified: Counter[str] = Counter()
    excluded: list[tuple[int, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    records: list[dict[str, Any]] = []
    values_kept: list[list[float]] = []

    def drop(i: int, reason: str, detail: str) -> None:
        dropped[reason] += 1
        excluded.append((i, reason, detail))

    cols = list(REQUIRED_COLUMNS) + (["pKa_num"] if has_num else [])
    for i, rec in enumerate(raw[cols].to_dict("records")):
        metal = str(rec["metal_ion"]).strip()
        smiles_in = str(rec["SMILES"])
        if not metal:
            drop(i, "malformed_row", "metal_ion is blank")
            continue
        try:
            values = _parse_values(str(rec["pKa_value"]))
            positions = _parse_positions(str(rec["predicted_positions"]))
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
            drop(i, "malformed_row", f"{type(exc).__name__}: {exc}")
            continue
        if has_num:
            num_text = str(rec["pKa_num"]).strip()
            try:
                num = int(num_text)
            except ValueError:
                drop(i, "malformed_row", f"pKa_num {num_text!r} is not an integer")
                continue
            if num != len(values):
                drop(i, "value_count_mismatch", f"pKa_num={num} but {len(values)} values")
                continue
        try:
            lig = standardize_ligand(smiles_in, strip_salts=strip_salts)
        except InvalidLigandError as exc:
            drop(i, "invalid_smiles", str(exc))
            continue
        if min_value is not None and min(values) < min_value:
            drop(i, "implausible_value", f"value {min(values)} < min_value={min_value}: {values}")
            continue
        key = (metal, lig.smiles)
        if drop_duplicates and key in seen:
            drop(i, "duplicate", f"same metal and ligand as data row {seen[key]}")
            continue
        seen.setdefault(key, i)

        if lig.was_stripped:
            modified["salt_stripped"] += 1
        sites: list[int] = []
        if positions is None:
            modified["binding_sites_missing"] += 1
        else:
            mapping = map_atom_indices(lig, positions)
            sites = mapping.sites
            if mapping.n_on_removed_fragment:
                modified["binding_site_indices_on_removed_fragment"] += (
                    mapping.n_on_removed_fragment
                )
            if mapping.n_out_of_range:
                modified["binding_site_indices_out_of_range"] += mapping.n_out_of_range
            kept_orig = [p for p in positions if p in set(lig.atom_map)]
            if sites != kept_orig:
                modified["binding_sites_remapped"] += 1
            wrong = non_donor_atoms(standardize_ligand(lig.smiles).mol, sites)
            if wrong:
                modified["binding_site_indices_not_donor"] += len(wrong)
                canon = standardize_ligand(lig.smiles).mol
                desc = ", ".join(f"{a}:{canon.GetAtomWithIdx(a).GetSymbol()}" for a in wrong)
                report.flag(
                    i,
                    "binding_site_not_donor",
                    f"site atom(s) {desc} of {lig.smiles} match no donor rule",
                )
        records.append(
            {
                "metal": metal,
                "smiles": lig.smiles,
                "smiles_input": smiles_in,
                "temperature": TEMPERATURE,
                "ionic_strength": IONIC_STRENGTH,
                "binding_sites": sites,
            }
        )
        values_kept.append(values)

    X = pd.DataFrame(
        records,
        columns=[
            "metal",
            "smiles",
            "smiles_input",
            "temperature",
            "ionic_strength",
            "binding_sites",
        ],
    )
    X["temperature"] = X["temperature"].astype("float64")
    X["ionic_strength"] = X["ionic_strength"].astype("float64")
    y = pad_ragged(values_kept)

    report.settle(
        n_kept=len(records),
        n_samples=len(records),
        dropped=dropped,
        modified=modified,
        raw=raw,
        excluded=excluded,
    )
    report.notes.append(
        f"conditions set to the table's: temperature={TEMPERATURE} C, "
        f"ionic_strength={IONIC_STRENGTH} M"
    )
    if modified.get("binding_site_indices_on_removed_fragment") or modified.get(
        "binding_site_indices_out_of_range"
    ):
        report.notes.append(
            "binding_site_indices_* count atom indices (not rows) removed from binding_sites"
            " (binding_site_indices_not_donor: kept, but listed in report.flagged)"
        )
    report.check()
    if return_report:
        return X, y, report
    return X, y


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _default_opener(url: str) -> IO[bytes]:
    return urllib.request.urlopen(url, timeout=60)


def fetch_nist46(
    data_home: str | os.PathLike[str] | None = None,
    *,
    url: str | None = None,
    sha256: str | None = None,
    force: bool = False,
    opener: Callable[[str], IO[bytes]] | None = None,
) -> Path:
    """Download the full public NIST 46 metal table once into the data home.

    The file (2,326 rows, same core columns as ``nist46_metal_binding.csv``) is
    ``MetalGCN/model/pre_metal_t15_T25_I0.1_E3_m10_clean_merged_clean.csv`` of the public
    repository ``qteddie/GNN-MetalChelators`` at commit ``0938c775``. It is written to a
    temporary file in the same folder, its SHA-256 is verified, and only then is it renamed to
    ``nist46_metal_binding_full.csv``; a file that fails the check is deleted.
    :func:`load_nist46` finds it without arguments.

    Parameters
    ----------
    data_home : str or path-like, optional
        Target folder (see :func:`get_data_home`); created if needed.
    url : str, optional
        Download address (default :data:`NIST46_URL`); ``file://`` URLs work too.
    sha256 : str, optional
        Expected SHA-256 hex digest (default :data:`NIST46_SHA256`).
    force : bool, default=False
        Download again even if the file exists.
    opener : callable, optional
        ``opener(url)`` returning a binary file-like object (default
        :func:`urllib.request.urlopen` with a 60 s timeout); for mirrors, proxies and tests.

    Returns
    -------
    pathlib.Path
        Path of the verified file.

    Raises
    ------
    ValueError
        When the downloaded (or already present) file does not have the expected checksum.
    OSError
        When the download fails.
    """
    home = get_data_home(data_home)
    target = home / NIST46_FULL_FILENAME
    expected = (sha256 or NIST46_SHA256).strip().lower()
    source = url or NIST46_URL
    if target.is_file() and not force:
        got = _sha256_file(target)
        if got != expected:
            raise ValueError(
                f"{str(target)!r} exists but its SHA-256 is {got}, not {expected}; delete it or "
                "call fetch_nist46(force=True) to download it again"
            )
        return target
    # The download goes into a temporary file that replaces the target only when it is complete
    # and its checksum matches (an exception inside the block discards it).
    with atomic_open(target, "wb") as out:
        h = hashlib.sha256()
        try:
            with (opener or _default_opener)(source) as resp:
                for chunk in iter(lambda: resp.read(_CHUNK), b""):
                    h.update(chunk)
                    out.write(chunk)
        except OSError as exc:
            raise OSError(
                f"could not download the NIST 46 table from {source}: {exc}. Check the "
                f"network, or download it yourself and save it as {str(target)!r}"
            ) from exc
        got = h.hexdigest()
        if got != expected:
            raise ValueError(
                f"checksum mismatch for {source}: SHA-256 {got}, expected {expected}. The file "
                "was discarded; the download may be corrupt or the source changed"
            )
    return target
