"""Estimators for the Dask tests; a module of its own so that Dask worker processes (spawned
with the test session's ``sys.path``) can unpickle them."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from skmetalpka.baselines import MetalMeanRegressor
from skmetalpka.persistence import save_model

#: Training rows of :func:`save_mean_model`: per-metal means Cu [9, 17], Ni [6, 13], Zn [6, 11].
TRAIN_X = pd.DataFrame(
    {
        "metal": ["Cu2+", "Cu2+", "Ni2+", "Ni2+", "Zn2+"],
        "smiles": ["NCCN", "NCC(=O)O", "NCCN", "NCC(=O)O", "NCCN"],
    }
)
TRAIN_Y = np.array([[10.0, 19.0], [8.0, 15.0], [7.0, 13.0], [5.0, np.nan], [6.0, 11.0]])


class SlowMeanRegressor(MetalMeanRegressor):
    """:class:`MetalMeanRegressor` that sleeps ``delay`` seconds in every ``predict``."""

    def __init__(self, on_error: str = "raise", delay: float = 0.0) -> None:
        self.on_error = on_error
        self.delay = delay

    def predict(self, X):
        time.sleep(self.delay)
        return super().predict(X)


class BrokenRegressor(MetalMeanRegressor):
    """Fits, then fails on every prediction (a model file that no longer works)."""

    def predict(self, X):
        raise RuntimeError("weights do not fit the network")


class ThreadCounter(MetalMeanRegressor):
    """Predicts the number of torch threads of the process it runs in (all rows, all steps)."""

    def fit(self, X, y):
        import torch

        super().fit(X, y)
        self.fit_threads_ = torch.get_num_threads()
        return self

    def predict(self, X):
        return np.full((len(X), self.n_steps_), float(self.fit_threads_))


def save_mean_model(path, estimator=None):
    """Fit ``estimator`` (default :class:`MetalMeanRegressor`) on the tiny table and pickle it.

    Pickled (load with ``trust_pickle=True``): the test classes above are not kinds of the safe
    ``.skmodel`` format (and a fitted baseline's ``metal_descriptor_names_`` is not either yet).
    """
    est = (estimator if estimator is not None else MetalMeanRegressor()).fit(TRAIN_X, TRAIN_Y)
    save_model(
        est,
        path,
        model="mean",
        trained_on="tiny test table",
        trained_metals=["Cu2+", "Ni2+", "Zn2+"],
        file_format="pickle",
    )
    return path
