"""Every public source in one table: :func:`load_corpus` and :func:`ligand_groups`.

Sources (``sources=``)
----------------------
``"nist46"``
    :func:`~skmetalpka.datasets.load_nist46`: cumulative log beta_1..beta_N, 25 C, I = 0.1 M,
    upstream (predicted) binding sites.
``"logkpredict_nist"``
    :func:`~skmetalpka.datasets.load_logkpredict_nist`: log beta_1 only, conditions not given
    (NaN), curated donor atoms as binding sites.
``"logkpredict_iupac"``
    :func:`~skmetalpka.datasets.load_logkpredict_iupac`: log beta_1 of the rare earths,
    conditions not given (NaN), no binding sites.
``"minteq"``
    :func:`~skmetalpka.datasets.load_minteq`: cumulative log beta, 25 C, I = 0 (infinite
    dilution), no binding sites.

What the corpus does on top of the loaders
------------------------------------------
* **One ligand identity**: ``ligand_id`` (:func:`skmetalpka.datasets.identity.ligand_id`:
  uncharged, stereo-free parent) for every row, and ``smiles`` **is** that identity SMILES, so
  every source gives the model the same graph for the same ligand. ``binding_sites`` are carried
  into the atom order of the identity SMILES.
* **Inorganic ligands** (no carbon, or carbonate / cyanide / thiocyanate / cyanate) are dropped
  from every source (``inorganic_ligand``; NIST-46 has a few, e.g. cyanide with Ag+), so that
  all sources follow the rule of the LOGKPREDICT loaders.
* **Repeated measurements** within one source - the same (source, metal, ligand_id, temperature,
  ionic strength) on several rows; mostly the IUPAC table - are combined into one row: the
  per-step **median** (``combine="median"``, default; ``"mean"``; or ``None`` to keep every
  row). ``n_measurements`` says how many rows were combined, ``binding_sites`` is the union of
  theirs.
* **Cross-source duplicates** are **not** merged: the sources differ in ionic strength (0 vs
  0.1 M vs unknown) and in curation, so each keeps its row and its ``source``. They share a
  ligand group, so :func:`ligand_groups` keeps them on the same side of a split. Weight or
  filter by ``source`` if one source should win.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal

import numpy as np
import pandas as pd

from skmetalpka.chem import InvalidLigandError, standardize_ligand
from skmetalpka.datasets.complexes import ComplexParseError, split_complex
from skmetalpka.datasets.identity import is_inorganic, neutral_parent
from skmetalpka.datasets.logkpredict import load_logkpredict_iupac, load_logkpredict_nist
from skmetalpka.datasets.minteq import load_minteq
from skmetalpka.datasets.nist46 import load_nist46
from skmetalpka.datasets.report import DataReport, pad_ragged

__all__ = [
    "load_corpus",
    "ligand_groups",
    "source_overlap",
    "repeat_spread",
    "CorpusReport",
    "CORPUS_SOURCES",
    "CORPUS_COLUMNS",
    "CURATED_SITE_SOURCES",
]

#: Sources :func:`load_corpus` reads by default, in this order.
CORPUS_SOURCES: tuple[str, ...] = ("nist46", "logkpredict_nist", "logkpredict_iupac", "minteq")

#: Columns of the corpus ``X``.
CORPUS_COLUMNS: list[str] = [
    "metal",
    "smiles",
    "smiles_input",
    "temperature",
    "ionic_strength",
    "binding_sites",
    "ligand_id",
    "source",
    "n_measurements",
    "sites_curated",
]

#: Sources whose ``binding_sites`` are curated donor atoms (the dative bonds of LOGKPREDICT);
#: NIST-46's are the picks of an upstream pKa-site model.
CURATED_SITE_SOURCES: tuple[str, ...] = ("logkpredict_nist",)


def _loaders(data_home: str | os.PathLike[str] | None) -> dict[str, Callable[[], tuple]]:
    return {
        "nist46": lambda: load_nist46(data_home, return_report=True),
        "logkpredict_nist": lambda: load_logkpredict_nist(data_home, return_report=True),
        "logkpredict_iupac": lambda: load_logkpredict_iupac(data_home, return_report=True),
        "minteq": lambda: load_minteq(return_report=True),
    }


@dataclass
class CorpusReport(DataReport):
    """:class:`DataReport` of :func:`load_corpus`, with the reports of its sources.

    Counting unit: a raw record is a **row returned by a source loader**, so ``n_read`` is the
    sum of the sources' ``n_samples``; ``dropped`` holds what the corpus itself left out
    (``inorganic_ligand``, ``invalid_ligand``); ``modified['repeats_combined']`` counts rows
    folded into another one's median.

    Attributes
    ----------
    sources : dict of str to DataReport
        The report of each source loader (raw-row accounting of its file).
    overlap_before, overlap_after : dict of str to int
        Ligands shared by each pair of sources (key ``"a & b"``), matched by the standardised
        SMILES of the ligand as each source draws it (before: for LOGKPREDICT the charged
        ligand of the complex) and by ``ligand_id`` (after).
    ligands_before : dict of str to set of str
        Per source, the ligand keys used for ``overlap_before`` (not in :meth:`to_dict`).
    spread : dict
        Repeat spread of log beta_1 (see :func:`repeat_spread`) within sources and across them.
    """

    sources: dict[str, DataReport] = field(default_factory=dict)
    overlap_before: dict[str, int] = field(default_factory=dict)
    overlap_after: dict[str, int] = field(default_factory=dict)
    spread: dict[str, Any] = field(default_factory=dict)
    ligands_before: dict[str, set[str]] = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary, including each source's report."""
        out = super().to_dict()
        out["sources"] = {k: v.to_dict() for k, v in self.sources.items()}
        out["overlap_before"] = dict(self.overlap_before)
        out["overlap_after"] = dict(self.overlap_after)
        out["spread"] = self.spread
        return out

    def __str__(self) -> str:
        lines = [super().__str__()]
        for name, rep in self.sources.items():
            lines.append(
                f"  source {name}: read {rep.n_read}, kept {rep.n_kept}, dropped "
                f"{rep.n_dropped} {dict(sorted(rep.dropped.items()))}"
            )
        if self.overlap_after:
            lines.append("  shared ligands (own SMILES -> ligand_id):")
            lines += [
                f"    {k}: {self.overlap_before.get(k, 0)} -> {v}"
                for k, v in self.overlap_after.items()
            ]
        return "\n".join(lines)


