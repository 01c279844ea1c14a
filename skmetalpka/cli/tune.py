"""``skmetalpka tune``: Optuna search of the GNN with a grouped-CV objective."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from ._common import (
    UsageError,
    fmt_table,
)


def add_parser(sub: Any, parents: dict[str, argparse.ArgumentParser]) -> None:
    """Add the ``tune`` sub-command to ``sub`` (an ``add_subparsers`` object)."""
    p = sub.add_parser(
        "tune",
        parents=[parents["common"], parents["seeded"]],
        help="tune the GNN with Optuna (grouped CV, pruning, shared storage)",
        description="Optuna search over the GNN pipeline's hyperparameters with a grouped "
        "cross-validation objective (pooled out-of-fold RMSE of log beta); each epoch's "
        "validation RMSE is reported so the pruner stops bad trials early. Start several "
        "workers with the same --storage and --study to share one study (PostgreSQL driver: "
        "pip install skmetalpka[postgres]). A worker that dies leaves its trial RUNNING; once "
        "it has missed its heartbeat for 2x --heartbeat seconds, the next worker to start a "
        "trial marks it FAIL and runs its parameters again (up to --retries times).",
    )
    p.add_argument(
        "--data", metavar="PATH", help="data (as for `fit`: corpus, minteq, a folder or a CSV)"
    )
    p.add_argument(
        "--trials", type=int, default=None, metavar="N", help="trials run by this worker"
    )
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


def run(args: argparse.Namespace) -> int:
    """Run ``skmetalpka tune`` with parsed ``args``; returns the exit status."""
    import optuna

    from ..datasets.files import load_training_data
    from ..exceptions import InputError
    from ..pipelines import load_params
    from ..tuning import check_storage, display_url, export_best_params, trials_frame, tune

    if args.trials is None and args.timeout is None and args.study_trials is None:
        raise UsageError("give --trials N or --timeout S (or --study-trials N)")
    for flag, value, low in (
        ("trials", args.trials, 1),
        ("study-trials", args.study_trials, 1),
        ("heartbeat", args.heartbeat, 0),
        ("retries", args.retries, 0),
    ):
        if value is not None and value < low:
            raise UsageError(f"--{flag} must be at least {low}, got {value}")
    if args.folds < 2:
        raise UsageError(f"--folds must be at least 2, got {args.folds}")
    try:  # a bad URL or a missing driver is said before the data is loaded
        check_storage(args.storage)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
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
        raise UsageError(str(exc)) from exc
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
        print(fmt_table(complete.head(5).set_index("trial")))
    if args.export:
        try:
            params = export_best_params(study, args.export)
        except OSError as exc:
            raise InputError(f"could not write {args.export!r}: {exc}") from exc
        print(f"\nwrote the best parameters to {args.export}: {json.dumps(params)}")
    return 0
