"""MetalComplexModule: knows n, per-ligand backbone, batch independence."""

from __future__ import annotations

import pandas as pd
import pytest
import torch
from torch_geometric.data import Batch

from skmetalpka.featurize import LigandCountExpander, SitePredictor, SmilesToGraph
from skmetalpka.featurize.graph import N_ATOM_FEATURES, N_BOND_FEATURES
from skmetalpka.metals import METAL_DESCRIPTOR_NAMES
from skmetalpka.model import MetalComplexModule

SMILES = [
    "NCCN",
    "NCC(=O)O",
    "OC(=O)CN(CC(O)=O)CC(O)=O",
    "c1ccncc1",
    "Oc1ccccc1C(=O)O",
    "CC(=O)O",
    "NCCNCCN",
    "OC(=O)c1ccccn1",
    "SCC(N)C(=O)O",
    "OCC(O)CO",
]
METALS = ["Cu2+", "Ni2+", "Zn2+", "Co2+", "Cd2+", "Ag+", "Ca2+", "Mn2+", "Mg2+", "Pb2+"]


def _graphs(smiles, metals, n_steps=3, sites=None, method="rules"):
    cols = {"metal": metals, "smiles": smiles}
    if sites is not None:
        cols["binding_sites"] = sites
    X = pd.DataFrame(cols)
    g = SmilesToGraph().fit(X).transform(X)
    g = SitePredictor(method=method).fit_transform(g)
    return LigandCountExpander(max_ligands=n_steps).fit(g).transform(g)


def _module(n_steps=3, **kw):
    torch.manual_seed(0)
    params = dict(hidden_dim=32, encoder_depth=2, star_layers=2, heads=4, dropout=0.0)
    params.update(kw)
    m = MetalComplexModule(
        N_ATOM_FEATURES, N_BOND_FEATURES, len(METAL_DESCRIPTOR_NAMES), n_steps, **params
    )
    # realistic feature scaling so that the metal node is not saturated
    m.metal_std.fill_(10.0)
    m.cond_std.fill_(10.0)
    return m.eval()


def test_output_shape():
    b = Batch.from_data_list(_graphs(SMILES[:4], METALS[:4]))
    assert _module()(b).shape == (4, 3)


def test_predictions_depend_on_n_with_identical_copies():
    b = Batch.from_data_list(_graphs(["NCCN"], ["Cu2+"]))
    z = _module(n_encoding="embedding")(b)[0]
    assert (z[0] - z[1]).abs() > 1e-3 and (z[1] - z[2]).abs() > 1e-3


def test_old_design_is_blind_to_n():
    """Documents the flaw: soft sites + mean pooling + no n encoding -> z_1 == z_2 == z_3."""
    b = Batch.from_data_list(_graphs(["NCCN"], ["Cu2+"]))
    z = _module(n_encoding="none")(b)[0]
    assert torch.allclose(z, z[0].expand(3), atol=1e-5)


@pytest.mark.parametrize("depth", [0, 3])
def test_batch_independence(depth):
    smiles = (SMILES * 4)[:32]
    metals = (METALS * 4)[:32]
    graphs = _graphs(smiles, metals)
    m = _module(encoder_depth=depth)
    with torch.no_grad():
        full = m(Batch.from_data_list(graphs))
        for i in (0, 7, 31):
            alone = m(Batch.from_data_list([graphs[i]]))
            assert torch.allclose(alone[0], full[i], atol=1e-5)


def _departed_pair(backbone):
    """Same sample twice, differing only in which atom ligand copy 3 binds through."""
    sm = "OC(=O)CNCC(O)=O"  # iminodiacetic acid
    a, b = _graphs([sm, sm], ["Cu2+", "Cu2+"], sites=[[4, 0, 2], [4, 0, 2]], method="column")
    b.slot_sites = b.slot_sites.clone()
    b.slot_sites[:, 2] = False
    b.slot_sites[4, 2] = True  # copy 3 now binds through the amine N instead of C=O
    m = _module(site_mode="hard", backbone=backbone)
    with torch.no_grad():
        return m(Batch.from_data_list([a])), m(Batch.from_data_list([b]))


def test_per_ligand_backbone_ignores_departed_ligands():
    za, zb = _departed_pair("per_ligand")
    # stars n=1 and n=2 do not hold copy 3: unchanged; star n=3 does: changed
    assert torch.equal(za[0, :2], zb[0, :2])
    assert (za[0, 2] - zb[0, 2]).abs() > 1e-4


def test_global_backbone_leaks_departed_ligands():
    za, zb = _departed_pair("global")
    # small in an untrained net, but far above float32 noise (per-ligand differs by 0 exactly)
    assert (za[0, 0] - zb[0, 0]).abs() > 1e-6


def test_soft_attention_weights_sum_to_one_per_copy():
    graphs = _graphs(SMILES[:3], METALS[:3])
    b = Batch.from_data_list(graphs)
    m = _module()
    with torch.no_grad():
        _, (atom_idx, group, alpha) = m.ligand_copies(b)
    sums = torch.zeros(3 * 3).index_add_(0, group, alpha)
    assert torch.allclose(sums, torch.ones(9), atol=1e-5)


def test_bad_mode_names():
    with pytest.raises(ValueError, match="site_mode"):
        _module(site_mode="fuzzy")
    with pytest.raises(ValueError, match="backbone"):
        _module(backbone="average")
    with pytest.raises(ValueError, match="n_encoding"):
        _module(n_encoding="onehot")
