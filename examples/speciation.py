"""
Speciation and selectivity
==========================

Speciation versus pH, and which metal a ligand prefers.

1. Cu2+ with ethylenediamine from literature constants (log beta 10.5, 19.6; protonation 9.93,
   17.01) and copper hydrolysis from minteq.v4, solved with PHREEQC
   (:func:`skmetalpka.speciation.speciate`) and checked against the independent NumPy mass
   balance.
2. The same with constants predicted by a model that learned protonation constants too (a small
   joint metal + proton ensemble trained here on the embedded data; the packaged default model
   works the same way), and a metal ranking by conditional log beta_1 at pH 7
   (:func:`skmetalpka.screening.rank_metals`).

Run it with real settings::

    python examples/speciation.py [--out speciation_example] [--epochs 60]

The documentation build runs it with ``--epochs 1``: the first figure (literature constants) is
exact; the predicted constants, second figure and ranking show the API at work, not a trained
model's predictions.
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

ap = argparse.ArgumentParser(description="Speciation versus pH and a metal ranking.")
ap.add_argument("--out", default="speciation_example")
ap.add_argument("--epochs", type=int, default=60)
args = ap.parse_args()
out = Path(args.out)

# %%
# Literature constants
# --------------------
# Cu2+ + ethylenediamine: cumulative log beta 10.5 (CuL) and 19.6 (CuL2), protonation
# constants log beta^H 9.93 and 17.01; the copper hydroxo complexes come from minteq.v4.
# PHREEQC solves the equilibria at every pH.
ph = np.linspace(2, 12, 51)
frame = speciate([10.5, 19.6], "Cu2+", protonation=[9.93, 17.01], ph=ph)
print(f"copper hydrolysis from {frame.attrs['hydrolysis_source']}: "
      f"{', '.join(frame.attrs['hydrolysis_species'])}")  # fmt: skip
fig_literature = plot_speciation(frame, title="Cu2+ + ethylenediamine (literature)")
save_figure(fig_literature, out / "cu_en_literature.png")

# %%
# The independent NumPy mass balance (``engine="numpy"``) must agree with PHREEQC. It models
# mononuclear hydroxo complexes only, so both are compared on those.
kw = dict(protonation=[9.93, 17.01], ph=ph, hydrolysis="mononuclear")
mono = speciate([10.5, 19.6], "Cu2+", **kw)
check = speciate([10.5, 19.6], "Cu2+", engine="numpy", **kw)
diff = np.abs(mono.drop(columns="pH").to_numpy() - check.drop(columns="pH").to_numpy()).max()
print(f"PHREEQC vs NumPy mass balance: max fraction difference {diff:.1e}")

# %%
# Predicted constants
# -------------------
# A model that learned protonation constants too (joint metal + proton training) predicts
# both the complex constants and the ligand's protonation constants, which is all the
# speciation needs. Here a small ensemble of two members is trained on the embedded data.
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
fig_predicted = plot_speciation(pred, title="Cu2+ + ethylenediamine (predicted)")
save_figure(fig_predicted, out / "cu_en_predicted.png")

# %%
# Which metal does the ligand prefer?
# -----------------------------------
# Ranked by the conditional constant log beta_1' = log beta_1 - log alpha_L(H) at pH 7 (the
# protonated part of the ligand is not available to the metal).
ranking = rank_metals(model, "NCCN", ["Cu2+", "Ni2+", "Zn2+", "Co2+", "Cd2+"], ph=7.0)
print(ranking.drop(columns=["error"]).to_string(index=False))
print(f"wrote cu_en_literature.png and cu_en_predicted.png into {out.name}/")
