"""Model files that hold no code (skmetalpka.persistence).

Every model kind round-trips bit for bit; a pickle is refused unless trusted, without running;
a file that names code, has tampered arrays, is damaged or comes from a future format version is
refused with one line, without building anything; the format names no module path.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import TINY, rewrite_model_file
from sklearn.base import clone

from skmetalpka import default_pipeline
from skmetalpka._base import supports_std
from skmetalpka.baselines import (
    DescriptorTreesRegressor,
    FingerprintForestRegressor,
    GPRBeta1Regressor,
    MetalMeanRegressor,
    SeriesInterpolationRegressor,
)
from skmetalpka.cli import main
from skmetalpka.exceptions import ModelFileError
from skmetalpka.model import BlendRegressor, EnsembleRegressor, ResidualKriging
from skmetalpka.persistence import (
    UnsupportedValueError,
    fingerprint_data,
    load_model,
    save_model,
)
from skmetalpka.pipelines import ProtonTransferRegressor
from skmetalpka.sites import AtomSiteClassifier

SMALL = {"max_epochs": 2, "hidden_dim": 8, "heads": 2, "encoder_depth": 1, "star_layers": 1}
KINDS = [
    "gnn",
    "learned",
    "ensemble",
    "transfer",
    "gpr",
    "rf",
    "trees",
    "mean",
    "kriging",
    "blend",
    "series",
]
#: a std calibration (skmetalpka.model.calibration) in its JSON form
CALIBRATION = {
    "cells": {"transition|seen": [1.5, 0.2, 40]},
    "pooled": {"seen": [1.4, 0.25, 60], "unseen": [2.0, 0.8, 30]},
}


def _tiny() -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(io.StringIO(TINY))
    return frame[["metal", "smiles"]], frame[["log_beta_1", "log_beta_2"]].to_numpy()


X, Y = _tiny()
XP = pd.DataFrame({"metal": ["H+"] * 3, "smiles": ["NCCN", "NCC(=O)O", "OC(=O)C(=O)O"]})
YP = np.array([[9.9, 16.8], [9.6, 12.0], [4.2, 5.4]])
#: lanthanide rows for the series interpolation (TINY has no series metal)
XS = pd.DataFrame(
    {"metal": ["La3+", "Ce3+", "Nd3+", "Sm3+", "Pr3+"], "smiles": ["OC(=O)CO"] * 4 + ["NCC(=O)O"]}
)
YS = np.array([[2.2, 4.0], [2.3, 4.1], [2.5, np.nan], [2.7, 4.6], [3.3, np.nan]])


@pytest.fixture(scope="module")
def models() -> dict[str, Any]:
    """One small fitted model of every kind (a few seconds in all)."""
    site = AtomSiteClassifier(hidden_dim=8, depth=1, epochs=2).fit(
        ["NCCN", "NCC(=O)O"], [[1, 0, 0, 1], [1, 0, 0, 0, 1]]
    )
    learned = default_pipeline(site_method="learned", **SMALL)
    learned.set_params(sites__site_model=site)
    out = {
        "gnn": default_pipeline(**SMALL).fit(X, Y),
        "learned": learned.fit(X, Y),
        "ensemble": EnsembleRegressor(
            default_pipeline(**SMALL), n_members=2, std_calibration=CALIBRATION
        ).fit(X, Y),
        "transfer": ProtonTransferRegressor(default_pipeline(**SMALL), mode="joint").fit(
            X, Y, proton_X=XP, proton_y=YP
        ),
        "gpr": GPRBeta1Regressor(all_steps=True, random_state=0).fit(X, Y),
        "rf": FingerprintForestRegressor(n_estimators=4, random_state=0).fit(X, Y),
        "trees": DescriptorTreesRegressor(n_estimators=4, random_state=0).fit(X, Y),
        "mean": MetalMeanRegressor().fit(X, Y),
        "kriging": ResidualKriging(
            EnsembleRegressor(default_pipeline(**SMALL), n_members=2), min_rows=2
        ).fit(X, Y),
        "blend": BlendRegressor(
            [
                ("ens", EnsembleRegressor(default_pipeline(**SMALL), n_members=2)),
                ("gpr", GPRBeta1Regressor(random_state=0)),
            ],
            weights=[2.0, 1.0],
            unseen_metal_weights=[1.0, 0.0],
            std_calibration=CALIBRATION,
        ).fit(X, Y),
        "series": SeriesInterpolationRegressor().fit(XS, YS),
    }
    return out


def _document(path: Path) -> tuple[dict, dict]:
    from safetensors.numpy import load

    with zipfile.ZipFile(path) as archive:
        doc = json.loads(archive.read("model.json"))
        arrays = load(archive.read("arrays.safetensors"))
    doc["meta"].pop("created")
    return doc, arrays


# --------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("name", KINDS)
def test_every_model_kind_round_trips_bit_identically(models, name, tmp_path):
    model = models[name]
    path = tmp_path / f"{name}.skmodel"
    meta = save_model(model, path, model=name, trained_on="tiny", n_samples=len(X))
    back, meta_back = load_model(path, return_meta=True)
    assert meta_back == meta and meta["file_format"] == "skmodel" and meta["format_version"] == 2
    assert type(back) is type(model)
    assert back.predict(X).tobytes() == model.predict(X).tobytes()
    if name == "series":  # TINY has no series metal: compare the interpolated rows too
        query = XS.assign(metal=["La3+", "Ce3+", "Pr3+", "Nd3+", "Gd3+"])
        assert np.isfinite(model.predict(query)[:4, 0]).all()
        assert back.predict(query).tobytes() == model.predict(query).tobytes()
    if supports_std(model):
        assert back.predict(X, return_std=True)[1].tobytes() == (
            model.predict(X, return_std=True)[1].tobytes()
        )
    assert sorted(back.get_params(deep=False)) == sorted(model.get_params(deep=False))
    clone(back)  # parameters are plain again
    # saving the loaded model again writes the same document and arrays: nothing was lost
    again = tmp_path / f"{name}_again.skmodel"
    save_model(back, again, model=name, trained_on="tiny", n_samples=len(X))
    (doc1, arr1), (doc2, arr2) = _document(path), _document(again)
    assert doc1 == doc2
    assert arr1.keys() == arr2.keys()
    assert all(arr1[k].tobytes() == arr2[k].tobytes() for k in arr1)


def test_compact_and_half_precision(models, tmp_path):
    pipe = models["gnn"]
    full, half = tmp_path / "full.skmodel", tmp_path / "half.skmodel"
    save_model(pipe, full, model="gnn", trained_on="tiny")
    save_model(pipe, half, model="gnn", trained_on="tiny", compact=True, half_precision=True)
    doc_full, arrays_full = _document(full)
    doc_half, arrays_half = _document(half)
    net_full = doc_full["estimator"]["$object"]["params"]["steps"][3]["$tuple"][1]["$object"]
    net_half = doc_half["estimator"]["$object"]["params"]["steps"][3]["$tuple"][1]["$object"]
    assert "history_" in net_full["state"] and "history_" not in net_half["state"]
    assert net_half["state"]["half_storage_"] is True
    weights = [k for k in arrays_half if k.endswith(".weight")]
    assert weights and all(arrays_half[k].dtype == np.float16 for k in weights)
    assert all(arrays_full[k].dtype == np.float32 for k in weights)
    back = load_model(half)
    assert all(
        p.dtype.is_floating_point and p.dtype.itemsize == 4 for p in back[-1].module_.parameters()
    )
    rounded = back.predict(X)
    assert 0 < np.abs(rounded - pipe.predict(X)).max() < 0.05
    again = tmp_path / "again.skmodel"
    save_model(back, again, model="gnn", trained_on="tiny")  # keeps float16, same predictions
    assert load_model(again).predict(X).tobytes() == rounded.tobytes()
    assert _document(again)[1][weights[0]].dtype == np.float16


def test_a_loaded_network_continues_training_like_the_original(models, tmp_path):
    import copy

    import torch

    path = tmp_path / "m.skmodel"
    save_model(models["gnn"], path, model="gnn", trained_on="tiny")  # history and optimiser
    original, back = copy.deepcopy(models["gnn"]), load_model(path)
    results = []
    for pipe in (original, back):
        torch.manual_seed(0)
        pipe[-1].partial_fit(pipe[:-1].transform(X), Y)
        results.append(pipe.predict(X))
    assert results[0].tobytes() == results[1].tobytes()
    compact = tmp_path / "compact.skmodel"
    save_model(models["gnn"], compact, model="gnn", trained_on="tiny", compact=True)
    fresh = load_model(compact)  # no optimiser state: starts a fresh optimiser
    fresh[-1].partial_fit(fresh[:-1].transform(X), Y)
    assert np.isfinite(fresh.predict(X)).all()


def test_fingerprint_and_unknown_attribute(models, tmp_path):
    fp = fingerprint_data(X, Y)
    assert fp.startswith("sha256:") and fp == fingerprint_data(X.copy(), Y.copy())
    changed = Y.copy()
    changed[0, 0] += 1e-9
    assert fingerprint_data(X, changed) != fp
    meta = save_model(
        models["mean"], tmp_path / "m.skmodel", model="mean", trained_on="t", data_fingerprint=fp
    )
    assert load_model(tmp_path / "m.skmodel", return_meta=True)[1]["data_fingerprint"] == fp
    assert meta["data_fingerprint"] == fp
    model = clone(models["mean"]).fit(X, Y)
    model.calibration_ = 1.0  # a fitted attribute the format does not know: never lost silently
    with pytest.raises(UnsupportedValueError, match="'calibration_'"):
        save_model(model, tmp_path / "x.skmodel", model="mean", trained_on="t")


def test_estimators_the_format_does_not_hold_need_a_pickle(tmp_path):
    from sklearn.linear_model import LinearRegression

    est = LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0])
    target = tmp_path / "lr.skmodel"
    target.write_bytes(b"old")
    with pytest.raises(UnsupportedValueError, match="file_format='pickle'"):
        save_model(est, target, model="lr", trained_on="t")
    assert target.read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1
    save_model(est, tmp_path / "lr.joblib", model="lr", trained_on="t", file_format="pickle")
    with pytest.raises(ModelFileError, match="pickle"):
        load_model(tmp_path / "lr.joblib")
    assert load_model(tmp_path / "lr.joblib", trusted=True).predict([[2.0]])[0] == pytest.approx(2)


# --------------------------------------------------------------------------- pickles
class _MakesMarker:
    """Unpickling this creates the folder ``path`` (stands for any code a pickle can run)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (str(self.path),))


