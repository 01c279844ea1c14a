"""The ``skmetalpka`` command: a thin shell over the library.

Subcommands (``skmetalpka <command> --help`` for details):

``fit``
    Train a model (:func:`skmetalpka.selection.build_model`) on the embedded MINTEQ data or a
    CSV file (:func:`skmetalpka.io.load_training_data`) and save it
    (:func:`skmetalpka.io.save_model`).
``predict``
    Predict log beta for a CSV of (metal, smiles) or one ligand; one output row per input row,
    in order, with an ``error`` column (:func:`skmetalpka.io.predict_frame`).
``evaluate``
    Masked metrics of a saved model on a data set (:func:`skmetalpka.selection.evaluate_model`).
``cv``
    Grouped cross-validation of one or all models on the same folds
    (:func:`skmetalpka.selection.grouped_cv`).
``tune``
    Optuna search of the GNN pipeline with a grouped-CV objective and pruning, on a local
    SQLite file or a shared database (:func:`skmetalpka.tuning.tune`).

Exit status: 0 on success; 2 for unusable arguments or files (message on stderr, no
traceback); 1 when the library refuses the data or a model fails (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["main", "build_parser"]

_MODELS = ("gnn", "gpr", "rf", "mean")  # == skmetalpka.pipelines.MODEL_NAMES (kept import-free)


class _UsageError(Exception):
    """Arguments that do not fit together (exit status 2)."""


def _model_list(text: str) -> list[str]:
    """``--model`` of ``cv``: one name, a comma-separated list, or ``all``."""
    if text.strip() == "all":
        return list(_MODELS)
    names = [t.strip() for t in text.split(",") if t.strip()]
    bad = [n for n in names if n not in _MODELS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {bad or [text]}; choose from {', '.join(_MODELS)} or all"
        )
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"model named twice in {text!r}")
    return names


# --------------------------------------------------------------------------------------
# parser
# --------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``skmetalpka`` command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars or messages on stderr"
    )
    seeded = argparse.ArgumentParser(add_help=False)
    seeded.add_argument("--seed", type=int, default=0, help="random seed of the models (default 0)")

    parser = argparse.ArgumentParser(
        prog="skmetalpka",
        description="Predict metal-ligand stability constants (cumulative log beta_1..N) from "
        "a ligand SMILES and a metal ion.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser(
        "fit",
        parents=[common, seeded],
        help="train a model and save it",
        description="Train a model and save it with joblib. Without --data the embedded "
        "MINTEQ data set is used.",
    )
    p.add_argument(
        "--data",
        metavar="PATH",
        help="training CSV: NIST layout (metal_ion, SMILES, pKa_value, predicted_positions) or "
        "simple layout (metal, smiles, log_beta_1..log_beta_N[, temperature, ionic_strength])",
    )
    p.add_argument("--model", choices=_MODELS, default="gnn", help="model to train (default gnn)")
    p.add_argument(
        "--params", metavar="JSON", help="JSON file (or JSON text) of model parameters"
    )
    p.add_argument(
        "--pretrain-proton",
        metavar="PATH",
        help="also learn from protonation constants (gnn only): nist46_proton.csv, its folder, "
        "or a simple-layout table of H+ rows; the model then predicts H+ rows too",
    )
    p.add_argument(
        "--proton-mode",
        choices=("pretrain", "joint"),
        default="pretrain",
        help="pretrain on the protons then fine-tune on the metals, or train on both at once "
        "(default pretrain)",
    )
    p.add_argument(
        "--proton-weight",
        type=float,
        default=0.5,
        help="loss weight of a proton row with --proton-mode joint (default 0.5)",
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        default="skmetalpka_model.joblib",
        help="where to save the model (default skmetalpka_model.joblib)",
    )

    p = sub.add_parser(
        "predict",
        parents=[common],
        help="predict log beta with a saved model",
        description="Predict cumulative log beta. Output: one row per input row, in order, "
        "with columns metal, smiles, log_beta_1..log_beta_N, error (empty when fine) and "
        "warning (e.g. a metal the model never saw: an extrapolation). The input is read and "
        "predicted in chunks, so files of any size run in bounded memory.",
    )
    p.add_argument(
        "--model",
        metavar="FILE",
        help="model file from `fit` (default: the packaged pretrained model)",
    )
    p.add_argument(
        "--std",
        action="store_true",
        help="add log_beta_<n>_std columns (ensemble standard deviation)",
    )
    p.add_argument(
        "--input",
        metavar="CSV",
        help="CSV with columns metal, smiles (or metal_ion, SMILES); optional temperature, "
        "ionic_strength; other columns are ignored",
    )
    p.add_argument("--smiles", metavar="S", help="one ligand SMILES (with --metal)")
    p.add_argument("--metal", metavar="M", help="one metal ion such as Cu2+ (with --smiles)")
    p.add_argument("--output", metavar="CSV", help="output file (default: standard output)")
    p.add_argument(
        "--steps",
        type=int,
        metavar="K",
        help="write log_beta_1..log_beta_K (default: all steps the model was trained for)",
    )
    p.add_argument(
        "--chunksize",
        type=int,
        default=10_000,
        metavar="ROWS",
        help="rows read and predicted at a time; memory depends on this, not on the file size "
        "(default 10000)",
    )

    p = sub.add_parser(
        "evaluate",
        parents=[common],
        help="score a saved model on a data set",
        description="Masked metrics (measured entries only) overall and per step.",
    )
    p.add_argument("--model", required=True, metavar="FILE", help="model file from `fit`")
    p.add_argument("--data", required=True, metavar="PATH", help="data CSV (as for `fit`)")
    p.add_argument("--json", action="store_true", help="print a JSON object")

    p = sub.add_parser(
        "cv",
        parents=[common, seeded],
        help="grouped cross-validation of one or all models",
        description="GroupKFold cross-validation with the same folds for every model. Without "
        "--data the embedded MINTEQ data set is used.",
    )
    p.add_argument("--data", metavar="PATH", help="data CSV (as for `fit`)")
    p.add_argument(
        "--model",
        type=_model_list,
        default="all",
        metavar="NAMES",
        help="model(s) to compare: one of gnn, gpr, rf, mean, a comma-separated list such as "
        "mean,rf, or all (default all)",
    )
    p.add_argument(
        "--groups",
        choices=("metal", "ligand"),
        default="ligand",
        help="keep each metal or each ligand in one fold (default ligand)",
    )
    p.add_argument("--folds", type=int, default=5, metavar="K", help="number of folds (default 5)")
    p.add_argument(
        "--params",
        metavar="JSON",
        help="JSON file or text of model parameters; with several models, an object keyed by "
        'model name, e.g. {"rf": {"n_estimators": 100}}',
    )
    p.add_argument("--n-jobs", type=int, default=None, help="parallel fits (default 1)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.add_argument(
        "--report",
        metavar="DIR",
        help="write metrics.json, report.md and PNG figures (parity, residuals, per-step and "
        "per-metal RMSE) into DIR",
    )

    model_help = "model file from `fit` (default: the packaged pretrained model)"
    p = sub.add_parser(
        "rank",
        parents=[common],
        help="rank metals for one ligand, or ligands for one metal",
        description="Predicted log beta_1 (with the ensemble's standard deviation) and the "
        "conditional constant at a pH, log beta_1' = log beta_1 - log alpha_L(H), from the "
        "predicted protonation constants; best first.",
    )
    p.add_argument("--model", metavar="FILE", help=model_help)
    p.add_argument("--smiles", metavar="S", help="one ligand (with --metals)")
    p.add_argument(
        "--metals", metavar="M1,M2,..", help="comma-separated metal ions (with --smiles)"
    )
    p.add_argument(
        "--smiles-file",
        metavar="FILE",
        help="ligands to rank for one --metal: a CSV with a smiles column, or one SMILES per line",
    )
    p.add_argument("--metal", metavar="M", help="the metal (with --smiles-file)")
    p.add_argument("--ph", type=float, default=7.0, help="pH of the conditional constant (7)")
    p.add_argument("--output", metavar="CSV", help="also write the table as CSV")

    p = sub.add_parser(
        "speciate",
        parents=[common],
        help="species fractions versus pH (PHREEQC) from predicted or given constants",
        description="Fraction of free metal and of each ML_n (and of the protonated ligand "
        "forms) versus pH, solved with PHREEQC. Constants are predicted by the model unless "
        "given with --log-beta / --protonation. Writes speciation.csv, speciation.png and "
        "constants.json into --out.",
    )
    p.add_argument("--smiles", required=True, metavar="S", help="ligand SMILES")
    p.add_argument("--metal", required=True, metavar="M", help="metal ion such as Cu2+")
    p.add_argument("--model", metavar="FILE", help=model_help)
    p.add_argument(
        "--log-beta",
        metavar="B1,B2,..",
        help="cumulative log beta_1..n to use instead of predictions",
    )
    p.add_argument(
        "--protonation",
        metavar="H1,H2,..",
        help="cumulative protonation log beta^H_1..m to use instead of predictions",
    )
    p.add_argument("--steps", type=int, metavar="N", help="complexes ML_1..ML_N (default: rule)")
    p.add_argument(
        "--ligand-charge",
        type=int,
        default=0,
        help="charge of the fully deprotonated ligand (only used with --activity davies)",
    )
    p.add_argument("--ph", default="2:12", metavar="LO:HI[:STEP]", help="pH grid (2:12:0.1)")
    p.add_argument("--metal-conc", type=float, default=1e-3, help="total metal, mol/L (1e-3)")
    p.add_argument("--ligand-conc", type=float, default=3e-3, help="total ligand, mol/L (3e-3)")
    p.add_argument(
        "--activity", choices=("ideal", "davies"), default="ideal", help="activity model (ideal)"
    )
    p.add_argument(
        "--ionic-strength", type=float, help="background electrolyte, mol/kgw (davies only)"
    )
    p.add_argument(
        "--engine", choices=("phreeqc", "numpy"), default="phreeqc", help="solver (phreeqc)"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")

    p = sub.add_parser(
        "tune",
        parents=[common, seeded],
        help="tune the GNN with Optuna (grouped CV, pruning, shared storage)",
        description="Optuna search over the GNN pipeline's hyperparameters with a grouped "
        "cross-validation objective (pooled out-of-fold RMSE of log beta); each epoch's "
        "validation RMSE is reported so the pruner stops bad trials early. Start several "
        "workers with the same --storage and --study to share one study (PostgreSQL driver: "
        "pip install skmetalpka[postgres]). A worker that dies leaves its trial RUNNING; once "
        "it has missed its heartbeat for 2x --heartbeat seconds, the next worker to start a "
        "trial marks it FAIL and runs its parameters again (up to --retries times).",
    )
    p.add_argument("--data", metavar="PATH", help="training CSV (as for `fit`; default MINTEQ)")
    p.add_argument("--trials", type=int, default=None, metavar="N", help="trials run by this worker")
    p.add_argument(
        "--timeout", type=float, default=None, metavar="S", help="start no trial after S seconds"
    )
    p.add_argument(
        "--study-trials",
        type=int,
        default=None,
        metavar="N",
        help="start no trial once the study holds N complete or pruned trials, all workers "
        "counted (survives a worker that dies)",
    )
    p.add_argument(
        "--heartbeat",
        type=int,
        default=60,
        metavar="S",
        help="seconds between heartbeats of a running trial; a trial silent for 2x S is taken "
        "for dead, marked FAIL and re-queued (default 60; 0: off). Use one value on every worker",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=2,
        metavar="N",
        help="times a dead worker's trial is re-queued (default 2; 0: left FAIL)",
    )
    p.add_argument(
        "--storage",
        metavar="URL",
        default="sqlite:///skmetalpka_tune.db",
        help="Optuna storage URL (default sqlite:///skmetalpka_tune.db; e.g. "
        "postgresql://user:password@host/db for several machines)",
    )
    p.add_argument("--study", default="skmetalpka", metavar="NAME", help="study name")
    p.add_argument(
        "--groups", choices=("ligand", "metal"), default="ligand", help="CV grouping (ligand)"
    )
    p.add_argument("--folds", type=int, default=3, metavar="K", help="CV folds (default 3)")
    p.add_argument(
        "--metric",
        choices=("rmse", "rmse_beta1"),
        default="rmse",
        help="minimised: all-step or log beta_1 RMSE, out of fold (default rmse)",
    )
    p.add_argument(
        "--pruner", choices=("median", "halving", "none"), default="median", help="(median)"
    )
    p.add_argument(
        "--params",
        metavar="JSON",
        help="JSON file or text of pipeline parameters to fix (not searched)",
    )
    p.add_argument(
        "--sampler-seed",
        type=int,
        default=None,
        help="seed of the TPE sampler (leave unset when several workers share a study)",
    )
    p.add_argument("--export", metavar="JSON", help="write the best parameters here (for fit)")

    return parser


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------
def _note(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def _fmt_table(df: Any) -> str:
    df = df.copy()
    df.index.name = None
    return df.to_string(float_format=lambda v: f"{v:.3f}", na_rep="-")


def _report_dict(report: Any) -> dict[str, Any]:
    d = report.to_dict()
    d.pop("excluded", None)
    return d


def _model_params(spec: str | None, names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per-model parameters from --params (flat for one model, keyed by name for several)."""
    from .io import load_params

    params = load_params(spec)
    keyed = bool(params) and all(k in _MODELS and isinstance(v, dict) for k, v in params.items())
    if keyed:
        unused = sorted(set(params) - set(names))
        if unused:
            raise _UsageError(f"--params has parameters for {unused}, which are not being run")
        return {n: dict(params.get(n, {})) for n in names}
    if params and len(names) > 1:
        raise _UsageError(
            "with several models --params must be keyed by model name, e.g. "
            '{"rf": {"n_estimators": 100}, "gnn": {"max_epochs": 50}}'
        )
    return {n: dict(params) for n in names}


