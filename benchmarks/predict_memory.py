"""Does ``skmetalpka predict`` run in bounded memory? Peak RSS for 10k vs 100k input rows.

Writes input CSVs of each size (NIST ligands, or the embedded MINTEQ ligands without the data,
cycled over eight metals, with 1 % deliberately bad rows), runs ``skmetalpka predict`` on each
in a fresh process and records the peak resident memory (``ru_maxrss``), the wall time and that
every input row came back (bad rows with an ``error``). Streaming (``--chunksize``, default
10 000 rows) should make peak memory independent of the file size.

Usage::

    python benchmarks/predict_memory.py [--model FILE] [--sizes 10000,100000]

Without ``--model`` a small GNN is trained on the embedded data first (the network size does
not change what is measured: whether memory grows with the number of rows).
Writes benchmarks/results/predict_memory.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import md_table, save  # noqa: E402

METALS = ["Cu2+", "Ni2+", "Zn2+", "Co2+", "Fe3+", "Cd2+", "Pb2+", "Mn2+"]
RUNNER = (
    "import resource, sys, time\n"
    "from skmetalpka.cli import main\n"
    "t = time.perf_counter()\n"
    "code = main(sys.argv[1:])\n"
    "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "print(f'RESULT {code} {rss} {time.perf_counter() - t:.3f}', file=sys.stderr)\n"
)


def ligands() -> list[str]:
    try:
        from skmetalpka import load_nist46

        X, _ = load_nist46()
    except Exception:  # no shared data: the embedded ligands
        from skmetalpka import load_minteq

        X, _ = load_minteq()
    return sorted(set(X["smiles"]))


def write_input(path: Path, n: int, smiles: list[str]) -> int:
    bad = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("metal,smiles\n")
        for i in range(n):
            if i % 100 == 99:
                fh.write(f"{METALS[i % len(METALS)]},C1CC\n")  # unclosed ring: flagged
                bad += 1
            else:
                fh.write(f'{METALS[i % len(METALS)]},"{smiles[i % len(smiles)]}"\n')
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model file (default: train a small GNN on MINTEQ)")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--chunksize", type=int, default=10_000)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        model = args.model
        if model is None:
            model = str(tmpdir / "gnn.skmodel")
            params = json.dumps({"max_epochs": 5})
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "skmetalpka",
                    "fit",
                    "--params",
                    params,
                    "--out",
                    model,
                    "-q",
                ],
                check=True,
                env=env,
            )
        smiles = ligands()
        rows = []
        for n in sizes:
            src = tmpdir / f"in_{n}.csv"
            dst = tmpdir / f"out_{n}.csv"
            bad = write_input(src, n, smiles)
            t0 = time.perf_counter()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    RUNNER,
                    "predict",
                    "--model",
                    model,
                    "--input",
                    str(src),
                    "--output",
                    str(dst),
                    "--chunksize",
                    str(args.chunksize),
                    "-q",
                ],
                capture_output=True,
                text=True,
                env=env,
            )
            wall = time.perf_counter() - t0
            line = [x for x in proc.stderr.splitlines() if x.startswith("RESULT")]
            if proc.returncode != 0 or not line:
                sys.exit(f"predict failed for {n} rows:\n{proc.stderr[-2000:]}")
            code, rss_kb, seconds = line[-1].split()[1:]
            import pandas as pd

            out = pd.read_csv(dst, keep_default_na=False, usecols=["error"])
            rows.append(
                {
                    "rows": n,
                    "peak_rss_mb": int(rss_kb) / 1024,
                    "seconds": float(seconds),
                    "rows_per_second": n / float(seconds),
                    "rows_out": len(out),
                    "rows_with_error": int((out["error"] != "").sum()),
                    "bad_rows_written": bad,
                    "process_wall_seconds": wall,
                }
            )
            print(rows[-1], flush=True)
    ratio = rows[-1]["peak_rss_mb"] / rows[0]["peak_rss_mb"]
    payload = {
        "command": "python benchmarks/predict_memory.py " + " ".join(sys.argv[1:]),
        "chunksize": args.chunksize,
        "results": rows,
        "peak_ratio_largest_vs_smallest": ratio,
    }
    md = (
        f"`skmetalpka predict` streaming in chunks of {args.chunksize} rows, one thread:\n\n"
        + md_table(
            rows,
            [
                "rows",
                "peak_rss_mb",
                "seconds",
                "rows_per_second",
                "rows_out",
                "rows_with_error",
                "bad_rows_written",
            ],
            floatfmt="{:.1f}",
        )
        + f"\nPeak memory ratio {rows[-1]['rows']} vs {rows[0]['rows']} rows: {ratio:.2f}\n"
    )
    path = save("predict_memory", payload, md)
    print(md)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
