"""The example scripts run (on tiny settings) and print what they promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _run(script: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_quickstart():
    text = _run("quickstart.py", "--epochs", "2")
    assert "Cu2+" in text and "log beta_1.." in text


@pytest.mark.parametrize("folds", ["2"])
def test_grouped_cv_on_embedded_data(folds):
    text = _run("grouped_cv.py", "--epochs", "1", "--folds", folds)
    assert "gnn" in text and "rf" in text


def test_tuning_example():
    text = _run("tuning.py", "--trials", "2", "--epochs", "1")
    assert "best parameters:" in text and "OptunaSearchCV best lr:" in text


def test_speciation_example(tmp_path):
    text = _run("speciation.py", "--epochs", "1", "--out", str(tmp_path))
    assert "PHREEQC vs NumPy mass balance" in text and "predicted protonation" in text
    assert (tmp_path / "cu_en_literature.png").stat().st_size > 1000
    assert (tmp_path / "cu_en_predicted.png").is_file()


def test_rare_earth_screen_example(tmp_path):
    out = tmp_path / "screen.csv"
    text = _run("rare_earth_screen.py", "--out", str(out))
    assert "Lu-La" in text and "selectivity:" in text and "EDTA" in text
    assert out.read_text().count("\n") == 11  # header + 10 ligands
