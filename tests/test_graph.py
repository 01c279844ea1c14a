"""SmilesToGraph: features, error handling, pipeline contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone

from skmetalpka.chem import standardize_ligand
from skmetalpka.featurize.graph import (
    ATOM_FEATURE_NAMES,
    BOND_FEATURE_NAMES,
    ComplexGraph,
    SmilesToGraph,
)
from skmetalpka.metals import METAL_DESCRIPTOR_NAMES


def _frame(**cols):
    return pd.DataFrame(cols)


def test_glycine_graph_features():
    X = _frame(metal=["Cu2+"], smiles=["NCC(=O)O"])
    (g,) = SmilesToGraph().fit(X).transform(X)
    assert isinstance(g, ComplexGraph)
    assert g.x.shape == (5, len(ATOM_FEATURE_NAMES))
    # 4 bonds, both directions
    assert g.edge_index.shape == (2, 8)
    assert g.edge_attr.shape == (8, len(BOND_FEATURE_NAMES))
    names = list(ATOM_FEATURE_NAMES)
    # atom 0 is N with 2 H, degree 1, sp3
    assert g.x[0, names.index("element=N")] == 1
    assert g.x[0, names.index("total_h=2")] == 1
    assert g.x[0, names.index("degree=1")] == 1
    assert g.x[0, names.index("hybridization=SP3")] == 1
    assert g.x[0, names.index("aromatic")] == 0
    assert g.x[0, names.index("mass/100")] == pytest.approx(0.14007, abs=1e-4)
    # exactly one element flag per atom
    elem = [i for i, n in enumerate(names) if n.startswith("element=")]
    assert torch.all(g.x[:, elem].sum(1) == 1)
    # the C=O bond (atoms 2-3) is a double bond in both directions
    bn = list(BOND_FEATURE_NAMES)
    pairs = g.edge_index.t().tolist()
    for pair in ([2, 3], [3, 2]):
        assert g.edge_attr[pairs.index(pair), bn.index("bond=double")] == 1
    assert g.metal_x.shape == (1, len(METAL_DESCRIPTOR_NAMES))
    assert g.cond.flatten().tolist() == pytest.approx([25.0, 0.1])
    assert bool(g.valid) and g.error == "" and g.smiles == "NCC(=O)O"


def test_aromatic_and_ring_features():
    X = _frame(metal=["Ni2+"], smiles=["c1ccncc1"])
    (g,) = SmilesToGraph().fit(X).transform(X)
    names = list(ATOM_FEATURE_NAMES)
    assert torch.all(g.x[:, names.index("aromatic")] == 1)
    assert torch.all(g.x[:, names.index("in_ring_6")] == 1)
    assert torch.all(g.x[:, names.index("in_ring_5")] == 0)


def test_conditions_taken_from_columns_and_defaults():
    X = _frame(
        metal=["Cu2+", "Cu2+"],
        smiles=["NCCN", "NCCN"],
        temperature=[37.0, np.nan],
        ionic_strength=[0.5, np.nan],
    )
    g1, g2 = SmilesToGraph().fit(X).transform(X)
    assert g1.cond.flatten().tolist() == pytest.approx([37.0, 0.5])
    assert g2.cond.flatten().tolist() == pytest.approx([25.0, 0.1])


def test_salt_is_stripped_and_sites_reindexed():
    # [Na+] is atom 0 of the input; glycine N is input atom 1 -> ligand atom 0
    X = _frame(metal=["Cu2+"], smiles=["[Na+].NCC(=O)[O-]"], binding_sites=[[1, 4, 0]])
    (g,) = SmilesToGraph().fit(X).transform(X)
    assert g.num_nodes == 5
    assert g.binding_sites == [0, 3]  # the index on the removed Na+ is dropped


@pytest.mark.parametrize(
    "metal,smiles,reason",
    [
        ("Cu2+", "C1CC", "could not parse"),
        ("Cu2+", "", "empty"),
        ("Cu2+", None, "missing"),
        ("Xx9+", "NCCN", "Xx9+"),
        ("copper", "NCCN", "copper"),
        ("Cu2+", "[Cu]NCCN", "metal atom"),
    ],
)
def test_bad_rows_raise_with_row_and_reason(metal, smiles, reason):
    X = _frame(metal=["Cu2+", metal], smiles=["NCCN", smiles])
    t = SmilesToGraph().fit(X)
    with pytest.raises(ValueError, match="row 1") as exc:
        t.transform(X)
    assert reason in str(exc.value)


def test_bad_rows_flagged_keep_count_and_order():
    X = _frame(metal=["Cu2+", "Cu2+", "Xx9+", "Zn2+"], smiles=["NCCN", "C1CC", "NCCN", "OC(=O)C"])
    graphs = SmilesToGraph(on_error="flag").fit(X).transform(X)
    assert len(graphs) == 4
    assert [bool(g.valid) for g in graphs] == [True, False, False, True]
    assert "parse" in graphs[1].error and graphs[2].error
    assert graphs[3].smiles == "CC(=O)O"


def test_missing_columns_and_wrong_type():
    with pytest.raises(ValueError, match="missing required column"):
        SmilesToGraph().fit(pd.DataFrame({"smiles": ["NCCN"]}))
    with pytest.raises(TypeError, match="DataFrame"):
        SmilesToGraph().fit([["Cu2+", "NCCN"]])
    with pytest.raises(ValueError, match="on_error"):
        SmilesToGraph(on_error="ignore").fit(_frame(metal=["Cu2+"], smiles=["N"]))


def test_clone_and_params():
    t = SmilesToGraph(on_error="flag", default_temperature=30.0)
    c = clone(t)
    assert c.get_params() == t.get_params()
    assert SmilesToGraph().__sklearn_tags__().input_tags.string


def test_metal_width_is_fixed_at_fit_time():
    """Descriptors appended to the package later do not change a fitted featuriser's width."""
    from skmetalpka.featurize.metals import LEGACY_METAL_DESCRIPTOR_NAMES, metal_descriptors

    X = _frame(metal=["UO2 2+", "Cu2+", "VO2+"], smiles=["OC(=O)C", "NCCN", "NCCN"])
    fitted = SmilesToGraph(on_error="flag").fit(X)
    assert fitted.metal_descriptor_names_ == tuple(METAL_DESCRIPTOR_NAMES)
    # as if fitted when only some descriptors existed
    fitted.metal_descriptor_names_ = ("charge", "ionic_radius", "oxo_count")
    fitted.n_metal_features_ = 3
    g_uo2, g_cu, g_bad = fitted.transform(X)
    assert g_uo2.metal_x.tolist()[0] == pytest.approx([2.0, 0.81, 2.0])
    assert g_cu.metal_x.shape == (1, 3)
    assert not bool(g_bad.valid) and "ambiguous" in g_bad.error  # VO2+
    assert g_bad.metal_x.shape == (1, 3)
    # an object saved by 0.1.0 has only n_metal_features_: the first 15 descriptors
    del fitted.metal_descriptor_names_
    fitted.n_metal_features_ = len(LEGACY_METAL_DESCRIPTOR_NAMES)
    (g_cu,) = fitted.transform(X.iloc[[1]])
    np.testing.assert_allclose(
        g_cu.metal_x.numpy()[0], metal_descriptors("Cu2+")[:15].astype(np.float32)
    )


