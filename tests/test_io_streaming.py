"""Streaming prediction (io.iter_csv, io.predict_csv, ``predict --chunksize``), model-file
versions and bit-identical round trips, and the extrapolation warning for unseen metals."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from conftest import rewrite_model_file

from skmetalpka import default_pipeline, load_minteq
from skmetalpka.baselines import MetalMeanRegressor
from skmetalpka.cli import main
from skmetalpka.io import (
    InputError,
    ModelVersionWarning,
    iter_csv,
    iter_prediction_input,
    load_beta_table,
    load_model,
    predict_csv,
    predict_frame,
    read_csv,
    read_prediction_input,
    row_warnings,
    save_model,
    training_metals,
)

#: Every awkward thing at once: BOM, CRLF, quoted comma and line break, blank line, short line.
MESSY = (
    b"\xef\xbb\xbfMetal,SMILES,note\r\n"
    b'Cu2+,NCCN,"a, b"\r\n'
    b"\r\n"
    b'Ni2+,NCC(=O)O,"two\r\nlines"\r\n'
    b"Zn2+\r\n"
    b"Xx9+,NCCN,x\r\n"
    b"La3+,OC(=O)C(=O)O,y\r\n"
)


@pytest.fixture()
def mean_model(tiny_csv):
    X, y = load_beta_table(tiny_csv)
    return MetalMeanRegressor().fit(X, y)


@pytest.mark.parametrize("chunksize", [1, 2, 3, 100])
def test_iter_csv_chunks_concatenate_to_read_csv(tmp_path, chunksize):
    p = tmp_path / "messy.csv"
    p.write_bytes(MESSY)
    chunks = list(iter_csv(p, chunksize=chunksize))
    assert [len(c) for c in chunks][:-1] == [chunksize] * (len(chunks) - 1)
    whole = pd.concat(chunks)
    assert whole.index.tolist() == list(range(5))  # rows numbered across chunks
    pd.testing.assert_frame_equal(whole.reset_index(drop=True), read_csv(p))
    assert read_csv(p)["note"].tolist() == ["a, b", "two\r\nlines", "", "x", "y"]


def test_iter_csv_trailing_separator_checked_in_every_chunk(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(b"metal,smiles\nCu2+,NCCN,\nNi2+,N,\nZn2+,N,oops\n")
    it = iter_csv(p, chunksize=2)
    first = next(it)
    assert first.to_dict("list") == {"metal": ["Cu2+", "Ni2+"], "smiles": ["NCCN", "N"]}
    with pytest.raises(
        InputError, match="every data line has 3 fields but the header names only 2"
    ):
        next(it)


def test_iter_csv_arguments_and_header_only(tmp_path):
    p = tmp_path / "h.csv"
    p.write_bytes(b"metal,smiles\n")
    chunks = list(iter_prediction_input(p, chunksize=5))
    assert len(chunks) == 1 and chunks[0].empty and list(chunks[0].columns) == ["metal", "smiles"]
    with pytest.raises(ValueError, match="chunksize must be a positive integer"):
        next(iter_csv(p, chunksize=0))


@pytest.mark.parametrize("chunksize", [1, 2, 4, 10_000])
def test_predict_csv_matches_predict_frame_for_any_chunk_size(tmp_path, mean_model, chunksize):
    p = tmp_path / "in.csv"
    p.write_bytes(MESSY)
    expected = predict_frame(mean_model, read_prediction_input(p), known_metals=["Cu2+", "Ni2+"])
    dest = tmp_path / "out" / "pred.csv"
    counts = predict_csv(
        mean_model, p, dest, chunksize=chunksize, known_metals=["Cu2+", "Ni2+"], n_steps=2
    )
    got = pd.read_csv(dest, dtype=str, keep_default_na=False)
    assert counts == {"n_rows": 5, "n_errors": 2, "n_warnings": 1}
    exp = expected.astype(str).replace("nan", "")
    assert got["error"].tolist() == exp["error"].tolist()
    assert got["warning"].tolist() == ["", "", "", "", exp["warning"].iloc[4]]
    assert "La3+ was not in the training data" in got["warning"].iloc[4]
    np.testing.assert_allclose(
        got[["log_beta_1", "log_beta_2"]].replace("", "nan").astype(float).to_numpy(),
        expected[["log_beta_1", "log_beta_2"]].to_numpy(),
    )
    # the same through a stream
    buf = io.StringIO()
    predict_csv(mean_model, p, buf, chunksize=chunksize, known_metals=["Cu2+", "Ni2+"], n_steps=2)
    assert buf.getvalue() == dest.read_text(encoding="utf-8")


def test_predict_csv_error_deep_in_file_leaves_no_partial_output(tmp_path, mean_model):
    p = tmp_path / "in.csv"
    p.write_bytes(b"metal,smiles\n" + b"Cu2+,NCCN\n" * 5 + b"Ni2+,N,extra\n")
    dest = tmp_path / "pred.csv"
    with pytest.raises(InputError, match="not a valid CSV"):
        predict_csv(mean_model, p, dest, chunksize=2)
    assert not [f for f in tmp_path.iterdir() if "pred" in f.name]  # no output, no temp file


def test_row_warnings_and_training_metals():
    assert row_warnings(["Cu(II)", "La3+", "Xx9+", None], ["Cu2+"]) == [
        "",
        "metal La3+ was not in the training data: predicted from its descriptors (extrapolation)",
        "",  # not a metal at all: its error says so
        "",
    ]
    assert row_warnings(["La3+"], None) == [""]
    X, y = load_minteq()
    pipe = default_pipeline(max_epochs=1, hidden_dim=16, heads=2, encoder_depth=1).fit(X, y)
    assert training_metals(pipe) == sorted(set(X["metal"]))
    assert training_metals(MetalMeanRegressor()) is None


def test_gnn_save_load_predictions_are_bit_identical(tmp_path):
    X, y = load_minteq()
    pipe = default_pipeline(max_epochs=2, hidden_dim=16, heads=2, encoder_depth=1).fit(X, y)
    path = tmp_path / "gnn.skmodel"
    meta = save_model(pipe, path, model="gnn", trained_on="minteq")
    assert meta["trained_metals"] == sorted(set(X["metal"]))
    back = load_model(path)
    before, after = pipe.predict(X), back.predict(X)
    assert before.tobytes() == after.tobytes()


def test_compact_half_precision_file_is_smaller_and_round_trips(tmp_path):
    X, y = load_minteq()
    pipe = default_pipeline(max_epochs=2, hidden_dim=32, heads=2, encoder_depth=1).fit(X, y)
    full, half = tmp_path / "full.skmodel", tmp_path / "half.skmodel"
    save_model(pipe, full, model="gnn", trained_on="minteq", compact=True)
    save_model(pipe, half, model="gnn", trained_on="minteq", compact=True, half_precision=True)
    assert half.stat().st_size < 0.7 * full.stat().st_size
    exact, rounded = load_model(full).predict(X), load_model(half).predict(X)
    assert exact.tobytes() == pipe.predict(X).tobytes()  # compact alone changes nothing
    assert 0 < np.abs(rounded - exact).max() < 0.05  # float16 weights: a small rounding
    again = tmp_path / "again.skmodel"
    save_model(load_model(half), again, model="gnn", trained_on="minteq")
    assert load_model(again).predict(X).tobytes() == rounded.tobytes()  # stable from then on
    net = load_model(half)[-1]
    assert all(p.dtype == torch.float32 for p in net.module_.parameters())


def test_loading_a_model_from_other_versions_warns(tmp_path, mean_model):
    path = tmp_path / "m.skmodel"
    save_model(mean_model, path, model="mean", trained_on="tiny")

    def older(doc):
        doc["meta"]["skmetalpka_version"] = "0.0.1"
        doc["meta"]["torch_version"] = "1.0.0"

    rewrite_model_file(path, older)
    with pytest.warns(
        ModelVersionWarning, match=r"skmetalpka 0\.0\.1 \(installed: .*torch 1\.0\.0"
    ):
        load_model(path)
    save_model(mean_model, path, model="mean", trained_on="tiny")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelVersionWarning)
        load_model(path)  # same versions: silent


def test_cli_predict_steps_chunksize_and_version_warning(tmp_path, capsys):
    model = tmp_path / "mean.skmodel"
    assert main(["fit", "--data", "minteq", "--model", "mean", "--out", str(model), "-q"]) == 0
    capsys.readouterr()
    src = tmp_path / "in.csv"
    src.write_text("metal,smiles\nCu2+,NCCN\nLa3+,NCCN\nNi2+,NCC(=O)O\n", encoding="utf-8")
    assert (
        main(
            [
                "predict",
                "--model",
                str(model),
                "--input",
                str(src),
                "--steps",
                "2",
                "--chunksize",
                "1",
            ]
        )
        == 0
    )
    out, err = capsys.readouterr()
    frame = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False)
    assert list(frame.columns) == [
        "metal",
        "smiles",
        "log_beta_1",
        "log_beta_2",
        "error",
        "warning",
    ]
    assert frame["warning"].tolist()[1].startswith("metal La3+ was not in the training data")
    assert "3 of 3 rows" in err and "1 with warnings" in err
    assert main(["predict", "--model", str(model), "--input", str(src), "--steps", "9"]) == 2
    assert "trained for log beta_1..log beta_5; use --steps 5 or less" in capsys.readouterr().err
    assert main(["predict", "--model", str(model), "--input", str(src), "--chunksize", "0"]) == 2
    rewrite_model_file(model, lambda doc: doc["meta"].update(skmetalpka_version="0.0.1"))
    assert main(["predict", "--model", str(model), "--smiles", "NCCN", "--metal", "Cu2+"]) == 0
    err = capsys.readouterr().err
    assert "skmetalpka: warning: model file" in err and "skmetalpka 0.0.1" in err
