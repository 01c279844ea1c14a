"""The screen folder: atomic partition files, missing partitions, temporary files."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from skmetalpka.exceptions import InputError
from skmetalpka.scale import store


def test_atomic_write_leaves_no_partial_file_on_failure(tmp_path, monkeypatch):
    path = store.partition_path(tmp_path, "pairs", 3)
    assert path == tmp_path / "pairs" / "part-000003.parquet"
    table = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    store.write_parquet_atomic(table, path)
    pd.testing.assert_frame_equal(pd.read_parquet(path), table)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        store.write_parquet_atomic(table.iloc[:1], path)
    # the earlier complete file is untouched and no temporary file is left
    pd.testing.assert_frame_equal(pd.read_parquet(path), table)
    assert sorted(p.name for p in path.parent.iterdir()) == ["part-000003.parquet"]


def test_missing_partitions_and_temporary_files(tmp_path):
    for i in (0, 2):
        store.write_parquet_atomic(
            pd.DataFrame({"a": [i]}), store.partition_path(tmp_path, "pairs", i)
        )
    stray = tmp_path / "pairs" / ".part-000001.parquet.0123abcd.tmp"
    stray.write_bytes(b"half a file")
    assert store.missing_partitions(tmp_path, 4) == [1, 3]  # a temporary file is not a result
    assert store.remove_temporary(tmp_path) == 1
    assert not stray.exists()
    with pytest.raises(InputError, match="incomplete: 2 of 4 partitions missing"):
        list(store.iter_pairs(tmp_path, n_partitions=4))
    assert [int(t["a"].iloc[0]) for t in store.iter_pairs(tmp_path, n_partitions=1)] == [0]


def test_manifest(tmp_path):
    assert store.read_manifest(tmp_path) is None
    store.write_json_atomic(
        {"format": store.SCREEN_FORMAT, "n_partitions": 1}, tmp_path / store.MANIFEST
    )
    assert store.read_manifest(tmp_path)["n_partitions"] == 1
    (tmp_path / store.MANIFEST).write_text('{"format": "something else"}')
    with pytest.raises(InputError, match="not written by skmetalpka screen"):
        store.read_manifest(tmp_path)
    (tmp_path / "f.txt").write_bytes(b"abc")
    assert store.file_sha256(tmp_path / "f.txt") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
