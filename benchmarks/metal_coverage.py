"""Coverage check: every metal ion of the shared tables parses and has finite descriptors.

Usage::

    python benchmarks/metal_coverage.py [--data DIR]

Reads the metal of every row of ``logkpredict_nist_k1.csv`` and
``logkpredict_iupac_lanthanides_k1.csv`` (the one bracket atom ``[M+q]`` that is not an
organic element) and the ``metal_ion`` column of ``nist46_metal_binding.csv``, turns each label
into the species the source means (:func:`skmetalpka.ions.interpret_source_ion`: ``[U+2]`` is
uranyl ``UO2 2+``), and computes its descriptors. Prints one line per ion (rows, species,
estimated values) and exits with status 1 if any ion is refused or has a non-finite
descriptor. Writes benchmarks/results/metal_coverage.json and .md.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
from _common import data_path, md_table, save

from skmetalpka.featurize.metals import METAL_DESCRIPTOR_NAMES, metal_descriptors
from skmetalpka.ions import UnknownMetalError, canonical_ion, interpret_source_ion

TABLES = {
    "logkpredict_nist_k1.csv": "logkpredict",
    "logkpredict_iupac_lanthanides_k1.csv": "logkpredict",
    "nist46_metal_binding.csv": "literal",
}
_NON_METALS = set("H B C N O F Si P S Cl As Se Br Te I".split())
_ATOM = re.compile(r"\[\d*([A-Z][a-z]?)@*(?:H\d*)?([+-]\d*)(?::\d+)?\]")
_FLAGS = ("radius_estimated", "radius_cn8_estimated", "ionization_energy_estimated")


def table_labels(path: Path) -> tuple[Counter, int]:
    """(metal label -> rows, rows without exactly one metal) of one shared table."""
    if path.name.startswith("nist46"):
        metals = pd.read_csv(path, dtype=str, keep_default_na=False)["metal_ion"]
        return Counter(canonical_ion(m) for m in metals), 0
    counts: Counter = Counter()
    bad = 0
    for line in path.read_text(encoding="utf-8-sig").splitlines()[1:]:
        if not line.strip():
            continue
        smiles = line.rsplit(",", 1)[0]
        found = {(el, q) for el, q in _ATOM.findall(smiles) if el not in _NON_METALS}
        if len(found) != 1:
            bad += 1
            continue
        ((el, q),) = found
        counts[canonical_ion(f"{el}{q}")] += 1
    return counts, bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="folder of the shared tables (default: data home)")
    args = parser.parse_args(argv)
    rows = []
    failures = 0
    for name, source in TABLES.items():
        path = Path(args.data) / name if args.data else data_path(None, name)
        counts, bad = table_labels(path)
        print(
            f"{name}: {sum(counts.values())} rows, {len(counts)} metal labels, "
            f"{bad} rows without exactly one metal"
        )
        for label, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            row = {"table": name, "label": label, "rows": n}
            try:
                species = interpret_source_ion(label, source)
                v = metal_descriptors(species)
            except UnknownMetalError as exc:
                row.update(species="REFUSED", finite=False, estimated=str(exc))
                failures += 1
                rows.append(row)
                continue
            d = dict(zip(METAL_DESCRIPTOR_NAMES, v, strict=True))
            finite = bool(np.isfinite(v).all())
            failures += not finite
            row.update(
                species=species,
                finite=finite,
                estimated=", ".join(f for f in _FLAGS if d[f]) or "-",
            )
            rows.append(row)
    cols = ["table", "label", "species", "rows", "finite", "estimated"]
    table = md_table(rows, cols)
    print(table)
    n_ions = len({r["species"] for r in rows})
    print(f"{len(rows)} (table, label) pairs, {n_ions} distinct species, {failures} failures")
    save("metal_coverage", {"rows": rows, "failures": failures}, table)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
