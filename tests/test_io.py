"""Tests for skmetalpka.io: CSV reading, training-data layouts, row-safe prediction, model files."""

from __future__ import annotations

import io
import json
import math

import joblib
import numpy as np
import pandas as pd
import pytest

from skmetalpka.baselines import MetalMeanRegressor
from skmetalpka.io import (
    MODEL_FORMAT,
    InputError,
    ModelFileError,
    detect_layout,
    estimator_n_steps,
    load_beta_table,
    load_model,
    load_params,
    load_training_data,
    model_failure,
    predict_frame,
    predict_rows,
    read_csv,
    read_prediction_input,
    save_model,
    write_predictions,
)


@pytest.fixture()
def mean_model(tiny_csv):
    X, y = load_beta_table(tiny_csv)
    return MetalMeanRegressor().fit(X, y)


# --------------------------------------------------------------------------- read_csv
def test_read_csv_handles_bom_crlf_and_quoted_commas(tmp_path):
    p = tmp_path / "messy.csv"
    p.write_bytes(b'\xef\xbb\xbf Metal ,SMILES,note\r\nCu2+,NCCN,"a, b"\r\nNi2+,,"say ""hi"""\r\n')
    df = read_csv(p)
    assert list(df.columns) == ["Metal", "SMILES", "note"]  # BOM gone, names stripped
    assert df["note"].tolist() == ["a, b", 'say "hi"']
    assert df["SMILES"].tolist() == ["NCCN", ""]  # empty cell stays an empty string
    assert df["Metal"].tolist() == ["Cu2+", "Ni2+"]  # no trailing \r


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (None, "no file at"),
        ("dir", "is a folder"),
        (b"", "is empty"),
        (b"metal,smiles\nCu2+,caf\xe9\n", "not UTF-8"),
        (b'metal,smiles\nCu2+,"NCCN\n', "not a valid CSV"),
    ],
)
def test_read_csv_errors_are_input_errors(tmp_path, content, match):
    p = tmp_path / "x.csv"
    if content == "dir":
        p.mkdir()
    elif content is not None:
        p.write_bytes(content)
    with pytest.raises(InputError, match=match):
        read_csv(p)


# --------------------------------------------------------------------------- prediction input
def test_read_prediction_input_accepts_nist_names_and_ignores_extras(tmp_path):
    p = tmp_path / "nist.csv"
    p.write_text(
        "metal_ion,SMILES,pKa_value,extra\nCu2+,NCCN,[1.0],x\nZn2+,NCC(=O)O,[2.0],y\n",
        encoding="utf-8",
    )
    X = read_prediction_input(p)
    assert list(X.columns) == ["metal", "smiles"]
    assert X.values.tolist() == [["Cu2+", "NCCN"], ["Zn2+", "NCC(=O)O"]]