def test_malicious_pickle_is_refused_without_running(tmp_path, capsys):
    marker = tmp_path / "marker"
    evil = tmp_path / "model.skmodel"  # the name does not matter: the content decides
    evil.write_bytes(pickle.dumps({"meta": {}, "estimator": _MakesMarker(marker)}))
    with pytest.raises(ModelFileError, match=r"pickle .* runs any code .* trusted=True"):
        load_model(evil)
    assert not marker.exists()
    assert main(["predict", "--model", str(evil), "--smiles", "NCCN", "--metal", "Cu2+"]) == 2
    err = capsys.readouterr().err
    assert "--trust-pickle" in err and len(err.strip().splitlines()) == 1
    assert not marker.exists()
    # the marker works: trusting the file runs its code (then finds no model in it)
    with pytest.raises(ModelFileError):
        load_model(evil, trusted=True)
    assert marker.is_dir()


# --------------------------------------------------------------------------- tampered files
def _net(doc: dict) -> dict:
    return doc["estimator"]["$object"]["params"]["steps"][3]["$tuple"][1]["$object"]


def _edits() -> dict[str, Any]:
    """name -> (model kind, edit of the document or None, edit of the arrays or None, match)."""

    def kind(doc):
        doc["estimator"]["$object"]["kind"] = "os.system"
        doc["estimator"]["$object"]["params"] = {"command": "mkdir MARKER"}

    def callable_param(doc):
        _net(doc)["params"]["module"] = {"$callable": "os.system"}

    def unknown_tag(doc):
        doc["estimator"]["$object"]["params"]["on_error"] = {"$reduce": ["os.system", ["x"]]}

    def dunder_state(doc):
        doc["estimator"]["$object"]["state"]["__class__"] = "x"

    def extra_param(doc):
        doc["estimator"]["$object"]["params"]["evil"] = 1

    def cache_folder(doc):
        doc["estimator"]["$object"]["params"]["memory"] = "/tmp/cache"

    def missing_array(arrays):
        arrays.pop(sorted(arrays)[0])

    def extra_array(arrays):
        arrays["stowaway"] = np.zeros(3)

    def wrong_shape(arrays):
        name = next(k for k in arrays if k.endswith("head.0.weight"))
        arrays[name] = np.zeros((3, 3), dtype=np.float32)

    def tree_field(field: str, value: int):
        def edit(arrays):
            name = next(k for k in arrays if k.endswith(f"/{field}"))
            arrays[name] = arrays[name].copy()
            inner = np.flatnonzero(arrays[name] != -1 if field != "feature" else arrays[name] >= 0)
            arrays[name][inner[0]] = value

        return edit

    def foreign_tree(doc):
        # an extra-trees ensemble holding a random forest's tree kind (every tree relabelled)
        def walk(node) -> int:
            if isinstance(node, list):
                return sum(walk(v) for v in node)
            if not isinstance(node, dict):
                return 0
            hit = node.get("kind") == "sklearn.ExtraTreeRegressor"
            if hit:
                node["kind"] = "sklearn.DecisionTreeRegressor"
            return hit + sum(walk(v) for v in node.values())

        assert walk(doc["estimator"]) > 1

    def gp_factor(arrays):
        name = next(k for k in arrays if k.endswith("/L_"))
        arrays[name] = arrays[name][:-1]

    return {
        "kind os.system": ("mean", kind, None, "not one of the estimators"),
        "callable os.system": ("gnn", callable_param, None, "not one of the classes"),
        "unknown tag": ("mean", unknown_tag, None, "unknown tag '\\$reduce'"),
        "dunder attribute": ("mean", dunder_state, None, "no stored attribute '__class__'"),
        "extra parameter": ("mean", extra_param, None, "cannot build MetalMeanRegressor"),
        "pipeline cache": ("gnn", cache_folder, None, "cache folder"),
        "missing array": ("mean", None, missing_array, "is not in the file"),
        "extra array": ("mean", None, extra_array, "'stowaway' is not named"),
        "weight shape": ("gnn", None, wrong_shape, "does not match its weights"),
        "tree cycle": ("rf", None, tree_field("left_child", 0), "points back"),
        "tree feature": ("rf", None, tree_field("feature", 10**6), "feature out of range"),
        "gp shapes": ("gpr", None, gp_factor, "inconsistent shapes"),
        "foreign tree": ("trees", foreign_tree, None, "ExtraTreeRegressor of ExtraTreesRegressor"),
    }


