"""Summaries computed partition by partition: best ligands per metal, selectivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skmetalpka.scale import rank_column, selectivity, top_ligands


def _pairs(rows):
    """rows: (ligand_index, smiles, metal, log_beta_1, error)."""
    df = pd.DataFrame(rows, columns=["ligand_index", "smiles", "metal", "log_beta_1", "error"])
    df["warning"] = ""
    return df


PART_A = _pairs(
    [
        (0, "L0", "Cu2+", 5.0, ""),
        (0, "L0", "Ni2+", 4.0, ""),
        (1, "L1", "Cu2+", 9.0, ""),
        (1, "L1", "Ni2+", 3.0, ""),
        (2, "L2", "Cu2+", np.nan, "smiles: invalid"),
        (2, "L2", "Ni2+", np.nan, "smiles: invalid"),
    ]
)
PART_B = _pairs(
    [
        (3, "L3", "Cu2+", 7.0, ""),
        (3, "L3", "Ni2+", 8.0, ""),
        (4, "L4", "Cu2+", 9.0, ""),
        (4, "L4", "Ni2+", 1.0, ""),
    ]
)


def test_top_ligands_per_metal_across_partitions_ties_by_input_order():
    top = top_ligands([PART_A, PART_B], 2)
    assert top["metal"].tolist() == ["Cu2+", "Cu2+", "Ni2+", "Ni2+"]
    assert top["rank"].tolist() == [1, 2, 1, 2]
    assert top["ligand_index"].tolist() == [1, 4, 3, 0]  # 9.0 tie: earlier row first
    # the same result whatever the partitioning
    whole = top_ligands([pd.concat([PART_A, PART_B], ignore_index=True)], 2)
    pd.testing.assert_frame_equal(top, whole)
    with pytest.raises(ValueError, match="positive integer"):
        top_ligands([PART_A], 0)


def test_rank_column_prefers_the_conditional_constant():
    assert rank_column(["log_beta_1", "conditional_log_beta_1_pH7"]) == "conditional_log_beta_1_pH7"
    assert rank_column(["log_beta_1"]) == "log_beta_1"
    cond = PART_A.assign(conditional_log_beta_1_pH7=[1.0, 0.0, 0.5, 2.0, np.nan, np.nan])
    top = top_ligands([cond], 1)
    assert top["ligand_index"].tolist() == [0, 1]  # by the conditional column, not log beta_1


def test_selectivity_a_over_b():
    sel = selectivity([PART_A, PART_B], "Cu(II)", "Ni2+", 3)
    assert sel["rank"].tolist() == [1, 2, 3]
    assert sel["ligand_index"].tolist() == [4, 1, 0]
    np.testing.assert_allclose(sel["selectivity"], [8.0, 6.0, 1.0])
    assert list(sel.columns) == [
        "rank",
        "ligand_index",
        "smiles",
        "log_beta_1_Cu(II)",
        "log_beta_1_Ni2+",
        "selectivity",
    ]
    with pytest.raises(ValueError, match="two different metals"):
        selectivity([PART_A], "Cu2+", "Cu(II)", 3)
