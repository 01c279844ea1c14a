"""Tests for DataReport and get_data_home."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skmetalpka.datasets import DataReport, get_data_home


def _excluded(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {"row": range(n), "value": [np.nan] * n, "reason": ["bad"] * n, "detail": ["x"] * n}
    )


def test_check_passes_when_counts_add_up():
    rep = DataReport("src", n_read=5, n_kept=3, dropped={"bad": 2}, excluded=_excluded(2))
    assert rep.check() is rep
    assert rep.n_dropped == 2


def test_check_raises_when_a_record_is_lost():
    rep = DataReport("src", n_read=5, n_kept=2, dropped={"bad": 2}, excluded=_excluded(2))
    with pytest.raises(ValueError, match="does not add up: read 5 records but kept 2"):
        rep.check()


def test_check_raises_when_excluded_rows_missing():
    rep = DataReport("src", n_read=5, n_kept=3, dropped={"bad": 2}, excluded=_excluded(1))
    with pytest.raises(ValueError, match="excluded holds 1 rows but 2 records"):
        rep.check()


def test_check_raises_on_negative_count():
    rep = DataReport("src", n_read=1, n_kept=1, modified={"x": -1})
    with pytest.raises(ValueError, match="negative"):
        rep.check()


def test_empty_report_checks():
    rep = DataReport("src")
    rep.check()
    assert list(rep.excluded.columns) == ["reason", "detail"]


def test_to_dict_is_json_serialisable_with_nan_and_numpy_ints():
    rep = DataReport(
        "src",
        n_read=np.int64(4),
        n_kept=2,
        dropped={"bad": np.int64(2)},
        modified={"salt_stripped": 1},
        excluded=_excluded(2),
        notes=["a note"],
        n_samples=2,
    )
    d = json.loads(json.dumps(rep.to_dict()))
    assert d["n_read"] == 4 and d["n_kept"] == 2 and d["n_dropped"] == 2
    assert d["dropped"] == {"bad": 2}
    assert d["modified"] == {"salt_stripped": 1}
    assert d["excluded"][0]["value"] is None  # NaN -> null
    assert d["excluded"][1]["row"] == 1
    assert d["notes"] == ["a note"] and d["n_samples"] == 2


def test_str_lists_counts_reasons_and_notes():
    rep = DataReport(
        "file.csv",
        n_read=4,
        n_kept=2,
        dropped={"duplicate": 1, "invalid_smiles": 1},
        modified={"salt_stripped": 3},
        excluded=_excluded(2),
        notes=["hello"],
        n_samples=2,
    )
    text = str(rep)
    assert text.splitlines()[0] == "Data report: file.csv"
    assert "read 4, kept 2, dropped 2" in text
    assert "duplicate: 1" in text and "invalid_smiles: 1" in text
    assert "salt_stripped: 3" in text
    assert "- hello" in text
    assert "report.excluded" in text


def test_get_data_home_argument_env_and_default(tmp_path, monkeypatch):
    monkeypatch.setenv("SKMETALPKA_DATA_HOME", str(tmp_path / "env"))
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    assert get_data_home() == tmp_path / "env"
    monkeypatch.delenv("SKMETALPKA_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == tmp_path / "home" / "skmetalpka_data"
    assert get_data_home("~/x") == Path(str(tmp_path / "home" / "x"))
    # nothing is created by merely asking
    assert not (tmp_path / "env").exists()
    assert not (tmp_path / "home").exists()
