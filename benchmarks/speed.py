"""Speed on this machine: featurisation, training and prediction throughput in one run.

Usage::

    python benchmarks/speed.py [--data PATH] [--threads 2] [--predict-rows 20000]

Trains the default pipeline (``skmetalpka fit`` settings) on the full NIST table, then predicts
``--predict-rows`` complexes (the table's rows repeated, so featurisation is measured on real
ligands; the SMILES cache is cleared first). Goals: fit <= 5 min on 2 cores, predict >= 1,000
complexes/s. Writes benchmarks/results/speed.json and speed.md.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
import torch
from _common import data_path, md_table, save

from skmetalpka import default_pipeline, load_nist46
from skmetalpka.chem import _standardize_cached


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--predict-rows", type=int, default=20000)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    X, y = load_nist46(data_path(args.data))
    pipe = default_pipeline(random_state=0)

    _standardize_cached.cache_clear()
    t = time.perf_counter()
    pipe.fit(X, y)
    fit_s = time.perf_counter() - t
    model = pipe.named_steps["model"]
    epochs = len(model.history)

    reps = int(np.ceil(args.predict_rows / len(X)))
    Xp = pd.concat([X] * reps, ignore_index=True).iloc[: args.predict_rows]
    _standardize_cached.cache_clear()
    t = time.perf_counter()
    graphs = pipe[:-1].transform(Xp)
    feat_s = time.perf_counter() - t
    t = time.perf_counter()
    model.predict(graphs)
    net_s = time.perf_counter() - t
    _standardize_cached.cache_clear()
    t = time.perf_counter()
    pred = pipe.predict(Xp)
    total_s = time.perf_counter() - t
    assert pred.shape == (len(Xp), y.shape[1])

    rows = [
        {
            "what": f"fit default pipeline ({len(X)} rows, {epochs} epochs)",
            "seconds": fit_s,
            "rate": f"{len(X) * epochs / fit_s:.0f} complex-epochs/s",
        },
        {
            "what": f"featurise {len(Xp)} rows",
            "seconds": feat_s,
            "rate": f"{len(Xp) / feat_s:.0f} complexes/s",
        },
        {
            "what": f"network forward {len(Xp)} rows",
            "seconds": net_s,
            "rate": f"{len(Xp) / net_s:.0f} complexes/s",
        },
        {
            "what": f"pipeline.predict {len(Xp)} rows (end to end)",
            "seconds": total_s,
            "rate": f"{len(Xp) / total_s:.0f} complexes/s",
        },
    ]
    table = md_table(rows, ["what", "seconds", "rate"], floatfmt="{:.1f}")
    goals = [
        ("PASS " if fit_s <= 300 else "MISS ") + f"fit {fit_s:.0f}s <= 300s",
        ("PASS " if len(Xp) / total_s >= 1000 else "MISS ")
        + f"predict {len(Xp) / total_s:.0f}/s >= 1000/s",
    ]
    text = f"torch threads: {args.threads}\n\n" + table + "\n" + "\n".join(f"- {g}" for g in goals)
    print(text)
    print("saved", save("speed", {"threads": args.threads, "rows": rows, "goals": goals}, text))


if __name__ == "__main__":
    main()
