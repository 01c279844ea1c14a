"""SitePredictor: rule, column and learned site sources."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

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


# --------------------------------------------------------------------------------------------
# method="learned"

_TOY = [
    "NCCN", "NCC(=O)O", "OCCO", "CCCN", "CC(C)O", "OC(=O)CC(=O)O", "NCCCN", "CCCC", "CCOCC",
    "NC(C)C(=O)O", "c1ccncc1", "CCN(CC)CC", "OCCN", "CC(C)(C)O", "c1ccccc1", "CCCCO", "CSC",
]  # fmt: skip


def _toy_labels(smiles):
    """Toy labels: N atoms and OH oxygens."""
    from skmetalpka.chem import standardize_ligand

    return [
        np.array(
            [
                a.GetSymbol() == "N" or (a.GetSymbol() == "O" and a.GetTotalNumHs() > 0)
                for a in standardize_ligand(s).mol.GetAtoms()
            ]
        )
        for s in smiles
    ]


@pytest.fixture(scope="module")
def site_model():
    from skmetalpka.featurize import AtomSiteClassifier

    return AtomSiteClassifier(hidden_dim=32, depth=2, epochs=60, batch_size=4, lr=3e-3).fit(
        _TOY, _toy_labels(_TOY)
    )


def test_learned_scores_are_the_model_probabilities(site_model):
    (g,) = SitePredictor(method="learned", site_model=site_model).fit_transform(
        _graphs(["NCC(=O)O"])
    )
    p = site_model.predict_proba_atoms(["NCC(=O)O"])[0]  # N0 C1 C2 O3(=O) O4(H)
    expected = p.copy()
    expected[[3, 4]] = p[[3, 4]].max()  # both carboxyl O share the group's best score
    expected[expected < 0.05] = 0.0
    np.testing.assert_allclose(g.site_score.numpy(), expected, rtol=1e-6)
    assert g.site_score[1] == 0 and g.site_score[2] == 0  # carbons are not candidates
    assert set(g.site_cand.nonzero().flatten().tolist()) == {0, 3, 4}
    assert g.site_order[0] in (0, 3, 4)
    assert g.site_note == ""


def test_learned_scores_follow_each_graphs_atom_order(site_model):
    a, b, c = SitePredictor(method="learned", site_model=site_model).fit_transform(
        _graphs(["NCC(=O)O", "OC(=O)CN", "NCC(=O)O"])
    )
    # OC(=O)CN: O0 C1 O2 C3 N4 is NCC(=O)O read backwards
    np.testing.assert_allclose(
        b.site_score.numpy(), a.site_score.numpy()[[4, 2, 3, 1, 0]], atol=1e-6
    )
    assert torch.equal(a.site_score, c.site_score)
    assert b.site_score[4] > 0.5  # the N


def test_learned_falls_back_to_rules_and_passes_invalid_rows(site_model):
    sp = SitePredictor(method="learned", site_model=site_model)
    thioether, bad = sp.fit_transform(_graphs(["CSC", "not a smiles"]))
    assert "rules used" in thioether.site_note  # toy model never saw an S donor
    assert thioether.site_order == [1]
    assert float(thioether.site_score[1]) == pytest.approx(float(thioether.donor_score[1]))
    assert bad.site_note == "invalid row"


def test_learned_site_model_is_copied_and_pickled(site_model, tmp_path):
    import joblib
    from sklearn.pipeline import make_pipeline

    X = pd.DataFrame({"metal": ["Cu2+", "Ni2+"], "smiles": ["NCCN", "OC(=O)CN"]})
    pipe = make_pipeline(SmilesToGraph(), SitePredictor(method="learned", site_model=site_model))
    out = pipe.fit_transform(X)
    sp = pipe[-1]
    assert sp.site_model_ is not site_model
    joblib.dump(pipe, tmp_path / "pipe.joblib")
    again = joblib.load(tmp_path / "pipe.joblib").transform(X)
    for g1, g2 in zip(out, again, strict=True):
        assert torch.equal(g1.site_score, g2.site_score)
        assert g1.site_order == g2.site_order


def test_learned_frozen_site_model_survives_clone(site_model):
    from sklearn.base import clone
    from sklearn.frozen import FrozenEstimator

    sp = clone(SitePredictor(method="learned", site_model=FrozenEstimator(site_model)))
    sp.fit(_graphs(["NCCN"]))  # no training data needed: the frozen model is used
    np.testing.assert_array_equal(
        sp.site_model_.predict_proba_atoms(["NCCN"])[0], site_model.predict_proba_atoms(["NCCN"])[0]
    )


def test_learned_trains_on_site_data(tmp_path):
    from skmetalpka.featurize import AtomSiteClassifier

    path = tmp_path / "nist46_proton_sites.csv"
    rows = [("NCCN", "0:3"), ("NCC(=O)O", "0:4"), ("CCO", "2"), ("CCCC", "0")]
    pd.DataFrame(
        {"SMILES": [r[0] for r in rows], "Dissociable_Atoms": [r[1] for r in rows]}
    ).to_csv(path, index=False)
    template = AtomSiteClassifier(hidden_dim=8, depth=1, epochs=2)
    sp = SitePredictor(method="learned", site_model=template, site_data=path)
    sp.fit(_graphs(["NCCN"]))
    assert not hasattr(template, "module_")  # the given template is not fitted in place
    assert sp.site_model_.epochs == 2
    assert sp.site_model_.n_molecules_ == 3  # CCCC's label is on a carbon: row dropped


def test_learned_without_data_or_model_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMETALPKA_DATA_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="site_data=.*SKMETALPKA_DATA_HOME"):
        SitePredictor(method="learned").fit(_graphs(["NCCN"]))
    with pytest.raises(TypeError, match="AtomSiteClassifier"):
        SitePredictor(method="learned", site_model="model.pt").fit(_graphs(["NCCN"]))
    with pytest.raises(ValueError, match="min_score"):
        SitePredictor(method="learned", min_score=1.5).fit(_graphs(["NCCN"]))


def test_refit_with_rules_drops_the_site_model(site_model):
    sp = SitePredictor(method="learned", site_model=site_model).fit(_graphs(["NCCN"]))
    assert hasattr(sp, "site_model_")
    sp.set_params(method="rules").fit(_graphs(["NCCN"]))
    assert not hasattr(sp, "site_model_")


def test_curated_donor_labels_pool_one_ligand_and_skip_uncurated_rows():
    from skmetalpka.sites.predictor import curated_donor_labels

    # glycine written in a non-canonical order: O(0) C(1) (=O)(2) C(3) N(4)
    X = pd.DataFrame(
        {
            "metal": ["Cu2+", "Ni2+", "Zn2+"],
            "smiles": ["OC(=O)CN", "OC(=O)CN", "NCCN"],
            "binding_sites": [[4], [0], [0, 3]],
            "sites_curated": [True, True, False],
        }
    )
    graphs = SmilesToGraph().fit(X).transform(X)
    mols, labels = curated_donor_labels(graphs)
    assert len(mols) == 1  # ethylenediamine's sites are not curated
    marked = {mols[0].GetAtomWithIdx(int(i)).GetSymbol() for i in np.flatnonzero(labels[0])}
    assert marked == {"N", "O"} and labels[0].sum() == 2  # the N (Cu) and the OH O (Ni)
    o = [a for a in np.flatnonzero(labels[0]) if mols[0].GetAtomWithIdx(int(a)).GetSymbol() == "O"]
    assert mols[0].GetAtomWithIdx(int(o[0])).GetTotalNumHs() == 1


def test_learned_site_model_from_curated_donors():
    """site_labels='donors' learns from the training rows' curated donors only."""
    smiles = ["NCC(=O)O", "NCCN", "OC(=O)C(=O)O", "NCCO", "NCCCN", "OC(=O)CCN"] * 3
    from skmetalpka.chem import standardize_ligand

    donors = []
    for s in smiles:  # amine N and carboxylate OH oxygens are the donors
        mol = standardize_ligand(s).mol
        donors.append(
            [
                a.GetIdx()
                for a in mol.GetAtoms()
                if a.GetSymbol() == "N" or (a.GetSymbol() == "O" and a.GetTotalNumHs() == 1)
            ]
        )
    X = pd.DataFrame(
        {
            "metal": "Cu2+",
            "smiles": smiles,
            "binding_sites": donors,
            "sites_curated": True,
        }
    )
    graphs = SmilesToGraph().fit(X).transform(X)
    from skmetalpka.sites import AtomSiteClassifier

    sp = SitePredictor(
        method="learned",
        site_labels="donors",
        site_model=AtomSiteClassifier(hidden_dim=16, depth=2, epochs=40, lr=3e-3, random_state=0),
    ).fit(graphs)
    out = sp.transform(_graphs(["NCCC(=O)O"]))[0]
    scores = out.site_score.numpy()
    sym = [a.GetSymbol() for a in out.mol.GetAtoms()]
    assert sym[int(np.argmax(scores))] in ("N", "O")
    assert max(scores[i] for i, s in enumerate(sym) if s == "C") < scores.max()
    with pytest.raises(ValueError, match="site_labels must be one of"):
        SitePredictor(method="learned", site_labels="metals").fit(graphs)
    bare = X.drop(columns="sites_curated")
    plain = SmilesToGraph().fit(bare).transform(bare)
    with pytest.raises(ValueError, match="curated donor atoms"):
        SitePredictor(method="learned", site_labels="donors").fit(plain)
