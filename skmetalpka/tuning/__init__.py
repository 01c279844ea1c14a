"""Hyperparameter search for the GNN pipeline with Optuna, on local or shared storage.

:func:`tune` runs an Optuna study whose objective is a **grouped cross-validation** of
:func:`skmetalpka.default_pipeline` (GroupKFold by ligand or by metal, so that a trial is
scored on ligands or metals it never saw). While a fold trains, :class:`OptunaPruning` (a
skorch callback) reports the validation RMSE of every epoch to the trial, so that Optuna's
pruner (median or successive halving) stops a bad trial early.

Storage is any URL Optuna accepts. The default is a local SQLite file; a PostgreSQL or MySQL
URL (``postgresql://user:password@host/db``, driver: ``pip install skmetalpka[postgres]``) lets
processes on several machines work on one study: start ``skmetalpka tune`` with the same
``--storage`` and ``--study`` on each. A study remembers its settings (groups, folds, metric,
fixed parameters, data); a worker that joins with different settings is refused, because its
values would not be comparable.

A running trial writes a heartbeat to the storage every ``heartbeat`` seconds. When a worker
dies (killed, machine lost) its trial stays RUNNING; the next worker that starts a trial and
finds it without a heartbeat for ``2 * heartbeat`` seconds marks it FAIL and puts its
parameters back in the queue (at most ``retries`` times), so the study loses no trial.

Steps of the intermediate values: fold ``k`` (0-based), epoch ``e`` (1-based) is reported at
step ``k * STEP_STRIDE + e``, so the pruner compares trials at the same fold and epoch.
"""

from .storage import DEFAULT_HEARTBEAT, check_storage, display_url, make_storage, storage_url
from .study import (
    METRICS,
    PRUNERS,
    SEARCH_SPACE,
    STEP_STRIDE,
    GroupedCVObjective,
    OptunaPruning,
    best_params,
    export_best_params,
    make_pruner,
    suggest_params,
    trials_frame,
    tune,
)

__all__ = [
    "SEARCH_SPACE",
    "STEP_STRIDE",
    "METRICS",
    "PRUNERS",
    "OptunaPruning",
    "suggest_params",
    "DEFAULT_HEARTBEAT",
    "storage_url",
    "display_url",
    "check_storage",
    "make_storage",
    "make_pruner",
    "GroupedCVObjective",
    "tune",
    "best_params",
    "export_best_params",
    "trials_frame",
]
