"""Summaries of a screen computed partition by partition: best ligands, selectivity.

Both read the result partitions one at a time and keep only the ``k`` best rows so far, so
memory does not grow with the size of the library. Ties are broken by ``ligand_index``
(the earlier input row first), so the result does not depend on the partitioning.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..ions import canonical_ion

__all__ = ["rank_column", "top_ligands", "selectivity"]


def rank_column(columns: Iterable[str]) -> str:
    """Column that ranks ligands: the conditional log beta_1 when present, else log beta_1."""
    cols = list(columns)
    cond = [c for c in cols if c.startswith("conditional_log_beta_1_")]
    return cond[0] if cond else "log_beta_1"


def _keep_best(frame: pd.DataFrame, by: str, k: int, group: str | None) -> pd.DataFrame:
    frame = frame.sort_values([by, "ligand_index"], ascending=[False, True], kind="stable")
    if group is None:
        return frame.head(k)
    return frame.groupby(group, sort=False, group_keys=False).head(k)


def _id_columns(frame: pd.DataFrame) -> list[str]:
    return ["ligand_index"] + (["ligand_id"] if "ligand_id" in frame.columns else []) + ["smiles"]


def top_ligands(
    partitions: Iterable[pd.DataFrame], k: int, *, by: str | None = None
) -> pd.DataFrame:
    """The ``k`` best ligands of every metal.

    Parameters
    ----------
    partitions : iterable of pandas.DataFrame
        Result tables (:func:`skmetalpka.scale.iter_pairs`, :func:`~skmetalpka.scale.score_pairs`).
    k : int
        Ligands kept per metal.
    by : str, optional
        Column to rank by (highest first); default :func:`rank_column`. Rows with an error
        or a NaN value are not ranked.

    Returns
    -------
    pandas.DataFrame
        Columns ``metal``, ``rank`` (1..k), ``ligand_index`` (, ``ligand_id``), ``smiles``,
        ``log_beta_1`` (, ``log_beta_1_std``) (, the ``by`` column); metals in the order
        they first appear.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    best: pd.DataFrame | None = None
    order: list[str] = []
    for part in partitions:
        key = by or rank_column(part.columns)
        keep = _id_columns(part) + ["metal", "log_beta_1"]
        keep += [c for c in ("log_beta_1_std", key) if c in part.columns and c not in keep]
        ok = part.loc[(part["error"] == "") & part[key].notna(), keep]
        for m in part["metal"].drop_duplicates():
            if m not in order:
                order.append(m)
        both = ok if best is None else pd.concat([best, ok], ignore_index=True)
        best = _keep_best(both, key, k, "metal")
    if best is None:
        return pd.DataFrame(columns=["metal", "rank", "ligand_index", "smiles", "log_beta_1"])
    key = by or rank_column(best.columns)
    best = best.assign(_m=best["metal"].map({m: i for i, m in enumerate(order)}))
    best = best.sort_values(["_m", key, "ligand_index"], ascending=[True, False, True])
    best = best.drop(columns="_m")
    best.insert(1, "rank", best.groupby("metal").cumcount() + 1)
    cols = ["metal", "rank"] + [c for c in best.columns if c not in ("metal", "rank")]
    return best[cols].reset_index(drop=True)


def selectivity(
    partitions: Iterable[pd.DataFrame], metal_a: str, metal_b: str, k: int
) -> pd.DataFrame:
    """The ``k`` ligands most selective for ``metal_a`` over ``metal_b``.

    Selectivity is ``log beta_1(A) - log beta_1(B)`` of the same ligand. At a given pH the
    conditional constants give the same difference (the ligand's protonation cancels), so
    the plain constants are used.

    Parameters
    ----------
    partitions : iterable of pandas.DataFrame
        Result tables with both metals (every ligand with all its metals in one table, as the
        partitions of a screen).
    metal_a, metal_b : str
        Metals of the screen (any spelling of the same ion).
    k : int

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``ligand_index`` (, ``ligand_id``), ``smiles``, ``log_beta_1_<A>``,
        ``log_beta_1_<B>``, ``selectivity``; ligands where either value is missing are left
        out.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    a, b = canonical_ion(metal_a), canonical_ion(metal_b)
    if a == b:
        raise ValueError(f"selectivity needs two different metals, got {metal_a!r} twice")
    col_a, col_b = f"log_beta_1_{metal_a}", f"log_beta_1_{metal_b}"
    best: pd.DataFrame | None = None
    for part in partitions:
        canon = part["metal"].map({m: _canonical_or_self(m) for m in part["metal"].unique()})
        ok = part["error"] == ""
        ids = _id_columns(part)
        left = part.loc[ok & (canon == a), ids + ["log_beta_1"]].rename(
            columns={"log_beta_1": col_a}
        )
        right = part.loc[ok & (canon == b), ["ligand_index", "log_beta_1"]].rename(
            columns={"log_beta_1": col_b}
        )
        both = left.merge(right, on="ligand_index", how="inner")
        both = both[np.isfinite(both[col_a]) & np.isfinite(both[col_b])]
        both = both.assign(selectivity=both[col_a] - both[col_b])
        merged = both if best is None else pd.concat([best, both], ignore_index=True)
        best = _keep_best(merged, "selectivity", k, None)
    if best is None:
        best = pd.DataFrame(columns=["ligand_index", "smiles", col_a, col_b, "selectivity"])
    best = best.reset_index(drop=True)
    best.insert(0, "rank", np.arange(1, len(best) + 1))
    return best


def _canonical_or_self(metal: str) -> str:
    try:
        return canonical_ion(metal)
    except ValueError:
        return str(metal)
