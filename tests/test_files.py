"""Output files: written atomically, with the permissions of the user's umask (skmetalpka._files)."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from conftest import TINY

from skmetalpka._files import atomic_open, write_bytes, write_text


@pytest.fixture()
def umask() -> Iterator[Callable[[int], None]]:
    """Set the process umask for one test and restore it afterwards."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


def _mean_model():
    from skmetalpka.baselines import MetalMeanRegressor

    frame = pd.read_csv(io.StringIO(TINY))
    return MetalMeanRegressor().fit(frame[["metal", "smiles"]], frame[["log_beta_1", "log_beta_2"]])


def _writers() -> dict[str, Callable[[Path, Path], None]]:
    """name -> writer(target file, scratch folder): every way the library writes an output."""
    from skmetalpka.inference import predict_csv, predict_frame
    from skmetalpka.persistence import save_model
    from skmetalpka.tables import write_predictions

    X = pd.DataFrame({"metal": ["Cu2+"], "smiles": ["NCCN"]})

    def csv_input(folder: Path) -> Path:
        src = folder / "in.csv"
        src.write_text("metal,smiles\nCu2+,NCCN\n", encoding="utf-8")
        return src

    def figure(target: Path, _: Path) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from skmetalpka.plots import save_figure

        fig = plt.figure()
        save_figure(fig, target)
        plt.close(fig)

    return {
        "write_text": lambda t, _: write_text(t, "text\n"),
        "write_bytes": lambda t, _: write_bytes(t, b"\x00\x01"),
        "save_model": lambda t, _: save_model(_mean_model(), t, model="mean", trained_on="t"),
        "write_predictions": lambda t, _: write_predictions(predict_frame(_mean_model(), X), t),
        "predict_csv": lambda t, d: predict_csv(_mean_model(), csv_input(d), t),
        "save_figure": figure,
    }


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("writer", list(_writers()))
def test_outputs_get_the_umask_permissions(writer, mask, mode, umask, tmp_path):
    suffix = ".png" if writer == "save_figure" else ".out"
    target = tmp_path / "out" / f"file{suffix}"
    umask(mask)
    _writers()[writer](target, tmp_path)
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temp file


def test_failed_write_keeps_the_old_file_and_leaves_nothing(tmp_path):
    target = tmp_path / "keep.json"
    target.write_text('{"old": true}', encoding="utf-8")
    with pytest.raises(RuntimeError, match="half-way"):
        with atomic_open(target) as fh:
            fh.write('{"new": ')
            raise RuntimeError("half-way")
    assert json.loads(target.read_text(encoding="utf-8")) == {"old": True}
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]


def test_predict_csv_error_deep_in_the_input_leaves_no_output(tmp_path):
    from skmetalpka.exceptions import InputError
    from skmetalpka.inference import predict_csv

    src = tmp_path / "in.csv"
    src.write_text("metal,smiles\nCu2+,NCCN\n" * 3 + 'Cu2+,"unclosed\n', encoding="utf-8")
    out = tmp_path / "pred.csv"
    with pytest.raises((InputError, ValueError)):
        predict_csv(_mean_model(), src, out, chunksize=1)
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_atomic_open_refuses_other_modes(tmp_path):
    with pytest.raises(ValueError, match="mode"):
        with atomic_open(tmp_path / "x", "a"):
            pass
