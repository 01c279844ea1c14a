"""Screen chelators for a rare-earth separation: which ligand tells light from heavy lanthanides?

Run: python examples/rare_earth_screen.py [--model FILE] [--out screen.csv]

For every candidate ligand the model predicts log beta_1 with La3+, Nd3+, Eu3+, Dy3+, Lu3+ and
Y3+ (with the ensemble's calibrated sigma when the model has one), then ranks the ligands by
their heavy/light selectivity, log beta_1(Lu3+) - log beta_1(La3+), and shows the Nd3+/Dy3+
pair that matters for magnet recycling. A difference smaller than its combined sigma is not a
reliable selectivity: the table says so.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from skmetalpka._base import supports_std
from skmetalpka.persistence import load_model
from skmetalpka.pretrained import load_default_model

METALS = ("La3+", "Nd3+", "Eu3+", "Dy3+", "Lu3+", "Y3+")

#: Candidate ligands (name, SMILES): aminopolycarboxylates, hydroxycarboxylates used in
#: ion-exchange separations, and simple references.
LIGANDS = (
    ("EDTA", "OC(=O)CN(CC(=O)O)CCN(CC(=O)O)CC(=O)O"),
    ("DTPA", "OC(=O)CN(CCN(CC(=O)O)CC(=O)O)CCN(CC(=O)O)CC(=O)O"),
    ("NTA", "OC(=O)CN(CC(=O)O)CC(=O)O"),
    ("HEDTA", "OCCN(CCN(CC(=O)O)CC(=O)O)CC(=O)O"),
    ("alpha-HIBA", "CC(C)(O)C(=O)O"),
    ("lactic acid", "CC(O)C(=O)O"),
    ("citric acid", "OC(=O)CC(O)(CC(=O)O)C(=O)O"),
    ("diglycolic acid", "OC(=O)COCC(=O)O"),
    ("picolinic acid", "OC(=O)c1ccccn1"),
    ("acetic acid", "CC(=O)O"),
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model file (default: the packaged model)")
    ap.add_argument("--out", help="also write the table as CSV")
    args = ap.parse_args()
    model = load_model(args.model) if args.model else load_default_model()
    X = pd.DataFrame([(m, smi) for _, smi in LIGANDS for m in METALS], columns=["metal", "smiles"])
    if supports_std(model):
        mean, std = model.predict(X, return_std=True)
    else:
        mean, std = model.predict(X), np.full((len(X), 1), np.nan)
    b1 = np.asarray(mean, dtype=float)[:, 0].reshape(len(LIGANDS), len(METALS))
    s1 = np.asarray(std, dtype=float)[:, 0].reshape(len(LIGANDS), len(METALS))
    table = pd.DataFrame(b1, columns=list(METALS), index=[name for name, _ in LIGANDS])
    lu, la = METALS.index("Lu3+"), METALS.index("La3+")
    nd, dy = METALS.index("Nd3+"), METALS.index("Dy3+")
    table["Lu-La"] = b1[:, lu] - b1[:, la]
    table["Dy-Nd"] = b1[:, dy] - b1[:, nd]
    sigma = np.sqrt(s1[:, lu] ** 2 + s1[:, la] ** 2)
    table["sigma(Lu-La)"] = sigma
    table["resolved"] = np.where(
        np.isnan(sigma), "no sigma", np.where(np.abs(table["Lu-La"]) > sigma, "yes", "no")
    )
    table = table.sort_values("Lu-La", ascending=False)
    pd.set_option("display.width", 140)
    print("Predicted log beta_1 and heavy/light selectivity (log units), best first:\n")
    print(table.round(2).to_string())
    best = table.index[0]
    print(
        f"\nselectivity: {best} separates Lu3+ from La3+ best (Lu-La = "
        f"{table.loc[best, 'Lu-La']:.2f}); the lanthanide series rises La -> Lu for "
        f"{int((table['Lu-La'] > 0).sum())} of {len(table)} ligands."
    )
    if args.out:
        table.to_csv(args.out)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
