"""SitePredictor: rule and column site sources."""

from __future__ import annotations

import pandas as pd
import pytest

from skmetalpka.featurize import SitePredictor, SmilesToGraph


def _graphs(smiles, sites=None, metal="Cu2+"):
    cols = {"metal": [metal] * len(smiles), "smiles": smiles}
    if sites is not None:
        cols["binding_sites"] = sites
    X = pd.DataFrame(cols)
    return SmilesToGraph(on_error="flag").fit(X).transform(X)


def test_rules_rank_glycine_donors():
    (g,) = SitePredictor(method="rules", top_k=3).fit_transform(_graphs(["NCC(=O)O"]))
    cand = set(g.site_cand.nonzero().flatten().tolist())
    assert cand == {0, 3, 4}  # amine N and both carboxyl O, no carbon
    assert g.site_score[1] == 0 and g.site_score[2] == 0
    assert g.site_order[0] in cand
    assert g.site_note == ""


def test_top_k_limits_candidates():
    edta = "OC(=O)CN(CC(O)=O)CCN(CC(O)=O)CC(O)=O"
    (g,) = SitePredictor(top_k=2).fit_transform(_graphs([edta]))
    assert int(g.site_cand.sum()) == 2


def test_column_method_uses_upstream_picks_in_order():
    (g,) = SitePredictor(method="column").fit_transform(_graphs(["NCC(=O)O"], sites=[[3, 0]]))
    assert g.site_order == [3, 0]
    assert g.site_score[3] == 1.0 and g.site_score[0] == 1.0
    assert bool(g.site_cand[3]) and bool(g.site_cand[0])


def test_column_method_falls_back_to_rules_without_picks():
    (g,) = SitePredictor(method="column").fit_transform(_graphs(["NCC(=O)O"], sites=[[]]))
    assert "rules" in g.site_note
    assert g.site_order[0] in (0, 3, 4)


def test_ligand_without_donor_is_noted_not_dropped():
    graphs = _graphs(["C", "NCCN"])
    out = SitePredictor().fit_transform(graphs)
    assert len(out) == 2
    assert out[0].site_note == "no donor atom"
    assert bool(out[0].site_cand.all())


def test_transform_does_not_mutate_input():
    graphs = _graphs(["NCCN"])
    SitePredictor().fit_transform(graphs)
    assert not hasattr(graphs[0], "site_score")


def test_invalid_rows_pass_through():
    graphs = _graphs(["NCCN", "not a smiles"])
    out = SitePredictor().fit_transform(graphs)
    assert out[1].site_note == "invalid row"


def test_bad_parameters():
    graphs = _graphs(["NCCN"])
    with pytest.raises(ValueError, match="method"):
        SitePredictor(method="magic").fit(graphs)
    with pytest.raises(ValueError, match="top_k"):
        SitePredictor(top_k=0).fit(graphs)
    with pytest.raises(TypeError, match="SmilesToGraph"):
        SitePredictor().fit(pd.DataFrame({"metal": ["Cu2+"], "smiles": ["N"]}))
