"""Model files written by skmetalpka 0.1.0 (before the package layout changed) still load.

The files in ``tests/data`` were saved with ``skmetalpka.io.save_model`` from the 0.1.0 layout
(``skmetalpka/io.py``, ``skmetalpka/baselines.py``, ``skmetalpka/model/transfer.py`` ...) on the
TINY table of ``conftest``; their predictions were stored next to them at the same time. They are
pickles, so they load only with ``trusted=True``; saved again they become safe ``.skmodel`` files
that predict the same.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TINY

DATA = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize("name", ["gnn", "gpr", "rf", "mean"])
def test_model_saved_before_the_layout_change_loads_and_predicts_the_same(name: str) -> None:
    from skmetalpka.persistence import load_model

    X = pd.read_csv(io.StringIO(TINY))[["metal", "smiles"]]
    model = load_model(DATA / f"legacy_v010_{name}.joblib", trusted=True)
    expected = np.load(DATA / f"legacy_v010_{name}_pred.npy")
    np.testing.assert_array_equal(model.predict(X), expected)


@pytest.mark.parametrize("name", ["gnn", "rf"])
def test_legacy_pickle_is_refused_without_trust_and_converts(name: str, tmp_path: Path) -> None:
    from skmetalpka.exceptions import ModelFileError
    from skmetalpka.persistence import load_model, save_model

    path = DATA / f"legacy_v010_{name}.joblib"
    with pytest.raises(ModelFileError, match="pickle .* trusted=True"):
        load_model(path)
    model, meta = load_model(path, trusted=True, return_meta=True)
    out = tmp_path / f"{name}.skmodel"
    save_model(model, out, model=meta["model"], trained_on=meta["trained_on"])
    X = pd.read_csv(io.StringIO(TINY))[["metal", "smiles"]]
    expected = np.load(DATA / f"legacy_v010_{name}_pred.npy")
    np.testing.assert_array_equal(load_model(out).predict(X), expected)