def _check_model_worked(path: str, meta: dict[str, Any], errors: list[str]) -> None:
    """Refuse a model that failed on every row it was given (a broken or stale model file)."""
    from .io import ModelFileError, model_failure

    failure = model_failure(errors)
    if failure is not None:
        versions = ", ".join(
            f"{k.replace('_version', '')} {meta.get(k)}"
            for k in ("skmetalpka_version", "sklearn_version", "torch_version")
        )
        raise ModelFileError(
            f"the model in {path!r} failed on every row ({failure}); it was saved with "
            f"{versions} and may not work with the installed code: train it again with "
            "`skmetalpka fit`"
        )


def _build(name: str, params: dict[str, Any], seed: int) -> Any:
    from .selection import build_model

    try:
        return build_model(name, params, random_state=seed)
    except ValueError as exc:  # unknown parameter: an argument problem
        raise _UsageError(f"--params: {exc}") from exc


# --------------------------------------------------------------------------------------
# commands
# --------------------------------------------------------------------------------------
def _cmd_fit(args: argparse.Namespace) -> int:
    from .io import estimator_n_steps, load_training_data, save_model

    params = _model_params(args.params, [args.model])[args.model]
    if args.model == "gnn" and not args.quiet:
        params = {"progress": True, **params}  # epoch bar on stderr
    est = _build(args.model, params, args.seed)
    fit_params: dict[str, Any] = {}
    if args.pretrain_proton is not None:
        from .io import load_proton_data
        from .model import EnsembleRegressor, ProtonTransferRegressor

        if args.model != "gnn":
            raise _UsageError("--pretrain-proton needs --model gnn")
        Xp, yp, proton_report = load_proton_data(args.pretrain_proton)
        if not args.quiet:
            print(proton_report)
        if isinstance(est, EnsembleRegressor):  # every member learns from the protons
            est.set_params(
                estimator=ProtonTransferRegressor(
                    est.estimator, mode=args.proton_mode, proton_weight=args.proton_weight
                )
            )
        else:
            est = ProtonTransferRegressor(
                est, mode=args.proton_mode, proton_weight=args.proton_weight
            )
        fit_params = {"proton_X": Xp, "proton_y": yp}
    X, y, report = load_training_data(args.data)
    if not args.quiet:
        print(report)
    _note(args, f"training {args.model} on {len(X)} samples (N = {y.shape[1]}) ...")
    est.fit(X, y, **fit_params)
    from .io import training_metals
    from .metals import canonical_or_none

    metals = set(training_metals(est) or [])
    metals |= {c for c in map(canonical_or_none, X["metal"].tolist()) if c}  # invalid: left out
    meta = save_model(
        est,
        args.out,
        trained_metals=metals,
        model=args.model,
        trained_on=report.source,
        n_steps=estimator_n_steps(est) or int(y.shape[1]),
        n_samples=len(X),
        params=params,
        seed=args.seed,
    )
    print(
        f"saved {args.model} model (trained on {len(X)} samples, N = {meta['n_steps']}) "
        f"to {args.out}"
    )
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:

    import pandas as pd

    from .io import (
        predict_csv,
        predict_frame,
        supports_std,
        training_metals,
        write_predictions,
    )

    single = args.smiles is not None or args.metal is not None
    if args.input is not None and single:
        raise _UsageError("give either --input or --smiles with --metal, not both")
    if args.input is None and not single:
        raise _UsageError("give --input CSV, or --smiles S with --metal M")
    if single and (args.smiles is None or args.metal is None):
        raise _UsageError("--smiles and --metal go together; give both")
    if args.chunksize < 1:
        raise _UsageError(f"--chunksize must be at least 1, got {args.chunksize}")
    est, meta, model_path = _load_any_model(args.model)
    if args.std and not supports_std(est):
        raise _UsageError(
            f"--std needs a model with a standard deviation (an ensemble, e.g. --params "
            f"'{{\"n_members\": 5}}' at fit); {model_path} holds a {type(est).__name__}"
        )
    trained_n = meta.get("n_steps")
    if args.steps is not None:
        if args.steps < 1:
            raise _UsageError(f"--steps must be at least 1, got {args.steps}")
        if trained_n is not None and args.steps > trained_n:
            raise _UsageError(
                f"--steps {args.steps} asks for more steps than the model predicts: it was "
                f"trained for log beta_1..log beta_{trained_n}; use --steps {trained_n} or less"
            )
    n_steps = args.steps if args.steps is not None else trained_n
    known = meta.get("trained_metals")
    if known is None:
        known = training_metals(est)

    def check(errors: list[str]) -> None:
        _check_model_worked(model_path, meta, errors)

    if args.input is not None:
        counts = predict_csv(
            est,
            args.input,
            args.output if args.output else sys.stdout,
            n_steps=n_steps,
            known_metals=known,
            chunksize=args.chunksize,
            progress=not args.quiet and sys.stderr.isatty(),
            check_first_chunk=check,
            return_std=args.std,
        )
    else:
        X = pd.DataFrame({"metal": [args.metal], "smiles": [args.smiles]})
        out = predict_frame(est, X, n_steps=n_steps, known_metals=known, return_std=args.std)
        check(out["error"].tolist())
        write_predictions(out, args.output if args.output else sys.stdout)
        counts = {
            "n_rows": 1,
            "n_errors": int(out["error"].iloc[0] != ""),
            "n_warnings": int(out["warning"].iloc[0] != ""),
        }
    n, n_bad, n_warn = counts["n_rows"], counts["n_errors"], counts["n_warnings"]
    where = f" to {args.output}" if args.output else ""
    _note(
        args,
        f"predicted {n - n_bad} of {n} rows{where}; {n_bad} with errors, {n_warn} with warnings",
    )
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import pandas as pd

    from .io import load_model, load_training_data
    from .selection import evaluate_model

    est, meta = load_model(args.model, return_meta=True)
    X, y, report = load_training_data(args.data)
    res = evaluate_model(est, X, y, n_steps=meta.get("n_steps"))
    errors = [""] * res["n_rows"]
    for row in res["unpredicted"]:
        errors[row["row"]] = row["error"]
    _check_model_worked(args.model, meta, errors)
    if args.json:
        out = {
            "model": {k: meta.get(k) for k in ("model", "trained_on", "n_steps", "created")},
            "data": _report_dict(report),
            **res,
        }
        print(json.dumps(out, indent=2))
        return 0
    if not args.quiet:
        print(report)
        print()
    print(f"model: {meta.get('model')} (trained on {meta.get('trained_on')})")
    print(f"rows: {res['n_rows']}; could not be predicted: {res['n_rows_unpredicted']}")
    for row in res["unpredicted"][:5]:
        print(f"  row {row['row']} ({row['metal']}, {row['smiles']}): {row['error']}")
    if res["n_rows_unpredicted"] > 5:
        print(f"  ... and {res['n_rows_unpredicted'] - 5} more (see --json)")
    for kind, label in (("beta", "cumulative log beta"), ("logk", "stepwise log K")):
        block = res["metrics"][kind]
        prefix = "beta_" if kind == "beta" else "logK_"
        rows = {f"{prefix}{s}": leaf for s, leaf in block["steps"].items()}
        rows["all"] = block["all"]
        df = pd.DataFrame(rows).T[["n", "n_missing_pred", "rmse", "mae", "r2"]]
        df = df.astype({"n": int, "n_missing_pred": int, "rmse": float, "mae": float, "r2": float})
        print(f"\n{label} (measured entries only):")
        print(_fmt_table(df))
    return 0