def test_read_prediction_input_conditions(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(
        "SMILES,Metal,Temperature,ionic_strength\nNCCN,Cu2+,30,\nNCCN,Cu2+,abc,0.5\n",
        encoding="utf-8",
    )
    X = read_prediction_input(p)
    assert X["temperature"].iloc[0] == 30.0
    assert X["temperature"].iloc[1] == "abc"  # kept, so that the row gets flagged
    assert math.isnan(X["ionic_strength"].iloc[0]) and X["ionic_strength"].iloc[1] == 0.5


def test_read_prediction_input_names_missing_columns(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("ion,ligand\nCu2+,NCCN\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"metal \(or metal_ion\).*smiles"):
        read_prediction_input(p)


# --------------------------------------------------------------------------- layouts
def test_detect_layout():
    assert detect_layout(["metal_ion", "SMILES", "pKa_value", "predicted_positions", "x"]) == "nist"
    assert detect_layout(["Metal", "smiles", "log_beta_1", "log_beta_2"]) == "simple"
    with pytest.raises(InputError, match=r"lacks \['log_beta_1'\].*lacks \['metal_ion'"):
        detect_layout(["metal", "smiles", "pKa_value", "predicted_positions", "SMILES"])


def test_load_beta_table_values_and_report(tiny_csv):
    X, y, rep = load_beta_table(tiny_csv, return_report=True)
    assert X["metal"].tolist() == ["Cu2+", "Cu2+", "Ni2+", "Ni2+", "Zn2+", "Zn2+"]
    assert X["smiles"].iloc[1] == "NCC(=O)O"
    np.testing.assert_array_equal(y[:, 0], [10, 8, 7, 5, 6, 4])
    assert np.isnan(y[3, 1]) and y[0, 1] == 19.0
    assert X["temperature"].isna().all()  # no column: models use standard conditions
    assert rep.n_read == 6 and rep.n_kept == 6 and rep.n_dropped == 0
    assert any("standard conditions" in n for n in rep.notes)


def test_load_beta_table_drops_are_counted(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(
        "metal,smiles,log_beta_1,log_beta_2,comment\n"
        "Cu2+,NCCN,10,19,ok\n"  # 0 kept
        ",NCCN,1,,blank metal\n"  # 1 malformed
        "Cu2+,NCC(=O)O,abc,,text value\n"  # 2 malformed
        "Ni2+,NCCN,,,nothing\n"  # 3 no_value
        "Ni2+,C1CC,3,,bad smiles\n"  # 4 invalid_smiles
        "Cu2+,C(N)CN,11,20,same ligand as row 0\n"  # 5 duplicate
        "Zn2+,NCC(=O)O.[Na+],5,,salt\n",  # 6 kept, stripped
        encoding="utf-8",
    )
    X, y, rep = load_beta_table(p, return_report=True)
    assert rep.n_read == 7 and rep.n_kept == 2
    assert rep.dropped == {"malformed_row": 2, "no_value": 1, "invalid_smiles": 1, "duplicate": 1}
    assert rep.excluded["row"].tolist() == [1, 2, 3, 4, 5]
    assert "row 0" in rep.excluded["detail"].iloc[4]
    assert rep.modified == {"salt_stripped": 1}
    assert X["smiles"].tolist() == ["NCCN", "NCC(=O)O"]
    assert X["smiles_input"].iloc[1] == "NCC(=O)O.[Na+]"
    np.testing.assert_array_equal(y, [[10, 19], [5, np.nan]])
    assert any("comment" in n for n in rep.notes)
    X2, _ = load_beta_table(p, drop_duplicates=False)
    assert len(X2) == 3


def test_load_beta_table_rejects_gaps(tmp_path):
    p = tmp_path / "g.csv"
    p.write_text("metal,smiles,log_beta_1,log_beta_3\nCu2+,NCCN,1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"lacks \['log_beta_2'\]"):
        load_beta_table(p)


def test_load_training_data_dispatch(tmp_path, tiny_csv):
    X, y, rep = load_training_data("minteq")  # None gives the corpus when the data home has it
    assert rep.source.startswith("MINTEQA2") and len(X) == y.shape[0] == 257
    X, y, rep = load_training_data(tiny_csv)
    assert rep.source == str(tiny_csv) and y.shape == (6, 2)
    nist = tmp_path / "nist.csv"
    nist.write_text(
        "metal_ion,SMILES,pKa_num,pKa_value,predicted_positions\n"
        'Cu2+,NCCN,2,"[10.5, 19.6]","[0, 3]"\n'
        "Zn2+,NCC(=O)O,1,[5.0],[]\n",
        encoding="utf-8",
    )
    X, y, rep = load_training_data(nist)
    assert "binding_sites" in X.columns and X["metal"].tolist() == ["Cu2+", "Zn2+"]
    np.testing.assert_array_equal(y, [[10.5, 19.6], [5.0, np.nan]])
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="unrecognised data layout"):
        load_training_data(bad)


# --------------------------------------------------------------------------- params
def test_load_params(tmp_path):
    assert load_params(None) == {}
    assert load_params('{"max_epochs": 2}') == {"max_epochs": 2}
    f = tmp_path / "p.json"
    f.write_text('{"hidden_dim": 16}', encoding="utf-8")
    assert load_params(f) == {"hidden_dim": 16}
    f.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="JSON object"):
        load_params(f)
    with pytest.raises(InputError, match="not valid JSON"):
        load_params("{max_epochs: 2}")
    with pytest.raises(InputError, match="no file at"):
        load_params(tmp_path / "missing.json")


# --------------------------------------------------------------------------- prediction
def test_predict_frame_keeps_order_and_flags_bad_rows(mean_model):
    X = pd.DataFrame(
        {
            "metal": ["Zn2+", "Xx9+", "Cu2+", "Ni2+", "Ni2+", "Fe3+"],
            "smiles": ["NCCN", "NCCN", "C1CC", "", "OCC(=O)O", "NCCN"],
        }
    )
    out = predict_frame(mean_model, X)
    assert list(out.columns) == ["metal", "smiles", "log_beta_1", "log_beta_2", "error", "warning"]
    assert out["metal"].tolist() == X["metal"].tolist()
    assert out["smiles"].tolist() == X["smiles"].tolist()
    errors = out["error"].tolist()
    assert errors[0] == "" and errors[4] == "" and errors[5] == ""
    assert errors[1].startswith("metal:") and "Xx9+" in errors[1]
    assert errors[2].startswith("smiles:") and "C1CC" in errors[2]
    assert "empty" in errors[3]
    np.testing.assert_allclose(out[["log_beta_1", "log_beta_2"]].iloc[0], [5.0, 11.0])
    np.testing.assert_allclose(out[["log_beta_1", "log_beta_2"]].iloc[4], [6.0, 13.0])
    # unseen metal: global means of the training table: (10+8+7+5+6+4)/6, (19+15+13+11)/4
    np.testing.assert_allclose(out[["log_beta_1", "log_beta_2"]].iloc[5], [40 / 6, 14.5])
    assert out.iloc[1:4][["log_beta_1", "log_beta_2"]].isna().all().all()


class _Picky:
    """Refuses any batch containing ethanol; predicts 1, 2 otherwise; NaN for methanol."""

    n_steps_ = 3

    def predict(self, X):
        if (X["smiles"] == "CCO").any():
            raise ValueError("I do not like ethanol\nsecond line")
        out = np.tile([1.0, 2.0], (len(X), 1))
        out[(X["smiles"] == "CO").to_numpy()] = np.nan
        return out


def test_predict_rows_falls_back_to_single_rows():
    X = pd.DataFrame({"metal": ["Cu2+"] * 4, "smiles": ["NCCN", "CCO", "CO", "NCC(=O)O"]})
    pred, errors = predict_rows(_Picky(), X)
    assert pred.shape == (4, 3)  # n_steps_ 3, model gives 2 columns: padded with NaN
    np.testing.assert_array_equal(pred[0], [1.0, 2.0, np.nan])
    np.testing.assert_array_equal(pred[3], [1.0, 2.0, np.nan])
    assert errors[0] == errors[3] == ""
    assert errors[1] == "model could not predict this row: ValueError: I do not like ethanol"
    assert errors[2] == "the model returned no prediction for this row"
    assert np.isnan(pred[1]).all() and np.isnan(pred[2]).all()


def test_model_failure_only_when_every_reached_row_failed():
    fail = "model could not predict this row: AttributeError: stale"
    assert model_failure(["metal: bad", fail, fail]) == "AttributeError: stale"
    assert model_failure(["", fail]) is None  # one row was predicted
    assert model_failure(["metal: bad", "smiles: bad"]) is None  # no row reached the model
    assert model_failure(["the model returned no prediction for this row", fail]) == (
        "AttributeError: stale"
    )
    assert model_failure([]) is None


def test_predict_rows_with_conditions_casts_valid_rows(mean_model):
    X = pd.DataFrame(
        {"metal": ["Cu2+", "Cu2+"], "smiles": ["NCCN", "NCCN"], "temperature": [30.0, "hot"]}
    )
    pred, errors = predict_rows(mean_model, X)
    assert errors[0] == "" and errors[1].startswith("temperature:")
    np.testing.assert_allclose(pred[0], [9.0, 17.0])


def test_write_predictions_stream_and_file(tmp_path, mean_model):
    X = pd.DataFrame({"metal": ["Cu2+", "Xx9+"], "smiles": ["NCCN", "NCCN"]})
    out = predict_frame(mean_model, X)
    buf = io.StringIO()
    write_predictions(out, buf)
    lines = buf.getvalue().split("\n")
    assert lines[0] == "metal,smiles,log_beta_1,log_beta_2,error,warning"
    assert lines[1] == "Cu2+,NCCN,9.0,17.0,,"
    assert lines[2].startswith("Xx9+,NCCN,,,") and "\r" not in buf.getvalue()
    target = tmp_path / "sub" / "pred.csv"
    write_predictions(out, target)
    back = pd.read_csv(target)
    assert pd.isna(back["error"].iloc[0]) and back["error"].iloc[1].startswith("metal:")
    np.testing.assert_array_equal(back["log_beta_1"], [9.0, np.nan])


# --------------------------------------------------------------------------- model files
def test_save_and_load_model_roundtrip(tmp_path, mean_model):
    path = tmp_path / "models" / "m.skmodel"
    meta = save_model(
        mean_model, path, model="mean", trained_on="tiny", n_samples=6, params={}, seed=0
    )
    assert meta["n_steps"] == 2 == estimator_n_steps(mean_model)
    assert meta["format"] == MODEL_FORMAT and meta["skmetalpka_version"]
    assert meta["sklearn_version"] and meta["torch_version"] and meta["created"].endswith("+00:00")
    json.dumps(meta)  # serialisable
    assert [p.name for p in path.parent.iterdir()] == ["m.skmodel"]  # no temp file left
    est, meta2 = load_model(path, return_meta=True)
    assert meta2 == meta
    X = pd.DataFrame({"metal": ["Ni2+"], "smiles": ["NCCN"]})
    np.testing.assert_array_equal(load_model(path).predict(X), mean_model.predict(X))


def test_load_model_errors(tmp_path, mean_model):
    with pytest.raises(ModelFileError, match="does not exist"):
        load_model(tmp_path / "none.joblib")
    with pytest.raises(ModelFileError, match="is a folder"):
        load_model(tmp_path)
    good = tmp_path / "good.skmodel"
    save_model(mean_model, good, model="mean", trained_on="tiny")
    trunc = tmp_path / "trunc.skmodel"
    trunc.write_bytes(good.read_bytes()[:100])
    with pytest.raises(ModelFileError, match="truncated, damaged"):
        load_model(trunc)
    foreign = tmp_path / "foreign.joblib"
    joblib.dump(mean_model, foreign)  # a bare pickled estimator without metadata
    with pytest.raises(ModelFileError, match="is a pickle"):
        load_model(foreign)
    with pytest.raises(ModelFileError, match="without skmetalpka metadata"):
        load_model(foreign, trusted=True)
    text = tmp_path / "text.joblib"
    text.write_text("metal,smiles\n", encoding="utf-8")
    with pytest.raises(ModelFileError, match="could not read model file"):
        load_model(text)
    assert issubclass(ModelFileError, InputError)