def test_each_distinct_ligand_is_featurised_once_per_transform(monkeypatch):
    import skmetalpka.featurize.graph as graph_mod

    calls = []
    real = graph_mod.atom_features
    monkeypatch.setattr(graph_mod, "atom_features", lambda mol: calls.append(1) or real(mol))
    X = _frame(
        metal=["Cu2+", "Ni2+", "Zn2+", "Cu2+", "Ni2+", "Cu2+"],
        smiles=["NCCN", "NCCN", "NCCN", "NCC(=O)O", "C1CC", "C1CC"],
    )
    step = SmilesToGraph(on_error="flag").fit(X)
    graphs = step.transform(X)
    assert len(calls) == 2  # NCCN and glycine; the invalid ring fails without features
    assert graphs[0].x is graphs[1].x and graphs[0].x is graphs[2].x
    assert [g.metal for g in graphs[:3]] == ["Cu2+", "Ni2+", "Zn2+"]
    assert not torch.equal(graphs[0].metal_x, graphs[1].metal_x)
    assert [bool(g.valid.item()) for g in graphs] == [True] * 4 + [False] * 2
    assert graphs[4].error == graphs[5].error and graphs[4].error
    # the same features as featurising each row alone
    for i, g in enumerate(graphs[:4]):
        (alone,) = step.transform(X.iloc[i : i + 1])
        for key in ("x", "edge_index", "edge_attr", "donor_score", "lig_x", "metal_x", "charges"):
            assert torch.equal(getattr(g, key), getattr(alone, key))
    assert len(calls) == 2 + 4


def test_ligand_width_is_fixed_at_fit_time():
    """Ligand descriptors appended later (the chelate topology) are not given to a featuriser
    fitted before them: it keeps the first ``n_ligand_features_``."""
    from skmetalpka.featurize.descriptors import (
        LEGACY_LIGAND_DESCRIPTOR_NAMES,
        LIGAND_DESCRIPTOR_NAMES,
        ligand_descriptors,
    )

    X = _frame(metal=["Cu2+"], smiles=["O=C(O)CN(CCN(CC(=O)O)CC(=O)O)CC(=O)O"])
    fitted = SmilesToGraph().fit(X)
    assert fitted.n_ligand_features_ == len(LIGAND_DESCRIPTOR_NAMES)
    (g,) = fitted.transform(X)
    full = ligand_descriptors(standardize_ligand(X.smiles[0]).mol)
    np.testing.assert_array_equal(g.lig_x.numpy()[0], full)
    fitted.n_ligand_features_ = len(LEGACY_LIGAND_DESCRIPTOR_NAMES)  # as saved before
    (g,) = fitted.transform(X)
    np.testing.assert_array_equal(g.lig_x.numpy()[0], full[: len(LEGACY_LIGAND_DESCRIPTOR_NAMES)])
    assert SmilesToGraph(ligand_descriptors=False).fit(X).transform(X)[0].lig_x.shape == (1, 0)