def _identity(smiles: str, sites: Sequence[int]) -> tuple[str, list[int]]:
    """Identity SMILES of a loader's ``smiles`` and its sites carried into that atom order."""
    lig = standardize_ligand(smiles)
    ident, position = neutral_parent(lig.mol)
    # the loaders' smiles are single-fragment canonical SMILES: lig.mol has their atom order
    return ident, sorted({position[int(s)] for s in sites if 0 <= int(s) < len(position)})


def _as_drawn(name: str, X: pd.DataFrame) -> set[str]:
    """Ligand keys before the identity: each loader's standardised SMILES of the ligand as the
    source draws it (for LOGKPREDICT: the ligand of the complex, charges as drawn)."""
    if not name.startswith("logkpredict"):
        return set(X["smiles"])
    out = set()
    for text in X["smiles_input"]:
        try:
            out.add(standardize_ligand(split_complex(text).ligand_smiles).smiles)
        except (ComplexParseError, InvalidLigandError):  # pragma: no cover - loader kept it
            continue
    return out


def source_overlap(keys_by_source: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Number of shared keys (ligands) for each pair of sources, keyed ``"a & b"``."""
    sets = {k: set(v) for k, v in keys_by_source.items()}
    return {f"{a} & {b}": len(sets[a] & sets[b]) for a, b in combinations(sets, 2)}


def repeat_spread(values: Sequence[float], groups: Sequence[Any]) -> dict[str, float | int]:
    """How much repeated measurements of one quantity disagree.

    Parameters
    ----------
    values : sequence of float
        One value per measurement (NaN ignored).
    groups : sequence
        Group label of each measurement (e.g. ``(metal, ligand_id)``).

    Returns
    -------
    dict
        ``n_groups`` (groups with at least two values), ``n_values`` (values in them),
        ``median_abs_dev`` (median over values of ``|value - group median|``), ``rmsd`` (root mean
        square deviation from the group mean, pooled), ``median_range`` and ``p90_range``
        (median / 90th percentile of the per-group max - min). NaN when no group repeats.
    """
    frame = pd.DataFrame({"v": np.asarray(values, dtype=float), "g": list(groups)})
    frame = frame[np.isfinite(frame.v)]
    sizes = frame.groupby("g", sort=False, dropna=False)["v"].transform("size")
    rep = frame[sizes >= 2]
    if rep.empty:
        nan = math.nan
        return {"n_groups": 0, "n_values": 0, "median_abs_dev": nan, "rmsd": nan,
                "median_range": nan, "p90_range": nan}  # fmt: skip
    grouped = rep.groupby("g", sort=False, dropna=False)["v"]
    dev_med = (rep.v - grouped.transform("median")).abs()
    dev_mean = rep.v - grouped.transform("mean")
    n_groups = int(grouped.ngroups)
    ranges = grouped.max() - grouped.min()
    return {
        "n_groups": n_groups,
        "n_values": len(rep),
        "median_abs_dev": float(dev_med.median()),
        "rmsd": float(np.sqrt((dev_mean**2).sum() / (len(rep) - n_groups))),
        "median_range": float(ranges.median()),
        "p90_range": float(ranges.quantile(0.9)),
    }


def ligand_groups(X: pd.DataFrame) -> np.ndarray:
    """Integer ligand group of every row, for ligand-grouped cross-validation.

    Rows get the same group exactly when their ligands have the same group key
    (:func:`skmetalpka.identity.ligand_group`: the canonical tautomer of the identity
    :func:`skmetalpka.datasets.identity.ligand_id`), however each source spelled the ligand.

    Parameters
    ----------
    X : pandas.DataFrame
        With a ``ligand_id`` column (as returned by :func:`load_corpus`), else a ``smiles``
        column from which the identity is computed.

    Returns
    -------
    numpy.ndarray of int64, shape (n_samples,)
        Pass as ``groups=`` to :class:`sklearn.model_selection.GroupKFold`.

    Raises
    ------
    ValueError
        When ``X`` has neither column, or a SMILES has no identity (the message names it).
    """
    from skmetalpka.identity import ligand_group

    if "ligand_id" in X.columns:
        keys = [ligand_group(k) for k in X["ligand_id"].astype(str).tolist()]
    elif "smiles" in X.columns:
        keys = []
        for smi in X["smiles"]:
            try:
                keys.append(ligand_group(smi))
            except InvalidLigandError as exc:
                raise ValueError(f"ligand_groups: {exc}") from exc
    else:
        raise ValueError(
            f"ligand_groups needs a 'ligand_id' or 'smiles' column; X has {list(X.columns)}"
        )
    codes, _ = pd.factorize(pd.Series(keys), sort=False)
    return codes.astype(np.int64)


def load_corpus(
    data_home: str | os.PathLike[str] | None = None,
    sources: Sequence[str] = CORPUS_SOURCES,
    return_report: bool = False,
    *,
    combine: Literal["median", "mean"] | None = "median",
) -> tuple[pd.DataFrame, np.ndarray] | tuple[pd.DataFrame, np.ndarray, CorpusReport]:
    """Load every public source into one table with one ligand identity.

    Parameters
    ----------
    data_home : str or path-like, optional
        Folder holding the data files (``nist46_metal_binding.csv``,
        ``logkpredict_nist_k1.csv``, ``logkpredict_iupac_lanthanides_k1.csv``); default
        ``$SKMETALPKA_DATA_HOME``, else ``~/skmetalpka_data``. MINTEQ needs no file.
    sources : sequence of str, default=CORPUS_SOURCES
        Any of ``"nist46"``, ``"logkpredict_nist"``, ``"logkpredict_iupac"``, ``"minteq"``.
    return_report : bool, default=False
        Also return the :class:`CorpusReport`.
    combine : {"median", "mean"} or None, default="median"
        How repeated rows of one (source, metal, ligand_id, temperature, ionic_strength) are
        combined (per step, NaN ignored); ``None`` keeps every row (``n_measurements`` = 1).

    Returns
    -------
    X : pandas.DataFrame
        Columns :data:`CORPUS_COLUMNS`: ``metal``, ``smiles`` (the identity SMILES),
        ``smiles_input`` (the first spelling met in the source), ``temperature`` (C; 25 for
        NIST-46 and MINTEQ, NaN = not given), ``ionic_strength`` (M; 0.1 NIST-46, 0 MINTEQ, NaN
        = not given), ``binding_sites`` (indices into ``Chem.MolFromSmiles(smiles)``; ``[]``
        where the source has none), ``ligand_id``, ``source``, ``n_measurements``, ``sites_curated`` (True when
        ``binding_sites`` are curated donor atoms, :data:`CURATED_SITE_SOURCES`).
    y : numpy.ndarray of float64, shape (n_samples, N)
        Cumulative log beta_1..beta_N; NaN for steps a source does not give (LOGKPREDICT rows
        hold beta_1 only).
    report : CorpusReport
        Only with ``return_report=True``.

    Raises
    ------
    ValueError
        For an unknown source name or ``combine`` value.
    FileNotFoundError
        When a file-based source is requested and its file is not found.
    """
    sources = tuple(sources)
    loaders = _loaders(data_home)
    unknown = [s for s in sources if s not in loaders]
    if unknown or not sources:
        raise ValueError(
            f"unknown source(s) {unknown or sources!r}; choose from {list(CORPUS_SOURCES)}"
        )
    if len(set(sources)) != len(sources):
        raise ValueError(f"sources repeat a name: {list(sources)}")
    if combine not in ("median", "mean", None):
        raise ValueError(f"combine must be 'median', 'mean' or None, got {combine!r}")

    report = CorpusReport(source="corpus: " + ", ".join(sources))
    frames: list[pd.DataFrame] = []
    ys: list[np.ndarray] = []
    before: dict[str, set[str]] = {}
    for name in sources:
        X_s, y_s, rep_s = loaders[name]()
        report.sources[name] = rep_s
        before[name] = _as_drawn(name, X_s)
        frame = pd.DataFrame(
            {
                "metal": X_s["metal"].to_numpy(),
                "smiles_input": X_s["smiles_input"].to_numpy(),
                "temperature": X_s["temperature"].to_numpy(dtype=float),
                "ionic_strength": X_s["ionic_strength"].to_numpy(dtype=float),
                "source": name,
            }
        )
        sites_in = X_s["binding_sites"] if "binding_sites" in X_s else [[]] * len(X_s)
        ids, sites, keep = [], [], []
        for j, (smi, st) in enumerate(zip(X_s["smiles"], sites_in, strict=True)):
            row = report.n_read + j
            try:
                ident, mapped = _identity(smi, st)
                mol = standardize_ligand(ident).mol
            except InvalidLigandError as exc:
                report.drop(row, "invalid_ligand", f"{name}: {exc}")
                continue
            if is_inorganic(mol):
                report.drop(row, "inorganic_ligand", f"{name}: {ident} is not an organic ligand")
                continue
            ids.append(ident)
            sites.append(mapped)
            keep.append(j)
        report.n_read += len(X_s)
        frame = frame.iloc[keep].reset_index(drop=True)
        frame["smiles"] = ids
        frame["ligand_id"] = ids
        frame["binding_sites"] = sites
        frames.append(frame)
        ys.append(y_s[keep])

    width = max((y.shape[1] for y in ys), default=1)
    X_all = pd.concat(frames, ignore_index=True)
    y_all = np.vstack([np.pad(y, ((0, 0), (0, width - y.shape[1])), constant_values=np.nan)
                       for y in ys])  # fmt: skip
    n_kept = len(X_all)

    # ------------------------------------------------------------------ measured noise floor
    b1 = y_all[:, 0]
    spread: dict[str, Any] = {}
    for name in sources:
        m = (X_all.source == name).to_numpy()
        keys = list(zip(X_all.metal[m], X_all.ligand_id[m], strict=True))
        spread[f"within {name}"] = repeat_spread(b1[m], keys)
    for a, b in combinations(sources, 2):
        spread[f"{a} vs {b}"] = _cross_source_difference(X_all, b1, a, b)
    report.spread = spread

    # ------------------------------------------------------------------ combine repeats
    if combine is None or X_all.empty:
        X_out, y_out = X_all.copy(), y_all
        X_out["n_measurements"] = 1
    else:
        X_out, y_out = _combine(X_all, y_all, combine)
        report.modify("repeats_combined", len(X_all) - len(X_out))
    X_out["sites_curated"] = X_out["source"].isin(CURATED_SITE_SOURCES) & (
        X_out["binding_sites"].map(len) > 0
    )
    X_out = X_out[CORPUS_COLUMNS].reset_index(drop=True)
    X_out["n_measurements"] = X_out["n_measurements"].astype("int64")

    report.ligands_before = before
    report.overlap_before = source_overlap(before)
    report.overlap_after = source_overlap(
        {s: set(X_all.ligand_id[X_all.source == s]) for s in sources}
    )
    report.notes.append(
        "raw records are rows returned by the source loaders (see report.sources for the "
        "accounting of each file)"
    )
    report.notes.append(
        f"repeats within a source combined by {combine or 'nothing (every row kept)'} per step; "
        "rows of different sources are never merged"
    )
    report.finish(n_kept=n_kept, n_samples=len(X_out))
    if return_report:
        return X_out, y_out, report
    return X_out, y_out


def _cross_source_difference(X: pd.DataFrame, b1: np.ndarray, a: str, b: str) -> dict[str, Any]:
    """log beta_1 differences (a - b) over (metal, ligand_id) pairs measured in both sources."""
    med = {}
    for name in (a, b):
        m = (X.source == name).to_numpy() & np.isfinite(b1)
        med[name] = (
            pd.DataFrame({"k": list(zip(X.metal[m], X.ligand_id[m], strict=True)), "v": b1[m]})
            .groupby("k")["v"]
            .median()
        )
    common = med[a].index.intersection(med[b].index)
    if not len(common):
        return {"n_pairs": 0}
    diff = (med[a][common] - med[b][common]).to_numpy()
    return {
        "n_pairs": len(common),
        "mean_diff": float(diff.mean()),
        "median_abs_diff": float(np.median(np.abs(diff))),
        "rmsd": float(np.sqrt((diff**2).mean())),
    }


def _combine(X: pd.DataFrame, y: np.ndarray, how: str) -> tuple[pd.DataFrame, np.ndarray]:
    keys = ["source", "metal", "ligand_id", "temperature", "ionic_strength"]
    codes = X.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    order = pd.unique(codes)
    first = pd.Series(np.arange(len(X))).groupby(codes, sort=False).first()
    rows: list[dict[str, Any]] = []
    values: list[np.ndarray] = []
    reducer = np.nanmedian if how == "median" else np.nanmean
    for code in order:
        idx = np.flatnonzero(codes == code)
        rec = X.iloc[int(first[code])].to_dict()
        rec["n_measurements"] = len(idx)
        if len(idx) > 1:
            rec["binding_sites"] = sorted(set().union(*X["binding_sites"].iloc[idx]))
            block = y[idx]
            with np.errstate(all="ignore"):
                col = np.array([reducer(c) if np.isfinite(c).any() else np.nan for c in block.T])
            values.append(col)
        else:
            values.append(y[idx[0]])
        rows.append(rec)
    return pd.DataFrame(rows), pad_ragged([list(v) for v in values])