@pytest.mark.parametrize("case", list(_edits()))
def test_tampered_document_or_arrays_are_refused(models, case, tmp_path, monkeypatch):
    name, edit_doc, edit_arrays, match = _edits()[case]
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "m.skmodel"
    save_model(models[name], path, model=name, trained_on="tiny")
    rewrite_model_file(path, edit_doc, edit_arrays)
    with pytest.raises(ModelFileError, match=match) as info:
        load_model(path)
    assert "\n" not in str(info.value)
    assert not (tmp_path / "MARKER").exists() and not (tmp_path / "x").exists()


def test_tampered_safetensors_header_and_extra_member_are_refused(models, tmp_path):
    path = tmp_path / "m.skmodel"
    save_model(models["mean"], path, model="mean", trained_on="tiny")
    with zipfile.ZipFile(path) as archive:
        doc, blob = archive.read("model.json"), archive.read("arrays.safetensors")
    n = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8 : 8 + n])
    name = next(k for k in header if k != "__metadata__")
    header[name]["shape"] = [10**6]  # more bytes than the file holds
    text = json.dumps(header).encode()
    bad = len(text).to_bytes(8, "little") + text + blob[8 + n :]
    for members in (
        {"model.json": doc, "arrays.safetensors": bad},
        {"model.json": doc, "arrays.safetensors": blob, "run.py": b"print(1)"},
    ):
        with zipfile.ZipFile(path, "w") as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        with pytest.raises(ModelFileError, match="truncated, damaged"):
            load_model(path)


