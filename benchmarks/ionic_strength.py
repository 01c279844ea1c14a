"""Does the model move log K with ionic strength the way the Davies equation says?

For charged ligands L^z (z < 0: carboxylates, phenolates, phosphonates, counted by the donor
rules), the first protonation H+ + L^z = HL^(z+1) has ``delta_z2 = (z+1)^2 - 1 - z^2 = 2z`` < 0,
so its concentration constant must fall from I = 0 to I ~ 0.1-0.5 M
(:func:`skmetalpka.conditions.davies_shift`); for neutral amines (z = 0) it must not change.
The same holds for Cu2+ + L^z = CuL^(z+2) (``delta_z2 = 4z``).

The script predicts log beta^H_1 and log beta_1(Cu2+) of every charged ligand of the NIST metal
table at I = 0, 0.1, 0.5 M (25 deg C) with a model that learned protons (default: the packaged
model) and reports how often the predicted change has the Davies sign, the median predicted
and Davies changes, and the same for neutral amines (where only the size of the change is
reported).

Usage::

    python benchmarks/ionic_strength.py [--model FILE]

Writes benchmarks/results/ionic_strength.json and .md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import data_path, md_table, save  # noqa: E402

LEVELS = (0.0, 0.1, 0.5)
ACID_FAMILIES = {
    "carboxylate": 1,
    "phenolate": 1,
    "phosphonate": 2,
    "hydroxamate": 1,
    "thiolate": 1,
    "enolate": 1,
}


def ligand_charge(smiles: str) -> int:
    """Charge of the fully deprotonated ligand: minus its acidic groups (rule of thumb)."""
    from skmetalpka.screening import donor_groups

    counts = donor_groups(smiles)
    return -int(sum(counts.get(f, 0) * k for f, k in ACID_FAMILIES.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model file (default: the packaged model)")
    ap.add_argument("--data", help="nist46_metal_binding.csv (default: shared data)")
    ap.add_argument("--max-ligands", type=int, default=400)
    args = ap.parse_args()

    from skmetalpka import load_nist46
    from skmetalpka.conditions import davies_shift
    from skmetalpka.io import load_model
    from skmetalpka.pretrained import load_default_model

    model = load_model(args.model) if args.model else load_default_model()
    X, _ = load_nist46(data_path(args.data))
    ligands = sorted(set(X["smiles"]))[: args.max_ligands]
    charges = {s: ligand_charge(s) for s in ligands}
    rows = []
    for metal, dz2_per_z in (("H+", 2), ("Cu2+", 4)):
        frames = []
        for level in LEVELS:
            frames.append(
                pd.DataFrame(
                    {
                        "metal": metal,
                        "smiles": ligands,
                        "temperature": 25.0,
                        "ionic_strength": level,
                    }
                )
            )
        pred = model.predict(pd.concat(frames, ignore_index=True))[:, 0].reshape(len(LEVELS), -1)
        z = np.array([charges[s] for s in ligands])
        for kind, mask in (("charged (z < 0)", z < 0), ("neutral (z = 0)", z == 0)):
            if not mask.any():
                continue
            for lo, hi in ((0, 1), (0, 2)):
                d_pred = pred[hi, mask] - pred[lo, mask]
                d_dav = np.array(
                    [
                        davies_shift(dz2_per_z * zi, LEVELS[hi], reference=LEVELS[lo])
                        for zi in z[mask]
                    ]
                )
                charged = kind.startswith("charged")
                same_sign = (
                    float(np.mean(np.sign(d_pred) == np.sign(d_dav))) if charged else float("nan")
                )
                rows.append(
                    {
                        "reaction": f"{metal} + L",
                        "ligands": kind,
                        "n": int(mask.sum()),
                        "I": f"{LEVELS[lo]:g} -> {LEVELS[hi]:g}",
                        "median_predicted_change": float(np.median(d_pred)),
                        "median_davies_change": float(np.median(d_dav)),
                        "share_with_davies_sign": same_sign,
                    }
                )
                print(rows[-1], flush=True)
    payload = {
        "command": "python benchmarks/ionic_strength.py " + " ".join(sys.argv[1:]),
        "levels": LEVELS,
        "results": rows,
    }
    md = (
        "Predicted change of log K_1 with ionic strength (25 °C) vs the Davies equation:\n\n"
        + md_table(
            rows,
            [
                "reaction",
                "ligands",
                "n",
                "I",
                "median_predicted_change",
                "median_davies_change",
                "share_with_davies_sign",
            ],
        )
    )
    path = save("ionic_strength", payload, md)
    print(md)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
