"""Site weights of a fitted model (explain_sites), prior site scores and the drawing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skmetalpka import default_pipeline, load_minteq, make_model
from skmetalpka.chem import standardize_ligand
from skmetalpka.explain import draw_site_weights, explain_sites, fitted_pipelines, site_scores
from skmetalpka.featurize.donors import donor_scores

SMALL = {"max_epochs": 2, "hidden_dim": 16, "heads": 2, "encoder_depth": 1, "star_layers": 1}
QUERY = pd.DataFrame(
    {"metal": ["Cu2+", "Ni2+", "Cu2+", "Xx9+"], "smiles": ["NCC(=O)O", "c1ccncc1", "C", "NCCN"]}
)


@pytest.fixture(scope="module")
def ensemble():
    X, y = load_minteq()
    return make_model("gnn", n_members=2, on_error="flag", **SMALL).fit(X, y)


def test_soft_attention_weights_sum_to_one_over_candidates(ensemble):
    table = explain_sites(ensemble, QUERY)
    assert list(table.index) == list(QUERY.index)
    for i in range(3):
        w = table["weights"].iloc[i]
        assert w.shape == (table.attrs["mols"][i].GetNumAtoms(),)
        assert w.sum() == pytest.approx(1.0, abs=1e-5) and np.all(w >= 0)
    assert table["top_element"].iloc[1] == "N"  # pyridine: the ring N is its only donor
    assert table["top_atom"].iloc[3] == -1 and "metal" in table["error"].iloc[3]
    # the ensemble averages its members
    members = fitted_pipelines(ensemble)
    assert len(members) == 2
    one = members[0][-1].explain_sites(members[0][:-1].transform(QUERY.iloc[:1]))[0]
    two = members[1][-1].explain_sites(members[1][:-1].transform(QUERY.iloc[:1]))[0]
    np.testing.assert_allclose(table["weights"].iloc[0], (one + two) / 2, atol=1e-6)


def test_hard_sites_give_uniform_weights_on_the_first_copy():
    X, y = load_minteq()
    pipe = default_pipeline(site_mode="hard", **SMALL).fit(X, y)
    w = explain_sites(pipe, QUERY.iloc[:1])["weights"].iloc[0]
    assert np.count_nonzero(w) >= 1 and np.allclose(w[w > 0], 1.0 / np.count_nonzero(w))


def test_site_scores_are_the_rule_scores_by_default():
    scores = site_scores(QUERY.iloc[:2])
    np.testing.assert_allclose(scores[0], donor_scores(standardize_ligand("NCC(=O)O").mol))


def test_fitted_pipelines_refuses_a_baseline():
    from skmetalpka.baselines import MetalMeanRegressor

    X, y = load_minteq()
    with pytest.raises(ValueError, match="holds no fitted GNN pipeline"):
        fitted_pipelines(MetalMeanRegressor().fit(X, y))


def test_draw_site_weights_writes_a_png(tmp_path):
    png = draw_site_weights(
        ["NCC(=O)O", "c1ccncc1"],
        [np.array([1.0, 0, 0, 0.5, 0.5]), np.array([0, 0, 0, 1.0, 0, 0])],
        legends=["glycine", "pyridine"],
        path=tmp_path / "sites.png",
    )
    assert png[:4] == b"\x89PNG" and (tmp_path / "sites.png").read_bytes() == png
    with pytest.raises(ValueError, match="has 2 values for 5 atoms"):
        draw_site_weights(["NCC(=O)O"], [np.ones(2)])
