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
