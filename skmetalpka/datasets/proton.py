"""NIST SRD 46 ligand protonation constants: :func:`load_nist46_proton`.

The table (``nist46_proton.csv``) has one row per measured protonation step, with the columns
``SMILES``, ``Equilibrium`` (``[HL]/[L][H]`` is step 1, ``[H₂L]/[HL][H]`` step 2, ...; the
subscripts are Unicode digits), ``Temperature (C)``, ``Ionic strength``, ``Value`` (the stepwise
log K of that step) and, optionally checked when present, ``Value type`` (must be a log K) and
``Metal ion`` (must be H+). Other columns are ignored.

Rules
-----
* One sample per (standardised ligand SMILES, temperature, ionic strength); ``metal`` is ``H+``.
* Repeated measurements of the same step at the same conditions are **averaged** (arithmetic
  mean of the stepwise log K); ``modified['repeats_averaged']`` counts the raw rows merged into
  another one's mean (rows beyond the first per step), and the notes give the largest spread
  averaged. Repeats that disagree by more than ``max_repeat_spread`` log units (default 1.0) are
  not averaged: the source then mixes up steps (e.g. two "step 2" values 7.69 and 2.00 for
  4-hydroxyphenylphosphonic acid), so those rows are dropped as ``inconsistent_repeats`` and the
  step counts as missing.
* Stepwise values become cumulative log beta^H_n = log K_1 + ... + log K_n. When a step is
  missing (step 3 without step 2), every later cumulative value is unknowable: it stays NaN and
  the raw rows of those later steps are dropped with reason ``step_gap``. A sample with no
  known value at all (no step 1) is not returned.
* ``n_read``/``n_kept``/``dropped`` count raw rows; ``n_samples`` counts the returned samples.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pandas as pd

from skmetalpka.chem import InvalidLigandError, standardize_ligand
from skmetalpka.datasets._home import read_csv_table, resolve_data_file
from skmetalpka.datasets.report import DataReport, pad_ragged

__all__ = ["load_nist46_proton", "parse_proton_step", "PROTON_FILENAME"]

#: File name of the NIST SRD 46 protonation table in the data home.
PROTON_FILENAME = "nist46_proton.csv"

REQUIRED_COLUMNS = ("SMILES", "Equilibrium", "Temperature (C)", "Ionic strength", "Value")

_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉⁺", "0123456789+")
_STEP_RE = re.compile(r"^\[H(\d*)L\]/\[(?:H(\d*))?L\]\[H\]$")
_PROTON_NAMES = {"H+", "H", "PROTON"}


def parse_proton_step(equilibrium: object) -> int | None:
    """Step number n of an equilibrium string ``[HnL]/[Hn-1L][H]``; None if not of that form.

    Unicode subscript digits and white space are accepted: ``"[H₂L]/[HL][H]"`` gives 2.
    """
    if not isinstance(equilibrium, str):
        return None
    text = "".join(equilibrium.translate(_SUBSCRIPTS).split())
    m = _STEP_RE.match(text)
    if m is None:
        return None
    n = int(m.group(1)) if m.group(1) else 1
    if m.group(2) is None:  # "[L]": no proton on the left
        prev = 0
    else:
        prev = int(m.group(2)) if m.group(2) else 1
    if n < 1 or prev != n - 1:
        return None
    return n


def _to_float(text: object) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        return float("nan")
    return value


def load_nist46_proton(
    path: str | os.PathLike[str] | None = None,
    *,
    max_repeat_spread: float | None = 1.0,
    return_report: bool = False,
) -> tuple[pd.DataFrame, np.ndarray] | tuple[pd.DataFrame, np.ndarray, DataReport]:
    """Load NIST SRD 46 ligand protonation constants as cumulative log beta^H.

    Parameters
    ----------
    path : str or path-like, optional
        The CSV file or a folder holding ``nist46_proton.csv``. When omitted,
        ``$SKMETALPKA_DATA_HOME`` (else ``~/skmetalpka_data``) must hold ``nist46_proton.csv``.
    max_repeat_spread : float or None, default=1.0
        Repeated values of one step at the same conditions are averaged when their range is at
        most this (log units); otherwise they are dropped (``inconsistent_repeats``) and the step
        is treated as missing. ``None`` always averages.
    return_report : bool, default=False
        Also return the :class:`DataReport`.

    Returns
    -------
    X : pandas.DataFrame
        Columns ``metal`` (always ``"H+"``), ``smiles`` (standardised), ``smiles_input`` (the first
        spelling met in the file), ``temperature`` (C), ``ionic_strength`` (M); one row per
        (ligand, temperature, ionic strength), in order of first appearance.
    y : numpy.ndarray of float64, shape (n_samples, N)
        Cumulative log beta^H_1..N; NaN where not measured or not computable (after a gap).
    report : DataReport
        Only with ``return_report=True``. Counts are in raw rows (one per step); drop reasons:
        ``not_proton`` (``Metal ion`` is not H+), ``not_log_k`` (``Value type`` is not a log K),
        ``unrecognised_equilibrium``, ``invalid_value``, ``invalid_conditions``,
        ``invalid_smiles``, ``inconsistent_repeats`` and ``step_gap`` (a later step of a sample
        whose earlier step is missing).

    Raises
    ------
    FileNotFoundError
        When no file is found.
    ValueError
        When a required column is missing.
    """
    file = resolve_data_file(
        path,
        [PROTON_FILENAME],
        what="NIST 46 protonation table",
        hint=f"put {PROTON_FILENAME} into the data home",
    )
    raw = read_csv_table(file, REQUIRED_COLUMNS, what="NIST 46 protonation table")
    report = DataReport(source=str(file), n_read=len(raw))
    optional = [c for c in ("Metal ion", "Value type") if c in raw.columns]
    cols = list(REQUIRED_COLUMNS) + optional

    dropped: Counter[str] = Counter()
    modified: Counter[str] = Counter()
    excluded: list[tuple[int, str, str]] = []

    def drop(i: int, reason: str, detail: str) -> None:
        dropped[reason] += 1
        excluded.append((i, reason, detail))

    # sample key -> step -> list of (raw row, stepwise value)
    groups: dict[tuple[str, float, float], dict[int, list[tuple[int, float]]]] = {}
    first_input: dict[tuple[str, float, float], str] = {}
    for i, rec in enumerate(raw[cols].to_dict("records")):
        if "Metal ion" in rec:
            metal = str(rec["Metal ion"]).translate(_SUBSCRIPTS).strip().upper()
            if metal not in _PROTON_NAMES:
                drop(i, "not_proton", f"Metal ion is {rec['Metal ion']!r}, expected H+")
                continue
        if "Value type" in rec:
            vtype = "".join(str(rec["Value type"]).split()).lower()
            if vtype != "logk":
                drop(i, "not_log_k", f"Value type is {rec['Value type']!r}, expected 'Log K'")
                continue
        step = parse_proton_step(rec["Equilibrium"])
        if step is None:
            drop(
                i,
                "unrecognised_equilibrium",
                f"Equilibrium {rec['Equilibrium']!r} is not of the form [HnL]/[Hn-1L][H]",
            )
            continue
        value = _to_float(rec["Value"])
        if not np.isfinite(value):
            drop(i, "invalid_value", f"Value {rec['Value']!r} is not a finite number")
            continue
        temp = _to_float(rec["Temperature (C)"])
        ionic = _to_float(rec["Ionic strength"])
        if not (np.isfinite(temp) and np.isfinite(ionic)) or ionic < 0:
            drop(
                i,
                "invalid_conditions",
                f"Temperature {rec['Temperature (C)']!r} / Ionic strength "
                f"{rec['Ionic strength']!r} are not valid numbers",
            )
            continue
        try:
            lig = standardize_ligand(rec["SMILES"])
        except InvalidLigandError as exc:
            drop(i, "invalid_smiles", str(exc))
            continue
        if lig.was_stripped:
            modified["salt_stripped"] += 1
        key = (lig.smiles, temp, ionic)
        first_input.setdefault(key, str(rec["SMILES"]))
        groups.setdefault(key, defaultdict(list))[step].append((i, value))

    records: list[dict[str, Any]] = []
    rows_y: list[list[float]] = []
    max_spread = 0.0
    max_spread_key: tuple[str, float, float, int] | None = None
    n_kept = 0
    for key, steps in groups.items():
        cumulative: list[float] = []
        total = 0.0
        gap = False
        for n in range(1, max(steps) + 1):
            if n not in steps:
                gap = True
                cumulative.append(float("nan"))
                continue
            entries = steps[n]
            if gap:
                for i, _ in entries:
                    drop(i, "step_gap", f"step {n} follows a missing earlier step for {key[0]}")
                cumulative.append(float("nan"))
                continue
            vals = [v for _, v in entries]
            if len(vals) > 1:
                spread = max(vals) - min(vals)
                if max_repeat_spread is not None and spread > max_repeat_spread:
                    for i, _ in entries:
                        drop(
                            i,
                            "inconsistent_repeats",
                            f"{len(vals)} values for step {n} of {key[0]} at T={key[1]}, "
                            f"I={key[2]} span {spread:.3g} > max_repeat_spread="
                            f"{max_repeat_spread}: {vals}",
                        )
                    gap = True
                    cumulative.append(float("nan"))
                    continue
                modified["repeats_averaged"] += len(vals) - 1
                if spread > max_spread:
                    max_spread, max_spread_key = spread, (*key, n)
            total += float(np.mean(vals))
            n_kept += len(vals)
            cumulative.append(total)
        if gap:
            modified["samples_with_step_gap"] += 1
        if all(np.isnan(cumulative)):
            continue
        while np.isnan(cumulative[-1]):
            cumulative.pop()
        records.append(
            {
                "metal": "H+",
                "smiles": key[0],
                "smiles_input": first_input[key],
                "temperature": key[1],
                "ionic_strength": key[2],
            }
        )
        rows_y.append(cumulative)

    X = pd.DataFrame(
        records, columns=["metal", "smiles", "smiles_input", "temperature", "ionic_strength"]
    )
    X["temperature"] = X["temperature"].astype("float64")
    X["ionic_strength"] = X["ionic_strength"].astype("float64")
    y = pad_ragged(rows_y)

    excluded.sort()
    report.settle(
        n_kept=n_kept,
        n_samples=len(records),
        dropped=dropped,
        modified=modified,
        raw=raw,
        excluded=excluded,
    )
    report.notes.append(
        "counts are raw rows (one protonation step each); n_samples = rows of X, one per "
        "(ligand, temperature, ionic strength)"
    )
    report.notes.append(
        "repeated measurements of a step at the same conditions are averaged (mean of the "
        "stepwise log K); repeats_averaged counts the extra raw rows"
    )
    if max_spread_key is not None:
        report.notes.append(
            f"largest spread among averaged repeats: {max_spread:.3g} log units "
            f"({max_spread_key[0]}, T={max_spread_key[1]}, I={max_spread_key[2]}, "
            f"step {max_spread_key[3]})"
        )
    report.check()
    if return_report:
        return X, y, report
    return X, y
