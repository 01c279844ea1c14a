"""Training plumbing of the regressor: the graph dataset, the ligand-grouped validation split,
the learning-rate schedule and the callbacks (per-step validation RMSE, progress bar)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from skorch.callbacks import Callback
from torch.utils.data import Dataset, Subset

from ..featurize.graph import ComplexGraph

__all__ = [
    "GraphDataset",
    "LigandGroupSplit",
    "warmup_cosine",
    "PerStepValidRMSE",
    "EpochProgress",
    "TailWeightAveraging",
]


class GraphDataset(Dataset):
    """``(graph, target row)`` pairs for PyG's DataLoader; targets are NaN-padded float32."""

    def __init__(self, X: list[ComplexGraph], y: Any = None, n_steps: int | None = None):
        self.X = X
        if y is None:
            width = n_steps or 1
            self.y = torch.full((len(X), width), float("nan"))
        else:
            self.y = torch.as_tensor(np.asarray(y, dtype=np.float32))
            if self.y.ndim == 1:
                self.y = self.y.unsqueeze(-1)

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int):
        return self.X[i], self.y[i]


class LigandGroupSplit:
    """Internal train/validation split that holds out whole ligands (by canonical SMILES).

    Validating on ligands seen in training would reward memorising them; the benchmarks ask
    about unseen ligands, so early stopping must too.

    Parameters
    ----------
    fraction : float
        Share of ligands held out for validation.
    random_state : int
    """

    def __init__(self, fraction: float = 0.15, random_state: int | None = 0) -> None:
        self.fraction = fraction
        self.random_state = random_state

    def __call__(self, dataset, y=None, groups=None):
        graphs = dataset.X
        keys = [g.smiles for g in graphs]
        uniq = sorted(set(keys))
        rng = np.random.default_rng(self.random_state)
        n_valid = max(1, int(round(self.fraction * len(uniq)))) if len(uniq) > 1 else 0
        held = set(rng.permutation(uniq)[:n_valid].tolist()) if n_valid else set()
        idx_valid = [i for i, k in enumerate(keys) if k in held]
        idx_train = [i for i, k in enumerate(keys) if k not in held]
        if not idx_valid:
            return dataset, None
        return Subset(dataset, idx_train), Subset(dataset, idx_valid)

    def __repr__(self) -> str:
        return f"LigandGroupSplit(fraction={self.fraction}, random_state={self.random_state})"


def warmup_cosine(epoch: int, *, warmup: int, total: int, floor: float) -> float:
    """LR multiplier: linear warm-up, then cosine decay to ``floor`` (never below it)."""
    if warmup > 0 and epoch < warmup:
        return floor + (1.0 - floor) * (epoch + 1) / warmup
    span = max(1, total - warmup)
    t = min(1.0, (epoch - warmup) / span)
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * t))


class PerStepValidRMSE(Callback):
    """Record validation RMSE of cumulative log beta in original units, overall and per step.

    Writes ``valid_rmse`` and ``valid_rmse_1`` .. ``valid_rmse_N`` into the history each epoch.
    """

    def on_epoch_begin(self, net, **kwargs):
        self._pred, self._true = [], []

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if training or y_pred is None:
            return
        self._pred.append(net.to_beta(y_pred.detach()).cpu())
        self._true.append(batch[1].cpu())

    def on_epoch_end(self, net, **kwargs):
        if not self._pred:
            return
        from ..metrics import per_step_report

        pred = torch.cat(self._pred).numpy().astype(np.float64)
        true = torch.cat(self._true).numpy().astype(np.float64)
        rmse = per_step_report(true, pred)["rmse"]
        net.history.record("valid_rmse", float(rmse["all"]))
        for k in range(1, true.shape[1] + 1):
            net.history.record(f"valid_rmse_{k}", float(rmse[k]))


class TailWeightAveraging(Callback):
    """Average the network's weights over the last epochs of training (Polyak / SWA style).

    After each of the last ``ceil(fraction * max_epochs)`` epochs the module's floating-point
    state is added to a running mean; at the end of training the mean replaces the weights.
    The average of the iterates of a low learning-rate tail sits nearer the centre of the
    basin than any single one of them, so it generalises better at no extra training cost.
    The network has no batch norm (layer norm only), so no statistics need recomputing.

    Parameters
    ----------
    fraction : float
        Share of ``max_epochs`` at the end of training whose weights are averaged, in (0, 1].

    Notes
    -----
    Epochs are counted within one call of ``fit``/``partial_fit`` (a pre-training phase
    averages its own tail). If training stops before the window begins (early stopping), the
    weights are left as they are.
    """

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction

    def on_train_begin(self, net, **kwargs):
        if not 0.0 < float(self.fraction) <= 1.0:
            raise ValueError(f"weight_averaging must be in (0, 1], got {self.fraction!r}")
        epochs = int(net.max_epochs)
        self._start = epochs - max(1, math.ceil(float(self.fraction) * epochs))
        self._epoch = 0
        self._count = 0
        self._mean: dict[str, torch.Tensor] = {}

    def on_epoch_end(self, net, **kwargs):
        self._epoch += 1
        if self._epoch <= self._start:
            return
        self._count += 1
        for name, value in net.module_.state_dict().items():
            if not torch.is_floating_point(value):
                continue  # state_dict() tensors are already detached
            if name not in self._mean:
                self._mean[name] = value.clone()
            else:
                self._mean[name] += (value - self._mean[name]) / self._count

    def on_train_end(self, net, **kwargs):
        if self._count:
            net.module_.load_state_dict(self._mean, strict=False)
        net.history.record("weights_averaged", int(self._count))
        self._mean = {}


class EpochProgress(Callback):
    """tqdm bar over epochs (on stderr) showing the latest validation RMSE."""

    def on_train_begin(self, net, **kwargs):
        from tqdm.auto import tqdm

        self._bar = tqdm(total=net.max_epochs, desc="training", unit="epoch", leave=False)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        if "valid_rmse" in row:
            self._bar.set_postfix_str(f"valid RMSE {row['valid_rmse']:.3f}")
        self._bar.update(1)

    def on_train_end(self, net, **kwargs):
        bar = getattr(self, "_bar", None)
        if bar is not None:
            bar.close()
            self._bar = None


def _finite_stats(values: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):
        mean = np.nanmean(values, axis=axis)
        std = np.nanstd(values, axis=axis)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    std = np.where(np.isfinite(std) & (std > 1e-6), std, 1.0)
    return mean, std