def test_damaged_or_truncated_file_gives_one_line(models, tmp_path, capsys):
    good = tmp_path / "good.skmodel"
    save_model(models["rf"], good, model="rf", trained_on="tiny")
    data = good.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0xFF
    cases = [data[:n] for n in (0, 3, 100, len(data) // 2, len(data) - 1)] + [bytes(flipped)]
    for i, content in enumerate(cases):
        bad = tmp_path / f"bad{i}.skmodel"
        bad.write_bytes(content)
        with pytest.raises(ModelFileError, match="could not read model file") as info:
            load_model(bad)
        assert "\n" not in str(info.value)
        code = main(["predict", "--model", str(bad), "--smiles", "NCCN", "--metal", "Cu2+"])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_future_format_version_is_refused_by_number(models, tmp_path):
    path = tmp_path / "m.skmodel"
    save_model(models["mean"], path, model="mean", trained_on="tiny")
    rewrite_model_file(path, lambda doc: doc.update(format_version=3))
    with pytest.raises(ModelFileError, match=r"format version 3, newer than .* \(2\); upgrade"):
        load_model(path)


# --------------------------------------------------------------------------- renamed modules
def test_format_names_no_module_and_loads_after_a_module_is_renamed(models, tmp_path, monkeypatch):
    names = ["gnn", "rf", "mean"]
    for name in names:
        save_model(models[name], tmp_path / f"{name}.skmodel", model=name, trained_on="t")
        save_model(
            models[name],
            tmp_path / f"{name}.joblib",
            model=name,
            trained_on="t",
            file_format="pickle",
        )
        with zipfile.ZipFile(tmp_path / f"{name}.skmodel") as archive:
            text = archive.read("model.json").decode()
        assert "skmetalpka." not in text and "__module__" not in text and "<class" not in text
    # move every class of these models to another module; the old modules are gone
    import skmetalpka.baselines.forest
    import skmetalpka.baselines.mean
    import skmetalpka.featurize.expand
    import skmetalpka.featurize.graph
    import skmetalpka.model.regressor
    import skmetalpka.pipelines.default
    import skmetalpka.sites.predictor

    for module in (
        skmetalpka.baselines.forest,
        skmetalpka.baselines.mean,
        skmetalpka.featurize.expand,
        skmetalpka.model.regressor,
        skmetalpka.pipelines.default,
        skmetalpka.sites.predictor,
    ):
        for obj in list(vars(module).values()):
            if isinstance(obj, type) and obj.__module__ == module.__name__:
                monkeypatch.setattr(obj, "__module__", "skmetalpka.renamed")
        monkeypatch.setitem(sys.modules, module.__name__, None)
    for name in names:
        back = load_model(tmp_path / f"{name}.skmodel")
        assert back.predict(X).tobytes() == models[name].predict(X).tobytes()
        with pytest.raises(ModelFileError):  # a pickle names the old module path
            load_model(tmp_path / f"{name}.joblib", trusted=True)
