"""Where does the metal bind? The three site sources and the regressor's attention compared.

Protocol: K-fold GroupKFold by ligand on the NIST metal table (the same folds for every source).
In every fold three pipelines are trained on the training ligands,
``default_pipeline(site_method=m)`` for ``m`` in ``rules``, ``column`` and ``learned``, and
scored on the held-out ligands (masked RMSE of cumulative log beta_1 and of all steps, original
units, out-of-fold). The ``learned`` site model (an ``AtomSiteClassifier``) is trained in every
fold on the ionisable-atom labels (``nist46_proton_sites.csv``) of the ligands **not** in that
fold's test set, and given to the pipeline fitted (wrapped in ``FrozenEstimator``).

Then, on every held-out ligand (with the models of its fold), the top atom of four sources:

* ``rules``: the SMARTS donor-rule prior;
* ``column``: the upstream picks of the data's ``binding_sites`` column (rules at half weight for
  the other atoms; rules alone for a row without picks);
* ``learned``: the fold's learned site model;
* ``attention``: the soft site attention of the fitted ``rules`` pipeline
  (:func:`skmetalpka.explain.explain_sites`).

Scores are averaged over the ligand's held-out rows (``column`` picks and attention depend on the
row; the rules and learned priors do not). Two agreement rates per pair of sources: ``strict``
(the same atom index; ties go to the lowest index) and ``equivalent`` (the tied-top atoms of the
two sources share an atom up to symmetry, the terminal O/S atoms of one acid group counting as
one site). Disagreements (not ``equivalent``) are tabulated by the donor family
(:data:`skmetalpka.featurize.donors.DONOR_RULES`, highest-scoring rule of the atom) of each
source's pick. The attention of the ``column`` and ``learned`` models is compared with their own
prior too. A figure shades the atoms of a few example ligands by each source's weights.

Usage::

    python benchmarks/sites.py [--folds 3] [--n-jobs 2] [--max-epochs 200] [--site-epochs 40]

Writes benchmarks/results/sites.json, sites.md and sites.png.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, data_path, md_table, save  # noqa: E402

METHODS = ("rules", "column", "learned")
SOURCES = ("rules", "column", "learned", "attention")
#: Example ligands for the figure, in order of preference (name, SMILES); the first
#: ``--n-examples`` found in the data are drawn.
EXAMPLES = (
    ("L-alanine", "C[C@H](N)C(=O)O"),
    ("glycine", "NCC(=O)O"),
    ("EDTA", "OC(=O)CN(CC(=O)O)CCN(CC(=O)O)CC(=O)O"),
    ("8-hydroxyquinoline-5-sulfonic acid", "O=S(=O)(O)c1ccc(O)c2ncccc12"),
    ("8-hydroxyquinoline", "Oc1cccc2cccnc12"),
    ("histamine", "NCCc1c[nH]cn1"),
    ("cysteamine", "NCCS"),
    ("2-mercaptoethanol", "OCCS"),
    ("picolinic acid", "OC(=O)c1ccccn1"),
    ("citric acid", "OC(=O)CC(O)(CC(=O)O)C(=O)O"),
    ("2,2'-bipyridine", "c1ccc(-c2ccccn2)nc1"),
)
TIE = 1e-6


def run_fold(method, k, params, X, y, sites_smiles, sites_labels, train, test, seed, site_epochs):
    """Fit one pipeline of one fold; return its test predictions and the fitted pipeline."""
    import torch

    from skmetalpka import default_pipeline
    from skmetalpka.selection import make_groups

    torch.set_num_threads(1)
    info: dict[str, Any] = {"method": method, "fold": k}
    pipe = default_pipeline(site_method=method, random_state=seed, **params)
    if method == "learned":
        import pandas as pd
        from sklearn.frozen import FrozenEstimator

        from skmetalpka.featurize.site_model import AtomSiteClassifier

        test_keys = set(make_groups(X.iloc[test], "ligand"))
        keys = make_groups(pd.DataFrame({"metal": "H+", "smiles": sites_smiles}), "ligand")
        keep = [i for i, key in enumerate(keys) if key not in test_keys]
        t0 = time.perf_counter()
        site_model = AtomSiteClassifier(epochs=site_epochs, random_state=seed).fit(
            [sites_smiles[i] for i in keep], [sites_labels[i] for i in keep]
        )
        info["site_fit_seconds"] = time.perf_counter() - t0
        info["site_train_ligands"] = len(keep)
        info["site_excluded_ligands"] = len(keys) - len(keep)
        info["site_leaked_ligands"] = len(test_keys & {keys[i] for i in keep})
        pipe.set_params(sites__site_model=FrozenEstimator(site_model))
    t0 = time.perf_counter()
    pipe.fit(X.iloc[train], y[train])
    info["fit_seconds"] = time.perf_counter() - t0
    info["pred"] = pipe.predict(X.iloc[test])
    info["pipe"] = pipe
    return info


# ---------------------------------------------------------------------------------------------
# Atom bookkeeping: equivalence keys, donor families, top sets.


def site_keys(mol) -> np.ndarray:
    """Equivalence key per atom: symmetry class; one key for the terminal O/S of an acid group."""
    from rdkit import Chem

    ranks = np.array(list(Chem.CanonicalRankAtoms(mol, breakTies=False)), dtype=np.int64)
    keys = ranks.copy()
    n = mol.GetNumAtoms()
    for atom in mol.GetAtoms():
        if atom.GetSymbol() not in ("O", "S") or atom.GetDegree() != 1:
            continue
        centre = atom.GetNeighbors()[0]
        group = [
            nb
            for nb in centre.GetNeighbors()
            if nb.GetSymbol() in ("O", "S") and nb.GetDegree() == 1
        ]
        if len(group) > 1:
            keys[atom.GetIdx()] = n + ranks[centre.GetIdx()]
    return keys


def atom_families(mol) -> list[str]:
    """Donor family of every atom (highest-scoring matching rule), else 'non-donor <El>'."""
    from skmetalpka.featurize.donors import DONOR_RULES, donor_matches

    rules = {r.name: r for r in DONOR_RULES}
    best = [(0.0, f"non-donor {a.GetSymbol()}") for a in mol.GetAtoms()]
    for name, hits in donor_matches(mol).items():
        rule = rules[name]
        for hit in hits:
            for a in hit:
                if rule.score > best[a][0]:
                    best[a] = (rule.score, rule.family)
    return [f for _, f in best]


def top_set(w: np.ndarray) -> np.ndarray:
    """Indices of the atoms tied (within TIE) at the maximum weight; empty when all are 0."""
    if w.size == 0 or not np.max(w) > 0:
        return np.zeros(0, dtype=int)
    return np.flatnonzero(w >= np.max(w) - TIE)


def family_of(top: np.ndarray, fams: list[str]) -> str:
    return "/".join(sorted({fams[a] for a in top})) if top.size else "none"


# ---------------------------------------------------------------------------------------------


def ligand_scores(out_by_method, X, test, lig_keys):
    """Per held-out ligand: averaged per-atom weights of every source, the mol and the notes."""
    from skmetalpka.explain import explain_sites
    from skmetalpka.featurize import SitePredictor, SmilesToGraph

    Xt = X.iloc[test]
    keys = lig_keys[test]
    graphs = SmilesToGraph(on_error="flag").fit_transform(Xt)
    predictors = {
        "rules": SitePredictor(method="rules").fit(graphs),
        "column": SitePredictor(method="column").fit(graphs),
        "learned": out_by_method["learned"]["pipe"].named_steps["sites"],
    }
    per_row: dict[str, list[np.ndarray]] = {}
    notes: dict[str, Counter] = {}
    for name, sp in predictors.items():
        done = sp.transform(graphs)
        per_row[name] = [g.site_score.numpy().astype(np.float64) for g in done]
        notes[name] = Counter()
        seen = set()
        for key, g in zip(keys, done, strict=True):
            if key not in seen:
                seen.add(key)
                notes[name][g.site_note or "ok"] += 1
    for m in METHODS:
        ex = explain_sites(out_by_method[m]["pipe"], Xt)
        name = "attention" if m == "rules" else f"attention_{m}"
        per_row[name] = [np.asarray(w, dtype=np.float64) for w in ex["weights"]]
    ligands: dict[str, dict[str, Any]] = {}
    for i, key in enumerate(keys):
        entry = ligands.setdefault(key, {"mol": graphs[i].mol, "rows": []})
        entry["rows"].append(i)
    for entry in ligands.values():
        rows = entry["rows"]
        entry["scores"] = {
            name: np.mean([arrs[r] for r in rows], axis=0) for name, arrs in per_row.items()
        }
    return ligands, notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder holding the NIST tables (default: shared data)")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--max-epochs", type=int, default=200)
    ap.add_argument("--site-epochs", type=int, default=40, help="AtomSiteClassifier epochs")
    ap.add_argument("--n-examples", type=int, default=6, help="ligands in the figure")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from joblib import Parallel, delayed
    from sklearn.model_selection import GroupKFold

    from skmetalpka import load_nist46
    from skmetalpka.chem import canonical_smiles
    from skmetalpka.datasets import load_nist46_proton_sites
    from skmetalpka.explain import draw_site_weights
    from skmetalpka.metrics import masked_rmse
    from skmetalpka.selection import make_groups

    metal_csv = data_path(args.data and str(Path(args.data) / "nist46_metal_binding.csv"))
    X, y = load_nist46(metal_csv)
    sites_smiles, sites_labels = load_nist46_proton_sites(metal_csv.parent)
    lig_keys = make_groups(X, "ligand")
    splits = list(GroupKFold(n_splits=args.folds).split(X, y, lig_keys))
    params = {"max_epochs": args.max_epochs}
    print(
        f"{len(X)} metal rows, {len(set(lig_keys))} ligands, {len(sites_smiles)} site-labelled "
        f"ligands, {args.folds} ligand folds",
        flush=True,
    )

    tasks = [(m, k) for k in range(len(splits)) for m in METHODS]
    t0 = time.perf_counter()
    outs = Parallel(n_jobs=args.n_jobs, verbose=10)(
        delayed(run_fold)(
            m,
            k,
            params,
            X,
            y,
            sites_smiles,
            sites_labels,
            splits[k][0],
            splits[k][1],
            args.seed,
            args.site_epochs,
        )
        for m, k in tasks
    )
    fit_wall = time.perf_counter() - t0
    by_fold: dict[int, dict[str, dict[str, Any]]] = {}
    for (m, k), out in zip(tasks, outs, strict=True):
        by_fold.setdefault(k, {})[m] = out

    # 1. accuracy of each source on the same folds
    acc_rows = []
    for m in METHODS:
        pred = np.full(y.shape, np.nan)
        for k, (_, test) in enumerate(splits):
            pred[test] = by_fold[k][m]["pred"][:, : y.shape[1]]
        row = {
            "site_method": m,
            "rmse_beta1": float(masked_rmse(y[:, :1], pred[:, :1], missing_pred="ignore")),
            "rmse_all": float(masked_rmse(y, pred, missing_pred="ignore")),
            "fit_seconds_total": float(sum(by_fold[k][m]["fit_seconds"] for k in by_fold)),
        }
        if m == "learned":
            row["site_fit_seconds_total"] = float(
                sum(by_fold[k][m]["site_fit_seconds"] for k in by_fold)
            )
            row["site_leaked_ligands"] = int(
                sum(by_fold[k][m]["site_leaked_ligands"] for k in by_fold)
            )
        acc_rows.append(row)
        print(row, flush=True)
    site_folds = [
        {
            key: by_fold[k]["learned"][key]
            for key in (
                "site_train_ligands",
                "site_excluded_ligands",
                "site_leaked_ligands",
                "site_fit_seconds",
            )
        }
        for k in range(len(splits))
    ]

    # 2. top-atom agreement on the held-out ligands
    t1 = time.perf_counter()
    ligands: dict[str, dict[str, Any]] = {}
    notes: dict[str, Counter] = {}
    for k, (_, test) in enumerate(splits):
        ligs, fold_notes = ligand_scores(by_fold[k], X, test, lig_keys)
        ligands.update(ligs)
        for name, c in fold_notes.items():
            notes.setdefault(name, Counter()).update(c)
    all_sources = (*SOURCES, "attention_column", "attention_learned")
    for entry in ligands.values():
        mol = entry["mol"]
        entry["keys"] = site_keys(mol)
        entry["families"] = atom_families(mol)
        entry["top"] = {s: top_set(entry["scores"][s]) for s in all_sources}

    def agreement(a: str, b: str) -> tuple[float, float, int]:
        strict = equiv = n = 0
        for e in ligands.values():
            ta, tb = e["top"][a], e["top"][b]
            if not (ta.size and tb.size):
                continue
            n += 1
            strict += int(ta[0] == tb[0])
            equiv += int(bool(set(e["keys"][ta]) & set(e["keys"][tb])))
        return (strict / n if n else float("nan")), (equiv / n if n else float("nan")), n

    strict_m = {a: {} for a in SOURCES}
    equiv_m = {a: {} for a in SOURCES}
    pair_rows = []
    disagree: Counter = Counter()
    for a, b in combinations(SOURCES, 2):
        s, e, n = agreement(a, b)
        strict_m[a][b] = strict_m[b][a] = s
        equiv_m[a][b] = equiv_m[b][a] = e
        pair_rows.append(
            {"source_a": a, "source_b": b, "n_ligands": n, "strict": s, "equivalent": e}
        )
        for lig in ligands.values():
            ta, tb = lig["top"][a], lig["top"][b]
            if ta.size and tb.size and not set(lig["keys"][ta]) & set(lig["keys"][tb]):
                fa, fb = family_of(ta, lig["families"]), family_of(tb, lig["families"])
                disagree[(a, b, fa, fb)] += 1
    for a in SOURCES:
        strict_m[a][a] = equiv_m[a][a] = 1.0
    own_rows = []
    for m in METHODS:
        att = "attention" if m == "rules" else f"attention_{m}"
        s, e, n = agreement(m, att)
        own_rows.append(
            {
                "model": m,
                "prior": m,
                "attention_vs_prior_strict": s,
                "attention_vs_prior_equivalent": e,
                "n_ligands": n,
            }
        )
    dis_rows = [
        {"source_a": a, "source_b": b, "family_a": fa, "family_b": fb, "n_ligands": c}
        for (a, b, fa, fb), c in disagree.most_common()
    ]
    pick_families: dict[str, dict[str, int]] = {}
    for s in SOURCES:
        c = Counter(
            family_of(e["top"][s], e["families"]) for e in ligands.values() if e["top"][s].size
        )
        pick_families[s] = dict(c.most_common())

    # 3. figure
    by_canon = {}
    for name, smi in EXAMPLES:
        try:
            key = canonical_smiles(smi)
        except ValueError:
            continue
        if key in ligands and key not in by_canon:
            by_canon[key] = name
        if len(by_canon) >= args.n_examples:
            break
    fig_sources = ("rules", "column", "learned", "attention")
    mols, weights, legends = [], [], []
    for s in fig_sources:
        for key, name in by_canon.items():
            mols.append(ligands[key]["mol"])
            weights.append(ligands[key]["scores"][s])
            legends.append(f"{name}: {s}")
    figure = None
    if mols:
        figure = RESULTS / "sites.png"
        draw_site_weights(
            mols,
            weights,
            legends=legends,
            path=figure,
            mols_per_row=len(by_canon),
            size=(280, 230),
        )
    examples = [
        {
            "name": name,
            "smiles": key,
            **{
                f"top_{s}": ",".join(
                    f"{ligands[key]['mol'].GetAtomWithIdx(int(a)).GetSymbol()}{int(a)}"
                    for a in ligands[key]["top"][s]
                )
                for s in SOURCES
            },
        }
        for key, name in by_canon.items()
    ]
    # upstream picks (binding_sites column) on atoms that no donor rule marks
    pick_elements: Counter = Counter()
    n_picks = 0
    for key, sites in zip(lig_keys, X["binding_sites"], strict=True):
        fams = ligands[key]["families"]
        mol = ligands[key]["mol"]
        for a in sites:
            n_picks += 1
            if fams[int(a)].startswith("non-donor"):
                pick_elements[mol.GetAtomWithIdx(int(a)).GetSymbol()] += 1
    column_non_donor = {"n_picks": n_picks, "non_donor_by_element": dict(pick_elements)}
    analysis_wall = time.perf_counter() - t1

    payload = {
        "command": "python benchmarks/sites.py " + " ".join(sys.argv[1:]),
        "n_rows": int(len(X)),
        "n_ligands": int(len(ligands)),
        "n_site_labelled_ligands": int(len(sites_smiles)),
        "folds": args.folds,
        "max_epochs": args.max_epochs,
        "site_epochs": args.site_epochs,
        "fit_wall_seconds": fit_wall,
        "analysis_seconds": analysis_wall,
        "accuracy": acc_rows,
        "site_model_folds": site_folds,
        "agreement_pairs": pair_rows,
        "agreement_strict": strict_m,
        "agreement_equivalent": equiv_m,
        "attention_vs_own_prior": own_rows,
        "disagreements_by_family": dis_rows,
        "top_pick_families": pick_families,
        "column_picks_on_non_donors": column_non_donor,
        "site_notes_per_ligand": {k: dict(v) for k, v in notes.items()},
        "examples": examples,
        "figure": figure.name if figure is not None else None,
    }

    def matrix_md(mat: dict[str, dict[str, float]]) -> str:
        rows = [{"": a, **{b: mat[a][b] for b in SOURCES}} for a in SOURCES]
        return md_table(rows, ["", *SOURCES], floatfmt="{:.2f}")

    fam_rows = [
        {"family": f, **{s: pick_families[s].get(f, 0) for s in SOURCES}}
        for f in sorted(
            {f for s in SOURCES for f in pick_families[s]},
            key=lambda f: -sum(pick_families[s].get(f, 0) for s in SOURCES),
        )
    ]
    learned_row = next(r for r in acc_rows if r["site_method"] == "learned")
    note_lines = "".join(
        f"- `{s}`: " + ", ".join(f"{n} x {v}" for v, n in c.most_common()) + "\n"
        for s, c in notes.items()
    )
    md = (
        f"{args.folds}-fold ligand-grouped CV on {len(X)} NIST metal rows ({len(ligands)} "
        f"ligands); the same folds for every site source; `max_epochs={args.max_epochs}`; fits "
        f"{fit_wall / 60:.1f} min with {args.n_jobs} workers. The learned site model is "
        f"retrained in every fold on the proton-site labels minus the test ligands "
        f"({args.site_epochs} epochs; test ligands leaked: "
        f"{learned_row['site_leaked_ligands']}).\n\n"
        "Accuracy (masked RMSE of cumulative log beta, held-out ligands):\n\n"
        + md_table(acc_rows, ["site_method", "rmse_beta1", "rmse_all", "fit_seconds_total"])
        + "\nTop-atom agreement on the held-out ligands, `equivalent` (symmetry-equivalent "
        "atoms and the O/S of one acid group count as one site; ties of a prior count as "
        "agreeing with either atom):\n\n"
        + matrix_md(equiv_m)
        + "\nSame, `strict` (identical atom index; ties go to the lowest index):\n\n"
        + matrix_md(strict_m)
        + "\nEach model's attention vs its own prior:\n\n"
        + md_table(
            own_rows,
            ["model", "attention_vs_prior_equivalent", "attention_vs_prior_strict", "n_ligands"],
        )
        + "\nDonor family of the top pick (ligands; `a/b` = a tie across families; "
        "`non-donor X` = an atom no rule marks):\n\n"
        + md_table(fam_rows[:12], ["family", *SOURCES])
        + (
            f"\n({len(fam_rows) - 12} rarer families in sites.json.)\n"
            if len(fam_rows) > 12
            else ""
        )
        + f"\nUpstream `binding_sites` picks on atoms no donor rule marks: "
        f"{sum(pick_elements.values())} of {n_picks} picks ("
        + ", ".join(f"{n} {el}" for el, n in pick_elements.most_common())
        + ").\n"
        + "\nWhere two sources disagree (not `equivalent`): the 10 most frequent pairs of "
        "donor families picked:\n\n"
        + md_table(dis_rows[:10], ["source_a", "source_b", "family_a", "family_b", "n_ligands"])
        + "\nFallbacks of the priors (per held-out ligand, first row):\n\n"
        + note_lines
        + "\nExample ligands (top atoms, element and index):\n\n"
        + md_table(examples, ["name", *(f"top_{s}" for s in SOURCES)])
        + (
            f"\nFigure: [sites.png](sites.png), one row per source ({', '.join(fig_sources)}); "
            "atoms shaded by weight (red = the molecule's maximum; scores averaged over the "
            "ligand's held-out rows).\n"
            if figure is not None
            else ""
        )
    )
    path = save("sites", payload, md)
    print(md)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
