"""Which site source finds the curated donor atoms of ligands it has never seen?

The LOGKPREDICT NIST table draws every complex with dative bonds, so its donor atoms are known
from curation. On a ligand-grouped K-fold split of those rows, each site source scores the atoms
of the held-out ligands and we count how often its top-scoring atom is one of the curated donors
of that (metal, ligand) row ("top-1 donor accuracy"; the terminal O/S atoms of one acid group
count as one site, since sources draw the charge on either O; tied top atoms count as the top):

* ``rules``: the SMARTS donor rules (no training);
* ``learned (protons)``: the atom classifier trained on the NIST protonation sites, with the
  held-out ligands removed from those labels;
* ``learned (donors)``: trained on the curated donors of the training-fold ligands only;
* ``learned (both)``: both label sets (test ligands removed from both).

Usage::

    python benchmarks/donor_sites.py [--folds 5] [--epochs 60]

Writes benchmarks/results/donor_sites.json and .md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import save  # noqa: E402

from skmetalpka.datasets import load_corpus, load_nist46_proton_sites  # noqa: E402
from skmetalpka.featurize import SmilesToGraph  # noqa: E402
from skmetalpka.identity import ligand_id  # noqa: E402
from skmetalpka.sites import AtomSiteClassifier, SitePredictor  # noqa: E402
from skmetalpka.sites.predictor import curated_donor_labels  # noqa: E402


def _acid_partners(mol, atom: int) -> set[int]:
    """``atom`` and the other terminal O/S of the same acid group (carboxylate, phosphonate,
    sulfonate): one binding site, however the source drew its charge."""
    a = mol.GetAtomWithIdx(atom)
    out = {atom}
    if a.GetSymbol() not in ("O", "S") or a.GetDegree() != 1:
        return out
    centre = a.GetNeighbors()[0]
    if centre.GetSymbol() not in ("C", "P", "S", "As", "Se"):
        return out
    for nb in centre.GetNeighbors():
        if nb.GetSymbol() in ("O", "S") and nb.GetDegree() == 1:
            out.add(nb.GetIdx())
    return out


def _top1(graphs) -> np.ndarray:
    """Hit when a top-scoring atom (ties included) is a curated donor or the other terminal
    O/S of a donor's acid group (the two O of a carboxylate are one site)."""
    hits = []
    for g in graphs:
        score = g.site_score.numpy()
        top = set(np.flatnonzero(score >= score.max() - 1e-6).tolist())
        donors = set()
        for a in g.binding_sites:
            donors |= _acid_partners(g.mol, int(a))
        hits.append(bool(top & donors))
    return np.asarray(hits, dtype=bool)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    X, _ = load_corpus(sources=("logkpredict_nist",), combine=None)
    X = X[X["sites_curated"]].reset_index(drop=True)
    graphs = SmilesToGraph(on_error="flag").fit(X).transform(X)
    ok = np.array([bool(g.valid.item()) for g in graphs])
    X, graphs = X[ok].reset_index(drop=True), [g for g, k in zip(graphs, ok, strict=True) if k]
    proton_smiles, proton_labels = load_nist46_proton_sites()
    proton_ids = []
    for s in proton_smiles:
        try:
            proton_ids.append(ligand_id(s))
        except ValueError:
            proton_ids.append("")
    proton_ids = np.asarray(proton_ids, dtype=object)

    from sklearn.model_selection import GroupKFold

    groups = X["ligand_id"].to_numpy()
    cv = GroupKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    sources = ["rules", "learned (protons)", "learned (donors)", "learned (both)"]
    hits = {s: np.zeros(len(X), dtype=bool) for s in sources}
    for k, (train, test) in enumerate(cv.split(X, groups=groups)):
        test_ids = set(groups[test])
        tr_graphs = [graphs[i] for i in train]
        te_graphs = [graphs[i] for i in test]
        keep = np.array([pid not in test_ids for pid in proton_ids])
        p_mols = [s for s, k_ in zip(proton_smiles, keep, strict=True) if k_]
        p_labs = [lab for lab, k_ in zip(proton_labels, keep, strict=True) if k_]
        d_mols, d_labs = curated_donor_labels(tr_graphs)
        label_sets = {
            "learned (protons)": (p_mols, p_labs),
            "learned (donors)": (d_mols, d_labs),
            "learned (both)": (p_mols + d_mols, p_labs + d_labs),
        }
        hits["rules"][test] = _top1(
            SitePredictor(method="rules").fit(te_graphs).transform(te_graphs)
        )
        for name, (mols, labs) in label_sets.items():
            clf = AtomSiteClassifier(epochs=args.epochs, random_state=args.seed + k).fit(mols, labs)
            sp = SitePredictor(method="learned", site_model=clf).fit(te_graphs)
            hits[name][test] = _top1(sp.transform(te_graphs))
        print(
            f"fold {k + 1}/{args.folds}: "
            + ", ".join(f"{s} {hits[s][test].mean():.3f}" for s in sources),
            flush=True,
        )
    fam = X["metal"].map(lambda m: m)  # per-metal breakdown is in the JSON
    result = {
        "command": " ".join(["python benchmarks/donor_sites.py", *sys.argv[1:]]),
        "n_rows": len(X),
        "n_ligands": int(len(set(groups))),
        "wall_s": time.perf_counter() - t0,
        "top1": {s: float(hits[s].mean()) for s in sources},
        "top1_per_metal": {
            s: {m: float(hits[s][(fam == m).to_numpy()].mean()) for m in sorted(set(fam))}
            for s in sources
        },
    }
    lines = [
        f"Top-1 donor accuracy on held-out ligands ({args.folds}-fold by ligand, "
        f"{len(X)} curated (metal, ligand) rows, {result['n_ligands']} ligands):",
        "",
        "| site source | top-1 donor accuracy |",
        "|---|---|",
        *[f"| {s} | {result['top1'][s]:.3f} |" for s in sources],
    ]
    md = "\n".join(lines) + "\n"
    print(md)
    save("donor_sites", result, md)
    pd.set_option("display.width", 120)


if __name__ == "__main__":
    main()
