"""Helpers shared by the benchmark scripts: data location, result files, tables."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


def data_path(arg: str | None, name: str = "nist46_metal_binding.csv") -> Path:
    """The shared NIST table: ``--data`` argument, else ``$SKMETALPKA_DATA_HOME``, else ../shared/data."""
    if arg:
        return Path(arg)
    home = os.environ.get("SKMETALPKA_DATA_HOME")
    candidates = [Path(home) / name] if home else []
    candidates.append(ROOT.parent / "shared" / "data" / name)
    for c in candidates:
        if c.is_file():
            return c
    sys.exit(f"cannot find {name}: pass --data PATH or set SKMETALPKA_DATA_HOME")


def machine() -> dict[str, Any]:
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
    }


def save(name: str, payload: dict[str, Any], markdown: str | None = None) -> Path:
    """Write ``benchmarks/results/<name>.json`` (and ``.md``) and return the JSON path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"machine": machine(), **payload}
    path.write_text(json.dumps(payload, indent=2, default=float))
    if markdown is not None:
        (RESULTS / f"{name}.md").write_text(markdown)
    return path


def md_table(rows: list[dict[str, Any]], columns: list[str], floatfmt: str = "{:.3f}") -> str:
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = ""
    for r in rows:
        cells = []
        for c in columns:
            v = r.get(c, "")
            cells.append(floatfmt.format(v) if isinstance(v, float) else str(v))
        body += "| " + " | ".join(cells) + " |\n"
    return head + body
