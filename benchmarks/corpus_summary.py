"""What the corpus holds: rows, metals and ligands per source, shared ligands, repeat spread.

Loads every source with :func:`skmetalpka.datasets.load_corpus` (and the NIST-46 protonation
table for the ligand overlap), prints a summary table and saves it.

Usage::

    SKMETALPKA_DATA_HOME=../shared/data python benchmarks/corpus_summary.py [--data FOLDER]

Writes benchmarks/results/corpus_summary.json and .md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import data_path, md_table, save  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="folder holding the shared data files")
    args = ap.parse_args()
    home = data_path(args.data + "/nist46_metal_binding.csv" if args.data else None).parent

    from skmetalpka.datasets import ligand_id, load_corpus, load_nist46_proton
    from skmetalpka.datasets.corpus import source_overlap

    X, y, rep = load_corpus(home, return_report=True)
    Xp = load_nist46_proton(home)[0]

    rows = []
    for name, r in rep.sources.items():
        m = (X.source == name).to_numpy()
        rows.append(
            {
                "source": name,
                "raw rows": r.n_read,
                "dropped by loader": r.n_dropped,
                "loader rows": r.n_samples,
                "corpus rows": int(m.sum()),
                "measurements": int(X.n_measurements[m].sum()),
                "metals": int(X.metal[m].nunique()),
                "ligands": int(X.ligand_id[m].nunique()),
                "with binding_sites": int((X.binding_sites[m].map(len) > 0).sum()),
                "max steps": int(np.isfinite(y[m]).sum(axis=1).max()),
            }
        )
    rows.append(
        {
            "source": "all",
            "raw rows": sum(r["raw rows"] for r in rows),
            "corpus rows": len(X),
            "measurements": int(X.n_measurements.sum()),
            "metals": int(X.metal.nunique()),
            "ligands": int(X.ligand_id.nunique()),
            "with binding_sites": int((X.binding_sites.map(len) > 0).sum()),
        }
    )
    # overlap including the protonation table (ligands only)
    proton_before = set(Xp.smiles)
    proton_after = {ligand_id(s) for s in proton_before}
    after = {s: set(X.ligand_id[X.source == s]) for s in rep.sources} | {
        "nist46_proton": proton_after
    }
    overlap_after = source_overlap(after)
    overlap_rows = []
    for key, n in overlap_after.items():
        before = rep.overlap_before.get(key)
        if before is None:  # pairs with the protonation table
            other = key.split(" & ")[0]
            before = len(proton_before & rep.ligands_before[other])
        overlap_rows.append({"pair": key, "before": before, "after": n})

    spread_rows = [{"comparison": k, **v} for k, v in rep.spread.items()]
    cols = ["source", "raw rows", "dropped by loader", "loader rows", "corpus rows",
            "measurements", "metals", "ligands", "with binding_sites", "max steps"]  # fmt: skip
    md = "## Corpus summary\n\n" + md_table(rows, cols)
    md += "\n## Shared ligands per pair of sources (sources' own SMILES -> ligand_id)\n\n"
    md += md_table(overlap_rows, ["pair", "before", "after"])
    md += "\n## Repeat spread of log beta_1 (log units)\n\n"
    md += md_table(
        spread_rows,
        [
            "comparison",
            "n_groups",
            "n_values",
            "n_pairs",
            "median_abs_dev",
            "rmsd",
            "median_range",
            "p90_range",
            "mean_diff",
            "median_abs_diff",
        ],  # fmt: skip
        floatfmt="{:.2f}",
    )
    print(md)
    print(rep)
    path = save(
        "corpus_summary",
        {
            "sources": rows,
            "overlap": overlap_rows,
            "spread": rep.spread,
            "corpus_dropped": rep.dropped,
            "loader_dropped": {k: r.dropped for k, r in rep.sources.items()},
            "loader_flagged": {
                k: r.flagged["reason"].value_counts().to_dict() for k, r in rep.sources.items()
            },
        },
        md,
    )
    print(f"saved {path}")


if __name__ == "__main__":
    main()