def _cmd_cv(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .io import InputError, load_training_data
    from .selection import grouped_cv

    names = args.model if isinstance(args.model, list) else _model_list(args.model)
    params = _model_params(args.params, names)
    if args.folds < 2:
        raise _UsageError(f"--folds must be at least 2, got {args.folds}")
    X, y, report = load_training_data(args.data)
    if not args.quiet and not args.json:
        print(report)
        print()
    models = {n: _build(n, params[n], args.seed) for n in names}
    try:
        result = grouped_cv(
            models,
            X,
            y,
            groups=args.groups,
            n_splits=args.folds,
            n_jobs=args.n_jobs,
            progress=not args.quiet,
        )
    except ValueError as exc:  # too few groups for the folds: an argument problem
        raise _UsageError(str(exc)) from exc
    payload = {"data": _report_dict(report), "params": params, "seed": args.seed}
    payload.update(result.to_dict())
    if args.report:
        folder = Path(args.report).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "metrics.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
            (folder / "report.md").write_text(
                result.to_markdown(source=report.source), encoding="utf-8"
            )
            from .plots import cv_figures

            figures = cv_figures(result, X["metal"].to_numpy(), folder)
        except OSError as exc:
            raise InputError(f"could not write the report into {str(folder)!r}: {exc}") from exc
        _note(
            args,
            f"wrote {folder / 'metrics.json'}, {folder / 'report.md'} and {len(figures)} figures",
        )
    if args.json:
        print(json.dumps(payload, indent=2))
        return 0
    print(
        f"{result.n_splits}-fold GroupKFold by {result.group_kind}: {len(X)} samples, "
        f"{payload['n_groups']} groups, test fold sizes {result.fold_sizes} (same folds for "
        "every model)"
    )
    for name in result.model_names:
        print(f"\n{name} (out-of-fold, cumulative log beta):")
        print(_fmt_table(result.per_step(name)))
    if len(names) > 1:
        print("\nall steps pooled:")
        print(_fmt_table(result.summary()))
    return 0


def _load_any_model(path: str | None) -> tuple[Any, dict[str, Any], str]:
    """The model of ``--model`` or the packaged default; warnings about versions on stderr."""
    import warnings

    from .io import ModelVersionWarning, load_model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ModelVersionWarning)
        if path is None:
            from .pretrained import default_model_path, load_default_model

            est, meta = load_default_model(return_meta=True)
            where = str(default_model_path())
        else:
            est, meta = load_model(path, return_meta=True)
            where = path
    for w in caught:
        print(f"skmetalpka: warning: {w.message}", file=sys.stderr)
    return est, meta, where


