"""The Optuna study of the GNN pipeline: search space, pruning callback, grouped-CV objective.

See :mod:`skmetalpka.tuning` for the whole picture; the storage is :mod:`.storage`.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from skorch.callbacks import Callback

from .._files import write_text
from ..conditions import check_input_frame
from ..metrics import masked_rmse
from .storage import DEFAULT_HEARTBEAT, _retry, make_storage

__all__ = [
    "SEARCH_SPACE",
    "STEP_STRIDE",
    "METRICS",
    "PRUNERS",
    "OptunaPruning",
    "suggest_params",
    "make_pruner",
    "GroupedCVObjective",
    "tune",
    "best_params",
    "export_best_params",
    "trials_frame",
]

#: Reporting step of (fold k, epoch e) is ``k * STEP_STRIDE + e``.
STEP_STRIDE = 10_000

#: The searched parameters of :func:`skmetalpka.default_pipeline` and their ranges:
#: ``("int", low, high)``, ``("float", low, high)``, ``("log", low, high)`` (float, log scale)
#: or ``("cat", choices)``. ``hidden_dim`` is ``heads * head_dim`` so that it is always
#: divisible by ``heads``.
SEARCH_SPACE: dict[str, tuple[Any, ...]] = {
    "encoder_depth": ("int", 0, 4),
    "head_dim": ("cat", (16, 32, 64)),
    "heads": ("cat", (1, 2, 4)),
    "star_layers": ("int", 1, 3),
    "site_mode": ("cat", ("soft", "hard")),
    "backbone": ("cat", ("per_ligand", "global", "none")),
    "dropout": ("float", 0.0, 0.4),
    "lr": ("log", 1e-4, 3e-3),
    "weight_decay": ("log", 1e-5, 1e-2),
    "batch_size": ("cat", (32, 64, 128)),
    "max_epochs": ("int", 40, 300),
}

#: Objective metrics: pooled out-of-fold RMSE of cumulative log beta over all measured steps,
#: or of log beta_1 only (original units).
METRICS = ("rmse", "rmse_beta1")
#: Pruners by name.
PRUNERS = ("median", "halving", "none")


class OptunaPruning(Callback):
    """skorch callback: report each epoch's validation score to an Optuna trial; prune.

    Parameters
    ----------
    trial : optuna.trial.Trial
    monitor : str, default="valid_rmse"
        History key reported (lower is better). Epochs without it (``train_split=None``) are
        not reported.
    step_offset : int, default=0
        Added to the epoch number (see :data:`STEP_STRIDE`).

    Raises
    ------
    optuna.TrialPruned
        From ``on_epoch_end`` when the trial's pruner says so; it propagates out of ``fit``.
    """

    def __init__(self, trial: Any, monitor: str = "valid_rmse", step_offset: int = 0) -> None:
        self.trial = trial
        self.monitor = monitor
        self.step_offset = step_offset

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        import optuna

        row = net.history[-1]
        value = row.get(self.monitor)
        if value is None or not math.isfinite(float(value)):
            return
        step = int(self.step_offset) + int(row["epoch"])
        self.trial.report(float(value), step)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned at step {step} ({self.monitor} {float(value):.4f})")


def suggest_params(trial: Any, fixed: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Pipeline parameters of one trial: :data:`SEARCH_SPACE` less the ``fixed`` ones.

    Parameters
    ----------
    trial : optuna.trial.Trial or optuna.trial.FixedTrial
    fixed : mapping, optional
        Parameters of :func:`skmetalpka.default_pipeline` that are not searched (they win
        over the search space; ``hidden_dim`` fixes the width, ``heads`` the heads).

    Returns
    -------
    dict
        Keyword arguments for :func:`skmetalpka.default_pipeline` (``hidden_dim``, not
        ``head_dim``), fixed ones included.
    """
    fixed = dict(fixed or {})
    params: dict[str, Any] = {}
    for name, spec in SEARCH_SPACE.items():
        if name in fixed or (name == "head_dim" and "hidden_dim" in fixed):
            continue
        kind = spec[0]
        if kind == "int":
            params[name] = trial.suggest_int(name, spec[1], spec[2])
        elif kind == "float":
            params[name] = trial.suggest_float(name, spec[1], spec[2])
        elif kind == "log":
            params[name] = trial.suggest_float(name, spec[1], spec[2], log=True)
        else:
            params[name] = trial.suggest_categorical(name, list(spec[1]))
    params.update(fixed)
    if "head_dim" in params:
        params["hidden_dim"] = int(params.pop("head_dim")) * int(params.get("heads", 4))
    return params


