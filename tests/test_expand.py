"""LigandCountExpander: the star structure for n = 1..N."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from torch_geometric.data import Batch

from skmetalpka.featurize import LigandCountExpander, SitePredictor, SmilesToGraph


def _sites(smiles, sites=None, method="rules"):
    cols = {"metal": ["Cu2+"] * len(smiles), "smiles": smiles}
    if sites is not None:
        cols["binding_sites"] = sites
    X = pd.DataFrame(cols)
    g = SmilesToGraph().fit(X).transform(X)
    return SitePredictor(method=method).fit_transform(g)


def test_three_step_structure():
    graphs = _sites(["NCC(=O)O"], sites=[[0, 3, 4]], method="column")
    y = np.array([[8.1, 15.0, 19.0]])
    (g,) = LigandCountExpander().fit(graphs, y).transform(graphs)
    # stars: n=1 (M, L1), n=2 (M, L1, L2), n=3 (M, L1, L2, L3)
    assert g.num_stars == 3
    assert g.star_n.tolist() == [1, 1, 2, 2, 2, 3, 3, 3, 3]
    assert g.star_slot.tolist() == [0, 1, 0, 1, 2, 0, 1, 2, 3]
    assert g.star_id.tolist() == [0, 0, 1, 1, 1, 2, 2, 2, 2]
    edges = set(map(tuple, g.star_edge_index.t().tolist()))
    # true stars: metal <-> every ligand in both directions, nothing else; stars are disjoint
    assert len(edges) == 2 * (1 + 2 + 3)
    assert (0, 1) in edges and (1, 0) in edges
    assert (1, 2) not in edges  # star 1 and star 2 never touch
    assert (5, 8) in edges and (8, 5) in edges  # metal of star 3 <-> ligand 3
    assert (6, 8) not in edges  # no ligand-ligand edge
    # ligand copy k binds through the k-th upstream pick
    assert g.slot_sites.shape == (5, 3)
    assert g.slot_sites[:, 0].nonzero().flatten().tolist() == [0]
    assert g.slot_sites[:, 1].nonzero().flatten().tolist() == [3]
    assert g.slot_sites[:, 2].nonzero().flatten().tolist() == [4]


def test_short_pick_list_reuses_last_pick():
    graphs = _sites(["NCCN"], sites=[[0]], method="column")
    (g,) = LigandCountExpander(max_ligands=3).fit(graphs).transform(graphs)
    assert [int(g.slot_sites[:, k].nonzero()[0, 0]) for k in range(3)] == [0, 0, 0]


def test_batching_offsets_star_indices():
    graphs = _sites(["NCCN", "OC(=O)C"])
    out = LigandCountExpander(max_ligands=2).fit(graphs).transform(graphs)
    b = Batch.from_data_list(out)
    s = 2 + 3  # star nodes per sample for N = 2
    assert b.star_n.shape == (2 * s,)
    assert b.star_id.tolist() == [0, 0, 1, 1, 1, 2, 2, 3, 3, 3]
    assert int(b.star_edge_index.max()) == 2 * s - 1
    assert int(b.star_edge_index[:, b.star_edge_index[0] >= s].min()) >= s
    assert b.slot_sites.shape == (b.num_nodes, 2)


def test_needs_y_or_max_ligands_and_sites():
    graphs = _sites(["NCCN"])
    with pytest.raises(ValueError, match="max_ligands"):
        LigandCountExpander().fit(graphs)
    X = pd.DataFrame({"metal": ["Cu2+"], "smiles": ["NCCN"]})
    raw = SmilesToGraph().fit(X).transform(X)
    with pytest.raises(ValueError, match="SitePredictor"):
        LigandCountExpander(max_ligands=2).fit(raw).transform(raw)
