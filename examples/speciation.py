"""Speciation versus pH, and which metal a ligand prefers.

Run: python examples/speciation.py [--out speciation_example]

1. Cu2+ with ethylenediamine from literature constants (log beta 10.5, 19.6; protonation 9.93,
   17.01) and copper hydrolysis from minteq.v4, solved with PHREEQC and checked against the
   independent NumPy mass balance.
2. The same with constants predicted by a model that learned protonation constants too (a small
   joint metal + proton ensemble trained here on the embedded data; the packaged default model
   works the same way), and a metal ranking by conditional log beta_1 at pH 7.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from skmetalpka import default_pipeline, load_minteq
from skmetalpka.model import EnsembleRegressor, ProtonTransferRegressor
from skmetalpka.plots import save_figure
from skmetalpka.screening import predict_constants, rank_metals
from skmetalpka.speciation import plot_speciation, speciate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="speciation_example")
    ap.add_argument("--epochs", type=int, default=60)
    args = ap.parse_args()
    out = Path(args.out)
    ph = np.linspace(2, 12, 51)
    frame = speciate([10.5, 19.6], "Cu2+", protonation=[9.93, 17.01], ph=ph)
    print(f"copper hydrolysis from {frame.attrs['hydrolysis_source']}: "
          f"{', '.join(frame.attrs['hydrolysis_species'])}")  # fmt: skip
    # the NumPy engine models mononuclear hydroxo complexes only: compare on those
    kw = dict(protonation=[9.93, 17.01], ph=ph, hydrolysis="mononuclear")
    mono = speciate([10.5, 19.6], "Cu2+", **kw)
    check = speciate([10.5, 19.6], "Cu2+", engine="numpy", **kw)
    diff = np.abs(mono.drop(columns="pH").to_numpy() - check.drop(columns="pH").to_numpy()).max()
    print(f"PHREEQC vs NumPy mass balance: max fraction difference {diff:.1e}")
    save_figure(
        plot_speciation(frame, title="Cu2+ + ethylenediamine (literature)"),
        out / "cu_en_literature.png",
    )

    X, y = load_minteq()
    Xp, yp = load_minteq(kind="proton")
    model = EnsembleRegressor(
        ProtonTransferRegressor(default_pipeline(max_epochs=args.epochs), mode="joint"),
        n_members=2,
    ).fit(X, y, proton_X=Xp, proton_y=yp)
    pc = predict_constants(model, "NCCN", "Cu2+")
    print("predicted log beta:", np.round(pc.log_beta, 2), "+/-", np.round(pc.log_beta_std, 2))
    print("predicted protonation:", np.round(pc.protonation, 2))
    pred = speciate(pc.log_beta, "Cu2+", protonation=pc.protonation, ph=ph)
    save_figure(
        plot_speciation(pred, title="Cu2+ + ethylenediamine (predicted)"),
        out / "cu_en_predicted.png",
    )
    print(
        rank_metals(model, "NCCN", ["Cu2+", "Ni2+", "Zn2+", "Co2+", "Cd2+"], ph=7.0)
        .drop(columns=["error"])
        .to_string(index=False)
    )
    print(f"wrote {out}/cu_en_literature.png and {out}/cu_en_predicted.png")


if __name__ == "__main__":
    main()