def _floats(text: str | None, what: str) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(t) for t in text.split(",") if t.strip()]
    except ValueError as exc:
        raise _UsageError(f"{what} must be comma-separated numbers, got {text!r}") from exc
    if not values:
        raise _UsageError(f"{what} is empty")
    return values


def _ph_grid(text: str) -> Any:
    import numpy as np

    parts = text.split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError as exc:
        raise _UsageError(f"--ph must be LO:HI[:STEP] or one number, got {text!r}") from exc
    if len(nums) == 1:
        return np.array(nums)
    if len(nums) not in (2, 3):
        raise _UsageError(f"--ph must be LO:HI[:STEP] or one number, got {text!r}")
    lo, hi = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else 0.1
    if not (0 <= lo < hi <= 14) or step <= 0:
        raise _UsageError(f"--ph needs 0 <= LO < HI <= 14 and STEP > 0, got {text!r}")
    n = int(round((hi - lo) / step)) + 1
    return np.linspace(lo, lo + step * (n - 1), n).clip(max=hi)


def _cmd_rank(args: argparse.Namespace) -> int:
    from .io import write_predictions
    from .screening import rank_ligands, rank_metals

    by_metals = args.smiles is not None or args.metals is not None
    by_ligands = args.smiles_file is not None or args.metal is not None
    if by_metals == by_ligands:
        raise _UsageError(
            "give --smiles S --metals M1,M2,.. (rank metals) or --smiles-file F --metal M "
            "(rank ligands)"
        )
    if by_metals and (args.smiles is None or args.metals is None):
        raise _UsageError("--smiles and --metals go together")
    if by_ligands and (args.smiles_file is None or args.metal is None):
        raise _UsageError("--smiles-file and --metal go together")
    if not 0 <= args.ph <= 14:
        raise _UsageError(f"--ph must be between 0 and 14, got {args.ph}")
    est, meta, _ = _load_any_model(args.model)
    known = meta.get("trained_metals")
    if by_metals:
        metals = [m.strip() for m in args.metals.split(",") if m.strip()]
        if not metals:
            raise _UsageError("--metals is empty")
        table = rank_metals(est, args.smiles, metals, ph=args.ph, trained_metals=known)
    else:
        table = rank_ligands(
            est, _read_smiles_file(args.smiles_file), args.metal, ph=args.ph, trained_metals=known
        )
    if args.output:
        write_predictions(table, args.output)
    show = table.copy()
    show.index = range(1, len(show) + 1)
    print(_fmt_table(show))
    if known is not None and "H+" not in known:
        _note(args, "the model knows no protonation constants: no conditional constants")
    return 0


