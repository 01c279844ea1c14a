"""Tests for the skmetalpka command line (run in-process through main(), plus one subprocess)."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from skmetalpka.cli import _MODELS, main
from skmetalpka.datasets import load_minteq
from skmetalpka.io import load_model, load_training_data, save_model
from skmetalpka.pipelines import MODEL_NAMES
from skmetalpka.selection import build_model, grouped_cv

# BOM, CRLF, quoted commas in an extra column, NIST-style header names, and bad rows
MESSY = (
    b"\xef\xbb\xbfmetal_ion,SMILES,comment\r\n"
    b'Cu2+,NCCN,"ethylenediamine, en"\r\n'
    b'Cu2+,C1CC,"broken ring, on purpose"\r\n'
    b"Xx9+,NCCN,no such metal\r\n"
    b'Ni2+,,"empty, smiles"\r\n'
    b"Ni2+,NCC(=O)O,glycine\r\n"
)


@pytest.fixture(scope="module")
def minteq_mean_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "mean.skmodel"
    assert main(["fit", "--data", "minteq", "--model", "mean", "--out", str(path), "--quiet"]) == 0
    return path


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err


def test_console_script_help():
    exe = shutil.which("skmetalpka")
    assert exe is not None, "the skmetalpka console script is not installed (pip install -e .)"
    proc = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for cmd in ("fit", "predict", "evaluate", "cv"):
        assert cmd in proc.stdout


def test_version_names_the_libraries(capsys):
    import skmetalpka

    assert main(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"skmetalpka {skmetalpka.__version__} (torch ")
    for name in ("scikit-learn", "RDKit", "torch-geometric", "Python"):
        assert f"{name} " in out


def test_pickled_model_needs_trust_pickle(tmp_path, capsys):
    model = tmp_path / "old.joblib"
    save_model(_fitted_mean(), model, model="mean", trained_on="t", file_format="pickle")
    args = ["predict", "--model", str(model), "--smiles", "NCCN", "--metal", "Cu2+"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "is a pickle" in err and "--trust-pickle" in err and len(err.splitlines()) == 1
    assert main([*args, "--trust-pickle"]) == 0
    assert "Cu2+,NCCN," in capsys.readouterr().out
    rank = ["rank", "--model", str(model), "--smiles", "NCCN", "--metals", "Cu2+,Ni2+"]
    assert main(rank) == 2 and main([*rank, "--trust-pickle"]) == 0


def _fitted_mean():
    from skmetalpka.baselines import MetalMeanRegressor

    X, y = load_minteq()
    return MetalMeanRegressor().fit(X, y)


def test_model_choices_match_the_library():
    assert tuple(_MODELS) == tuple(MODEL_NAMES)


def test_fit_default_data_prints_report_and_saves_metadata(tmp_path, capsys):
    out = tmp_path / "m.skmodel"
    assert main(["fit", "--data", "minteq", "--model", "mean", "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert "Data report: MINTEQA2" in stdout
    assert f"saved mean model (trained on 257 samples, N = 5) to {out}" in stdout
    est, meta = load_model(out, return_meta=True)
    assert meta["model"] == "mean" and meta["n_steps"] == 5 and meta["n_samples"] == 257
    assert meta["trained_on"].startswith("MINTEQA2") and meta["seed"] == 0
    assert meta["skmetalpka_version"] and meta["sklearn_version"] and meta["created"]
    assert meta["data_fingerprint"].startswith("sha256:")
    X, y = load_minteq()
    cu = (X["metal"] == "Cu2+").to_numpy()
    one = pd.DataFrame({"metal": ["Cu2+"], "smiles": ["NCCN"]})
    np.testing.assert_allclose(est.predict(one)[0], np.nanmean(y[cu], axis=0))


def test_predict_messy_csv_one_row_per_input_row(tmp_path, minteq_mean_model, capsys):
    src = tmp_path / "in.csv"
    src.write_bytes(MESSY)
    dst = tmp_path / "out.csv"
    code = main(
        ["predict", "--model", str(minteq_mean_model), "--input", str(src), "--output", str(dst)]
    )
    assert code == 0
    assert "predicted 2 of 5 rows" in capsys.readouterr().err
    out = pd.read_csv(dst, keep_default_na=False)
    assert list(out.columns) == [
        "metal",
        "smiles",
        *(f"log_beta_{k}" for k in range(1, 6)),
        "error",
        "warning",
    ]
    assert out["metal"].tolist() == ["Cu2+", "Cu2+", "Xx9+", "Ni2+", "Ni2+"]
    assert out["smiles"].tolist() == ["NCCN", "C1CC", "NCCN", "", "NCC(=O)O"]
    err = out["error"].tolist()
    assert err[0] == "" and err[4] == ""
    assert err[1].startswith("smiles:") and "C1CC" in err[1]
    assert err[2].startswith("metal:") and "Xx9+" in err[2]
    assert err[3] == "smiles: SMILES is empty; give the ligand's SMILES"
    assert (out.loc[1:3, "log_beta_1":"log_beta_5"] == "").all().all()
    # valid rows: the per-metal means of MINTEQ
    X, y = load_minteq()
    for row, metal in ((0, "Cu2+"), (4, "Ni2+")):
        expected = np.nanmean(y[(X["metal"] == metal).to_numpy()], axis=0)
        got = out.loc[row, "log_beta_1":"log_beta_5"].astype(float).to_numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_predict_single_ligand_to_stdout(minteq_mean_model, capsys):
    code = main(
        ["predict", "--model", str(minteq_mean_model), "--smiles", "NCCN", "--metal", "Xx9+", "-q"]
    )
    assert code == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().split("\n")
    assert lines[0].startswith("metal,smiles,log_beta_1,") and lines[0].endswith(",error,warning")
    assert len(lines) == 2 and lines[1].startswith("Xx9+,NCCN,,,,,,")
    assert captured.err == ""  # --quiet


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--input", "x.csv", "--smiles", "NCCN", "--metal", "Cu2+"], "not both"),
        ([], "give --input CSV, or --smiles S with --metal M"),
        (["--smiles", "NCCN"], "--smiles and --metal go together"),
        (["--input", "does_not_exist.csv"], "no file at 'does_not_exist.csv'"),
    ],
)
def test_predict_argument_errors_exit_2(minteq_mean_model, capsys, extra, message):
    assert main(["predict", "--model", str(minteq_mean_model), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err
    _no_traceback(err)


def test_predict_missing_columns_and_bad_model_file_exit_2(tmp_path, minteq_mean_model, capsys):
    src = tmp_path / "in.csv"
    src.write_text("ion,ligand\nCu2+,NCCN\n", encoding="utf-8")
    assert main(["predict", "--model", str(minteq_mean_model), "--input", str(src)]) == 2
    err = capsys.readouterr().err
    assert "lacks the required column(s) ['metal (or metal_ion)', 'smiles']" in err
    broken = tmp_path / "broken.skmodel"
    broken.write_bytes(minteq_mean_model.read_bytes()[:64])
    assert main(["predict", "--model", str(broken), "--smiles", "NCCN", "--metal", "Cu2+"]) == 2
    err = capsys.readouterr().err
    assert "truncated, damaged or not a skmetalpka model" in err
    _no_traceback(err)


class _Stale:
    """Stands for a model pickled by other code: predict always fails."""

    n_steps_ = 2

    def predict(self, X):
        raise AttributeError("'SiteReadout' object has no attribute 'count_gate'")


def test_model_failing_on_every_row_is_refused(tmp_path, tiny_csv, capsys):
    model = tmp_path / "stale.joblib"  # only a pickle can hold a class of other code
    save_model(_Stale(), model, model="gnn", trained_on="test", file_format="pickle")
    trust = ["--trust-pickle"]
    assert main(["predict", "--model", str(model), "--input", str(tiny_csv), *trust]) == 2
    err = capsys.readouterr().err
    assert "failed on every row (AttributeError: 'SiteReadout'" in err and "train it again" in err
    _no_traceback(err)
    assert main(["evaluate", "--model", str(model), "--data", str(tiny_csv), *trust]) == 2
    assert "failed on every row" in capsys.readouterr().err


def test_unusable_arguments_exit_2(capsys):
    assert main(["fit", "--data", "minteq", "--model", "svm"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main([]) == 2
    assert main(["fit", "--data", "minteq", "--model", "rf", "--params", '{"bogus": 1}', "-q"]) == 2
    assert "invalid parameters for model 'rf'" in capsys.readouterr().err


def test_evaluate_counts_unpredicted_rows(tmp_path, tiny_csv, capsys):
    model = tmp_path / "tiny_mean.skmodel"
    assert main(["fit", "--data", str(tiny_csv), "--model", "mean", "--out", str(model), "-q"]) == 0
    data = tmp_path / "eval.csv"
    data.write_text(tiny_csv.read_text(encoding="utf-8") + "Xx9+,NCCN,3.0,\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["evaluate", "--model", str(model), "--data", str(data), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["n_rows"] == 7 and res["n_rows_unpredicted"] == 1
    assert res["unpredicted"][0]["metal"] == "Xx9+"
    beta = res["metrics"]["beta"]
    # in-sample per-metal means: beta_1 errors all 1; beta_2 errors 2, 2, 0, 0
    assert beta["steps"]["1"]["rmse"] == pytest.approx(1.0)
    assert beta["steps"]["1"]["n_missing_pred"] == 1
    assert beta["steps"]["2"]["rmse"] == pytest.approx(math.sqrt(2.0))
    assert beta["all"]["n"] == 10 and beta["all"]["rmse"] == pytest.approx(math.sqrt(1.4))
    assert res["model"]["model"] == "mean" and res["data"]["n_read"] == 7
    assert main(["evaluate", "--model", str(model), "--data", str(data)]) == 0
    text = capsys.readouterr().out
    assert "rows: 7; could not be predicted: 1" in text
    assert "beta_2" in text and "logK_2" in text


@pytest.mark.parametrize("name", ["rf", "trees"])
def test_cli_and_library_give_the_same_predictions(tmp_path, tiny_csv, name):
    model = tmp_path / f"{name}.skmodel"
    params = '{"n_estimators": 5}'
    args = ["fit", "--data", str(tiny_csv), "--model", name, "--params", params]
    assert main([*args, "--seed", "3", "--out", str(model), "-q"]) == 0
    out = tmp_path / "pred.csv"
    assert (
        main(
            ["predict", "--model", str(model), "--input", str(tiny_csv), "--output", str(out), "-q"]
        )
        == 0
    )
    cli = pd.read_csv(out)[["log_beta_1", "log_beta_2"]].to_numpy()
    X, y, _ = load_training_data(tiny_csv)
    lib = build_model(name, {"n_estimators": 5}, random_state=3).fit(X, y).predict(X)
    np.testing.assert_allclose(cli, lib, rtol=1e-12)
    assert np.isfinite(cli).all()


def test_cv_minteq_mean_and_rf_by_metal(capsys):
    params = '{"rf": {"n_estimators": 5}}'
    args = [
        "cv",
        "--data",
        "minteq",
        "--model",
        "mean,rf",
        "--groups",
        "metal",
        "--folds",
        "3",
        "--params",
        params,
    ]
    assert main([*args, "--seed", "0", "--json", "-q"]) == 0
    d = json.loads(capsys.readouterr().out)
    X, y = load_minteq()
    lib = grouped_cv(
        {"mean": build_model("mean"), "rf": build_model("rf", {"n_estimators": 5}, random_state=0)},
        X,
        y,
        groups="metal",
        n_splits=3,
    )
    assert d["groups"] == "metal" and d["n_groups"] == 22 and d["n_splits"] == 3
    assert d["fold_sizes"] == lib.fold_sizes and sum(d["fold_sizes"]) == 257
    assert d["params"] == {"mean": {}, "rf": {"n_estimators": 5}} and d["seed"] == 0
    for name in ("mean", "rf"):
        assert d["models"][name]["metrics"] == lib.metrics[name]
        assert d["models"][name]["metrics"]["beta"]["all"]["n"] == 433
    # the forest beats the per-metal mean when whole metals are held out
    rmse = {n: d["models"][n]["metrics"]["beta"]["all"]["rmse"] for n in ("mean", "rf")}
    assert rmse["rf"] < rmse["mean"]
    # parameters for a model that is not run are an argument error
    assert main(["cv", "--data", "minteq", "--model", "mean", "--params", params, "-q"]) == 2
    assert "not being run" in capsys.readouterr().err
    assert main(["cv", "--data", "minteq", "--model", "mean,svm", "-q"]) == 2
    assert "unknown model(s) ['svm']" in capsys.readouterr().err


def test_cv_report_dir_and_text_output(tmp_path, capsys):
    report = tmp_path / "report"
    code = main(
        [
            "cv",
            "--data",
            "minteq",
            "--model",
            "mean",
            "--groups",
            "ligand",
            "--folds",
            "3",
            "--report",
            str(report),
            "--params",
            '{"mean": {}}',
            "-q",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "3-fold GroupKFold by ligand: 257 samples, 30 groups" in text
    assert "beta_1" in text and "all" in text
    metrics = json.loads((report / "metrics.json").read_text(encoding="utf-8"))
    assert list(metrics["models"]) == ["mean"] and metrics["data"]["n_samples"] == 257
    md = (report / "report.md").read_text(encoding="utf-8")
    assert "## mean" in md and "| beta_1 | 252 | 0 |" in md
    for png in ("parity_mean.png", "residuals_mean.png", "per_step_rmse.png", "per_metal_rmse.png"):
        assert (report / png).read_bytes()[:4] == b"\x89PNG"
    # too many folds for the groups, flat params with several models: argument errors
    assert (
        main(
            [
                "cv",
                "--data",
                "minteq",
                "--model",
                "mean",
                "--groups",
                "metal",
                "--folds",
                "30",
                "-q",
            ]
        )
        == 2
    )
    assert "cannot make 30 folds from 22 group" in capsys.readouterr().err
    assert (
        main(["cv", "--data", "minteq", "--model", "all", "--params", '{"n_estimators": 5}', "-q"])
        == 2
    )
    assert "keyed by model name" in capsys.readouterr().err
    assert main(["cv", "--data", "minteq", "--model", "mean", "--folds", "1", "-q"]) == 2


def test_tiny_gnn_fit_and_predict_matches_library(tmp_path, capsys):
    params = tmp_path / "gnn.json"
    params.write_text('{"max_epochs": 2, "hidden_dim": 16}', encoding="utf-8")
    model = tmp_path / "gnn.skmodel"
    assert (
        main(["fit", "--data", "minteq", "--params", str(params), "--out", str(model), "-q"]) == 0
    )  # default gnn
    assert "saved gnn model" in capsys.readouterr().out
    est, meta = load_model(model, return_meta=True)
    assert meta["model"] == "gnn" and meta["params"] == {"max_epochs": 2, "hidden_dim": 16}
    assert (
        main(["predict", "--model", str(model), "--smiles", "NCCN", "--metal", "Cu2+", "-q"]) == 0
    )
    row = capsys.readouterr().out.strip().split("\n")[1].split(",")
    got = np.array([float(v) for v in row[2:7]])
    lib = est.predict(pd.DataFrame({"metal": ["Cu2+"], "smiles": ["NCCN"]}))[0]
    assert np.isfinite(got).all() and row[7] == ""
    np.testing.assert_allclose(got, lib, rtol=1e-6)
