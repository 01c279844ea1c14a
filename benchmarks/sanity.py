"""Physical sanity a chemist checks first, on a model's predictions.

1. **Lanthanide series** - log beta_1 of a chelator (EDTA, DTPA, NTA) rises from La3+ to Lu3+
   (lanthanide contraction: EDTA 15.5 -> 19.8). Reported: Spearman rho of log beta_1 against
   the atomic number (Pm skipped) and whether Lu3+ > La3+.
2. **Irving-Williams order** for N-donor ligands (ethylenediamine, 2,2'-bipyridine, glycine,
   1,10-phenanthroline): Mn2+ < Fe2+ < Co2+ < Ni2+ < Cu2+ > Zn2+. Reported: the number of the
   five pairwise relations that hold.
3. **Hard trivalent ions** (Fe3+, Al3+, Ga3+) bind hydroxamates and catecholates far more
   strongly than divalent ions (Mn2+, Co2+, Ni2+, Zn2+, Mg2+, Ca2+): every trivalent above
   every one of those divalent ions, and the trivalent mean at least 2 log units higher.

Usage::

    python benchmarks/sanity.py [--model FILE]

Writes benchmarks/results/sanity.json and .md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import save  # noqa: E402

LANTHANIDES = [
    "La3+", "Ce3+", "Pr3+", "Nd3+", "Sm3+", "Eu3+", "Gd3+", "Tb3+", "Dy3+", "Ho3+", "Er3+",
    "Tm3+", "Yb3+", "Lu3+",
]  # fmt: skip
CHELATORS = {
    "EDTA": "OC(=O)CN(CC(=O)O)CCN(CC(=O)O)CC(=O)O",
    "DTPA": "OC(=O)CN(CCN(CC(=O)O)CC(=O)O)CCN(CC(=O)O)CC(=O)O",
    "NTA": "OC(=O)CN(CC(=O)O)CC(=O)O",
}
IRVING_WILLIAMS = ["Mn2+", "Fe2+", "Co2+", "Ni2+", "Cu2+", "Zn2+"]
N_DONORS = {
    "ethylenediamine": "NCCN",
    "2,2'-bipyridine": "c1ccc(-c2ccccn2)nc1",
    "glycine": "NCC(=O)O",
    "1,10-phenanthroline": "c1cnc2c(c1)ccc1cccnc12",
}
HARD_LIGANDS = {
    "acetohydroxamic acid": "CC(=O)NO",
    "catechol": "Oc1ccccc1O",
    "tiron-like 4-methylcatechol": "Cc1ccc(O)c(O)c1",
}
TRIVALENT = ["Fe3+", "Al3+", "Ga3+"]
DIVALENT = ["Mn2+", "Co2+", "Ni2+", "Zn2+", "Mg2+", "Ca2+"]


def beta1(model, pairs: list[tuple[str, str]]) -> np.ndarray:
    X = pd.DataFrame(pairs, columns=["metal", "smiles"])
    return np.asarray(model.predict(X), dtype=float)[:, 0]


def check_lanthanides(model) -> list[dict]:
    from skmetalpka.ions import _tables, parse_ion

    z = [_tables().z_of[parse_ion(m)[0]] for m in LANTHANIDES]
    out = []
    for name, smi in CHELATORS.items():
        b = beta1(model, [(m, smi) for m in LANTHANIDES])
        rho = float(spearmanr(z, b).statistic)
        out.append(
            {
                "ligand": name,
                "La": float(b[0]),
                "Lu": float(b[-1]),
                "spearman_rho_vs_Z": rho,
                "passes": bool(b[-1] > b[0] and rho > 0.5),
            }
        )
    return out


def check_irving_williams(model) -> list[dict]:
    out = []
    for name, smi in N_DONORS.items():
        b = beta1(model, [(m, smi) for m in IRVING_WILLIAMS])
        rel = [b[0] < b[1], b[1] < b[2], b[2] < b[3], b[3] < b[4], b[4] > b[5]]
        out.append(
            {
                "ligand": name,
                **{m: float(v) for m, v in zip(IRVING_WILLIAMS, b, strict=True)},
                "relations_holding": int(sum(rel)),
                "passes": bool(all(rel)),
            }
        )
    return out


def check_hard_trivalent(model) -> list[dict]:
    out = []
    for name, smi in HARD_LIGANDS.items():
        t = beta1(model, [(m, smi) for m in TRIVALENT])
        d = beta1(model, [(m, smi) for m in DIVALENT])
        out.append(
            {
                "ligand": name,
                "trivalent": {m: float(v) for m, v in zip(TRIVALENT, t, strict=True)},
                "divalent": {m: float(v) for m, v in zip(DIVALENT, d, strict=True)},
                "mean_gap": float(t.mean() - d.mean()),
                "passes": bool(t.min() > d.max() and t.mean() - d.mean() >= 2.0),
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model file (default: the packaged model)")
    ap.add_argument("--tag", default="")
    args = ap.parse_args()
    from skmetalpka.persistence import load_model
    from skmetalpka.pretrained import load_default_model

    model = load_model(args.model) if args.model else load_default_model()
    result = {
        "command": " ".join(["python benchmarks/sanity.py", *sys.argv[1:]]),
        "lanthanide_series": check_lanthanides(model),
        "irving_williams": check_irving_williams(model),
        "hard_trivalent": check_hard_trivalent(model),
    }
    lines = ["| check | ligand | result | passes |", "|---|---|---|---|"]
    for r in result["lanthanide_series"]:
        lines.append(
            f"| lanthanide series | {r['ligand']} | La {r['La']:.1f} -> Lu {r['Lu']:.1f}, "
            f"rho(Z) {r['spearman_rho_vs_Z']:.2f} | {'yes' if r['passes'] else 'no'} |"
        )
    for r in result["irving_williams"]:
        vals = " < ".join(f"{r[m]:.1f}" for m in IRVING_WILLIAMS)
        lines.append(
            f"| Irving-Williams | {r['ligand']} | {vals} ({r['relations_holding']}/5) | "
            f"{'yes' if r['passes'] else 'no'} |"
        )
    for r in result["hard_trivalent"]:
        lines.append(
            f"| hard trivalent | {r['ligand']} | M3+ mean - M2+ mean = {r['mean_gap']:.1f} | "
            f"{'yes' if r['passes'] else 'no'} |"
        )
    md = "\n".join(lines) + "\n"
    print(md)
    save(f"sanity{args.tag}", result, md)


if __name__ == "__main__":
    main()