def _read_smiles_file(path: str) -> list[str]:
    from .io import InputError, read_csv

    table = read_csv(path, what="SMILES file")
    cols = {c.lower(): c for c in table.columns}
    if "smiles" in cols:
        values = table[cols["smiles"]].tolist()
    elif len(table.columns) == 1:  # one SMILES per line, the first line is a SMILES too
        values = [table.columns[0], *table.iloc[:, 0].tolist()]
    else:
        raise InputError(
            f"SMILES file {path!r} has columns {list(table.columns)} but no 'smiles' column"
        )
    values = [str(v).strip() for v in values if str(v).strip()]
    if not values:
        raise InputError(f"SMILES file {path!r} holds no SMILES")
    return values


def _cmd_speciate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .io import InputError
    from .plots import save_figure
    from .screening import predict_constants
    from .speciation import plot_speciation, speciate

    ph = _ph_grid(args.ph)
    log_beta = _floats(args.log_beta, "--log-beta")
    protonation = _floats(args.protonation, "--protonation")
    source = "given"
    notes: list[str] = []
    beta_std: list[float] = []
    prot_std: list[float] = []
    if log_beta is None or protonation is None:
        est, meta, where = _load_any_model(args.model)
        pc = predict_constants(
            est,
            args.smiles,
            args.metal,
            n_steps=args.steps,
            protonation=protonation,
            trained_metals=meta.get("trained_metals"),
        )
        notes = pc.notes
        source = f"model {where}"
        if log_beta is None:
            log_beta = pc.log_beta.tolist()
            beta_std = pc.log_beta_std.tolist()
        if protonation is None:
            protonation = pc.protonation.tolist()
            prot_std = pc.protonation_std.tolist()
    elif args.steps is not None:
        log_beta = log_beta[: args.steps]
    try:
        frame = speciate(
            log_beta,
            args.metal,
            protonation=protonation or (),
            ligand_charge=args.ligand_charge,
            ph=ph,
            metal_conc=args.metal_conc,
            ligand_conc=args.ligand_conc,
            activity=args.activity,
            ionic_strength=args.ionic_strength,
            engine=args.engine,
        )
    except ValueError as exc:
        raise _UsageError(str(exc)) from exc
    folder = Path(args.out).expanduser()
    constants = {
        "smiles": args.smiles,
        "metal": args.metal,
        "log_beta": log_beta,
        "log_beta_std": beta_std,
        "protonation": protonation,
        "protonation_std": prot_std,
        "source": source,
        "notes": notes,
        "engine": args.engine,
        "activity": args.activity,
        "metal_conc": args.metal_conc,
        "ligand_conc": args.ligand_conc,
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        frame.to_csv(folder / "speciation.csv", index=False, lineterminator="\n")
        (folder / "constants.json").write_text(
            json.dumps(constants, indent=2, default=float) + "\n", encoding="utf-8"
        )
        fig = plot_speciation(frame, title=f"{args.metal} + {args.smiles}")
        save_figure(fig, folder / "speciation.png")
    except OSError as exc:
        raise InputError(f"could not write into {str(folder)!r}: {exc}") from exc
    fmt = ", ".join(f"{v:.2f}" for v in log_beta)
    print(f"log beta ({source}): {fmt}")
    if protonation:
        print("protonation log beta^H: " + ", ".join(f"{v:.2f}" for v in protonation))
    for note in notes:
        print(f"  note: {note}")
    metal_cols = [c for c in frame.columns if c.startswith("M:")]
    top = frame[metal_cols].to_numpy().argmax(axis=1)
    dominant = [metal_cols[i][2:] for i in top]
    changes = [
        f"pH {frame['pH'].iloc[i]:.1f}: {dominant[i]}"
        for i in range(len(dominant))
        if i == 0 or dominant[i] != dominant[i - 1]
    ]
    print("dominant metal species: " + "; ".join(changes))
    print(f"wrote {folder / 'speciation.csv'}, {folder / 'speciation.png'}, constants.json")
    return 0


def _cmd_tune(args: argparse.Namespace) -> int:
    import optuna

    from .io import InputError, load_params, load_training_data
    from .tuning import check_storage, display_url, export_best_params, trials_frame, tune

    if args.trials is None and args.timeout is None and args.study_trials is None:
        raise _UsageError("give --trials N or --timeout S (or --study-trials N)")
    for flag, value, low in (
        ("trials", args.trials, 1),
        ("study-trials", args.study_trials, 1),
        ("heartbeat", args.heartbeat, 0),
        ("retries", args.retries, 0),
    ):
        if value is not None and value < low:
            raise _UsageError(f"--{flag} must be at least {low}, got {value}")
    if args.folds < 2:
        raise _UsageError(f"--folds must be at least 2, got {args.folds}")
    try:  # a bad URL or a missing driver is said before the data is loaded
        check_storage(args.storage)
    except ValueError as exc:
        raise _UsageError(str(exc)) from exc
    fixed = load_params(args.params)
    X, y, report = load_training_data(args.data)
    if not args.quiet:
        print(report, file=sys.stderr)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    started = time.perf_counter()

    def announce(study: Any, trial: Any) -> None:
        if args.quiet:
            return
        states = [t.state for t in study.get_trials(deepcopy=False)]
        done = states.count(optuna.trial.TrialState.COMPLETE)
        pruned = states.count(optuna.trial.TrialState.PRUNED)
        value = "" if trial.value is None else f" value {trial.value:.4f}"
        try:
            best = f"best {study.best_value:.4f} (trial {study.best_trial.number})"
        except ValueError:
            best = "no completed trial yet"
        print(
            f"[{time.perf_counter() - started:7.1f} s] trial {trial.number} "
            f"{trial.state.name.lower()}{value}; {best}; study: {done} complete, {pruned} pruned",
            file=sys.stderr,
        )

    try:
        study = tune(
            X,
            y,
            n_trials=args.trials,
            timeout=args.timeout,
            n_study_trials=args.study_trials,
            storage=args.storage,
            heartbeat=args.heartbeat,
            retries=args.retries,
            study_name=args.study,
            groups=args.groups,
            n_splits=args.folds,
            metric=args.metric,
            fixed_params=fixed,
            pruner=args.pruner,
            sampler_seed=args.sampler_seed,
            random_state=args.seed,
            data_source=report.source,
            callbacks=[announce],
        )
    except ValueError as exc:  # settings that do not fit the data or the stored study
        raise _UsageError(str(exc)) from exc
    frame = trials_frame(study)
    complete = frame[frame["state"] == "COMPLETE"].sort_values("value")
    print(
        f"study {args.study!r} ({display_url(args.storage)}): {len(frame)} trials, "
        f"{len(complete)} complete, "
        f"{int((frame['state'] == 'PRUNED').sum())} pruned, "
        f"{int((frame['state'] == 'FAIL').sum())} failed"
    )
    if len(complete):
        print(f"\nbest trials ({args.metric}, pooled out of fold, log beta units):")
        print(_fmt_table(complete.head(5).set_index("trial")))
    if args.export:
        try:
            params = export_best_params(study, args.export)
        except OSError as exc:
            raise InputError(f"could not write {args.export!r}: {exc}") from exc
        print(f"\nwrote the best parameters to {args.export}: {json.dumps(params)}")
    return 0


_COMMANDS = {"fit": _cmd_fit, "predict": _cmd_predict, "evaluate": _cmd_evaluate, "cv": _cmd_cv,
    "tune": _cmd_tune,
    "rank": _cmd_rank,
    "speciate": _cmd_speciate,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skmetalpka`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 success, 1 refused data or failed model, 2 unusable arguments or files.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help (0) or a usage error (2, message already printed)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)

    from .io import InputError

    prog = f"skmetalpka {args.command}"
    try:
        return _COMMANDS[args.command](args)
    except (_UsageError, InputError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        import os

        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):  # stdout without a file descriptor (captured)
            pass
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