def make_pruner(name: str, *, n_startup_trials: int = 3, n_warmup_steps: int = 10) -> Any:
    """``median`` (:class:`optuna.pruners.MedianPruner`), ``halving``
    (:class:`optuna.pruners.SuccessiveHalvingPruner`) or ``none``."""
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=n_startup_trials, n_warmup_steps=n_warmup_steps
        )
    if name == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=n_warmup_steps)
    if name == "none":
        return optuna.pruners.NopPruner()
    raise ValueError(f"pruner must be one of {PRUNERS}, got {name!r}")


class GroupedCVObjective:
    """Optuna objective: grouped CV of :func:`skmetalpka.default_pipeline` with a trial's params.

    Parameters
    ----------
    X : pandas.DataFrame
    y : array-like of shape (n_samples, N)
        Cumulative log beta, NaN where not measured.
    groups : {"ligand", "metal"}, default="ligand"
    n_splits : int, default=3
    metric : {"rmse", "rmse_beta1"}, default="rmse"
    fixed_params : mapping, optional
        Parameters not searched (see :func:`suggest_params`).
    random_state : int, default=0
        Seed of every model.

    Notes
    -----
    The trial gets user attributes ``fold_rmse`` (per fold), ``rmse``, ``rmse_beta1`` (pooled
    out of fold) and ``params`` (the full pipeline parameters).
    """

    def __init__(
        self,
        X: pd.DataFrame,
        y: Any,
        *,
        groups: str = "ligand",
        n_splits: int = 3,
        metric: str = "rmse",
        fixed_params: Mapping[str, Any] | None = None,
        random_state: int = 0,
    ) -> None:
        from sklearn.model_selection import GroupKFold

        from ..selection import make_groups

        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
        self.X = check_input_frame(X)
        Y = np.asarray(y, dtype=np.float64)
        self.y = Y[:, None] if Y.ndim == 1 else Y
        self.groups = groups
        self.metric = metric
        self.fixed_params = dict(fixed_params or {})
        self.random_state = random_state
        g = make_groups(self.X, groups)
        n_groups = len(set(g.tolist()))
        if n_splits < 2 or n_splits > n_groups:
            raise ValueError(
                f"cannot make {n_splits} folds from {n_groups} {groups} groups; use 2 <= folds "
                f"<= {n_groups}"
            )
        self.splits = list(GroupKFold(n_splits=n_splits).split(self.X, self.y, g))

    def __call__(self, trial: Any) -> float:
        from ..pipelines import make_model

        params = suggest_params(trial, self.fixed_params)
        trial.set_user_attr("params", _jsonable(params))
        seed = {} if "random_state" in params else {"random_state": self.random_state}
        pred = np.full(self.y.shape, np.nan)
        fold_scores: list[float] = []
        for k, (train, test) in enumerate(self.splits):
            cb = OptunaPruning(trial, step_offset=k * STEP_STRIDE)
            model = make_model("gnn", callbacks=[("optuna_pruning", cb)], **seed, **params)
            model.fit(self.X.iloc[train], self.y[train])
            p = np.asarray(model.predict(self.X.iloc[test]), dtype=np.float64)
            width = min(p.shape[1], self.y.shape[1])
            pred[test, :width] = p[:, :width]
            fold_scores.append(_score(self.y[test], pred[test], self.metric))
        rmse = _score(self.y, pred, "rmse")
        rmse1 = _score(self.y, pred, "rmse_beta1")
        trial.set_user_attr("fold_rmse", fold_scores)
        trial.set_user_attr("rmse", rmse)
        trial.set_user_attr("rmse_beta1", rmse1)
        return rmse if self.metric == "rmse" else rmse1


def _score(y: np.ndarray, pred: np.ndarray, metric: str) -> float:
    if metric == "rmse_beta1":
        return float(masked_rmse(y[:, :1], pred[:, :1], missing_pred="ignore"))
    return float(masked_rmse(y, pred, missing_pred="ignore"))


def _jsonable(params: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in params.items():
        if isinstance(v, np.generic):
            v = v.item()
        out[k] = v
    return out


def _settings(
    objective: GroupedCVObjective, data_source: str, metric: str, n_rows: int
) -> dict[str, Any]:
    return {
        "groups": objective.groups,
        "n_splits": len(objective.splits),
        "metric": metric,
        "fixed_params": _jsonable(objective.fixed_params),
        "data": data_source,
        "n_rows": int(n_rows),
    }


def tune(
    X: pd.DataFrame,
    y: Any,
    *,
    n_trials: int | None = 20,
    timeout: float | None = None,
    n_study_trials: int | None = None,
    storage: str | None = None,
    heartbeat: int | None = DEFAULT_HEARTBEAT,
    retries: int = 2,
    study_name: str = "skmetalpka",
    groups: str = "ligand",
    n_splits: int = 3,
    metric: str = "rmse",
    fixed_params: Mapping[str, Any] | None = None,
    pruner: str = "median",
    sampler_seed: int | None = None,
    random_state: int = 0,
    data_source: str = "",
    callbacks: Sequence[Callable[[Any, Any], None]] = (),
) -> Any:
    """Run (or join) an Optuna study of the GNN pipeline with a grouped-CV objective.

    Parameters
    ----------
    X, y
        Training data (as for :func:`skmetalpka.default_pipeline`).
    n_trials : int or None, default=20
        Trials run by **this** call (other workers add their own). ``None``: until
        ``timeout`` or ``n_study_trials``.
    timeout : float, optional
        Seconds after which this call starts no new trial.
    n_study_trials : int, optional
        Start no new trial once the study holds this many finished (complete or pruned)
        trials, counting every worker's: the target of the whole study, which survives a
        worker that dies. Workers running together may overshoot it by one trial each.
    storage : str, optional
        Database URL (see :func:`make_storage`); default ``sqlite:///skmetalpka_tune.db``.
    heartbeat : int or None, default=DEFAULT_HEARTBEAT (60)
        Seconds between two heartbeats of this worker's running trial; a trial without one for
        ``2 * heartbeat`` seconds (its worker died) is marked FAIL and its parameters are
        re-queued by the next worker that starts a trial. ``None`` or 0: off. Give every
        worker of a study the same value.
    retries : int, default=2
        Times the parameters of a dead worker's trial are re-queued (see
        :func:`make_storage`).
    study_name : str, default="skmetalpka"
        Created if absent, joined if present.
    groups : {"ligand", "metal"}, default="ligand"
    n_splits : int, default=3
    metric : {"rmse", "rmse_beta1"}, default="rmse"
        Minimised.
    fixed_params : mapping, optional
        Pipeline parameters that are not searched.
    pruner : {"median", "halving", "none"}, default="median"
    sampler_seed : int, optional
        Seed of the TPE sampler. Leave it ``None`` when several workers share a study, or
        they propose the same parameters.
    random_state : int, default=0
        Seed of every trained model.
    data_source : str, optional
        Description of the data, stored with the study and checked when a worker joins.
    callbacks : sequence of callables, optional
        Passed to :meth:`optuna.study.Study.optimize` (called as ``cb(study, trial)``).

    Returns
    -------
    optuna.study.Study

    Raises
    ------
    ValueError
        Bad settings, or an existing study that was started with other settings.
    """
    import optuna

    if n_trials is None and timeout is None and n_study_trials is None:
        raise ValueError(
            "give n_trials or timeout (or n_study_trials); otherwise the study never ends"
        )
    if n_trials is not None and n_trials < 1:
        raise ValueError(f"n_trials must be at least 1, got {n_trials}")
    if n_study_trials is not None and n_study_trials < 1:
        raise ValueError(f"n_study_trials must be at least 1, got {n_study_trials}")
    rdb = make_storage(storage, heartbeat=heartbeat, retries=retries)  # before the data: fail fast
    objective = GroupedCVObjective(
        X,
        y,
        groups=groups,
        n_splits=n_splits,
        metric=metric,
        fixed_params=fixed_params,
        random_state=random_state,
    )
    settings = _settings(objective, data_source, metric, len(objective.X))
    from sqlalchemy.exc import SQLAlchemyError

    study = _retry(
        lambda: optuna.create_study(
            storage=rdb,
            study_name=study_name,
            direction="minimize",
            load_if_exists=True,
            sampler=optuna.samplers.TPESampler(seed=sampler_seed, n_startup_trials=5),
            pruner=make_pruner(pruner),
        ),
        SQLAlchemyError,
        f"could not create or load study {study_name!r}",
    )
    stored = study.user_attrs.get("settings")
    if stored is None:
        study.set_user_attr("settings", settings)
    elif stored != settings:
        diff = sorted(k for k in settings if stored.get(k) != settings[k])
        raise ValueError(
            f"study {study_name!r} in this storage was started with other settings ({', '.join(diff)}"
            f": stored {', '.join(f'{k}={stored.get(k)!r}' for k in diff)}); use the same "
            "settings or another --study name"
        )
    callbacks = list(callbacks)
    if n_study_trials is not None:
        finished = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
        if len(study.get_trials(deepcopy=False, states=finished)) >= n_study_trials:
            return study
        callbacks.insert(0, optuna.study.MaxTrialsCallback(n_study_trials, states=finished))
    study.optimize(
        objective,
        n_trials=n_trials,
        timeout=timeout,
        callbacks=callbacks,
        catch=(),
        gc_after_trial=True,
    )
    return study


def best_params(study: Any) -> dict[str, Any]:
    """Full :func:`skmetalpka.default_pipeline` parameters of the best trial (fixed ones too).

    Raises
    ------
    ValueError
        When the study has no completed trial yet.
    """
    import optuna

    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not done:
        raise ValueError(
            f"study {study.study_name!r} has no completed trial yet ({len(study.trials)} "
            "trials, none complete); run more trials"
        )
    trial = study.best_trial
    params = trial.user_attrs.get("params")
    if params is None:  # a trial written by something else: rebuild from its suggestions
        settings = study.user_attrs.get("settings", {})
        params = suggest_params(optuna.trial.FixedTrial(trial.params), settings.get("fixed_params"))
    return dict(params)


def export_best_params(study: Any, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Write :func:`best_params` as JSON (for ``skmetalpka fit --params``) and return it.

    The file also records the study, its best value and the trial number under ``_study``;
    ``skmetalpka fit`` ignores keys that start with an underscore.
    """
    params = best_params(study)
    payload = {
        **params,
        "_study": {
            "name": study.study_name,
            "best_trial": study.best_trial.number,
            "best_value": study.best_value,
            "settings": study.user_attrs.get("settings"),
            "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    }
    write_text(path, json.dumps(payload, indent=2) + "\n")
    return params


def trials_frame(study: Any) -> pd.DataFrame:
    """One row per trial: number, state, value, duration (s), pruned step and parameters."""
    rows = []
    for t in study.trials:
        last = max(t.intermediate_values) if t.intermediate_values else None
        duration = (
            (t.datetime_complete - t.datetime_start).total_seconds()
            if t.datetime_complete and t.datetime_start
            else float("nan")
        )
        rows.append(
            {
                "trial": t.number,
                "state": t.state.name,
                "value": t.value,
                "rmse_beta1": t.user_attrs.get("rmse_beta1"),
                "seconds": duration,
                "last_step": last,
                **t.params,
            }
        )
    return pd.DataFrame(rows)
