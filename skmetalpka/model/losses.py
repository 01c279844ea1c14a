"""Training losses on targets with missing steps."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["MaskedHuberLoss"]


class MaskedHuberLoss(nn.Module):
    """Huber loss over measured entries only, on per-step standardised values.

    ``forward(pred, target)`` takes predictions and targets in original units (cumulative
    log beta, shape ``(B, N)``); NaN in ``target`` marks an unmeasured step and contributes
    nothing. Each step n is divided by ``scale[n]`` (the training standard deviation of that
    step) so that every step weighs alike. Step n of a prediction is only ever compared with
    step n of its own target.

    Parameters
    ----------
    scale : sequence of float, length N
        Per-step scale (standard deviation) of the target.
    delta : float, default=1.0
        Huber threshold in standardised units.
    ordering_penalty : float, default=0.0
        Weight of a soft penalty on ``log K_{n+1} > log K_n`` (stepwise constants usually
        decrease with n). 0 disables it.
    """

    def __init__(self, scale=None, delta: float = 1.0, ordering_penalty: float = 0.0) -> None:
        super().__init__()
        scale_t = torch.ones(1) if scale is None else torch.as_tensor(scale, dtype=torch.float32)
        self.register_buffer("scale", scale_t.reshape(-1))
        self.delta = float(delta)
        self.ordering_penalty = float(ordering_penalty)

    def forward(
        self, pred: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Mean Huber loss over measured entries; ``weight`` (B,) weighs whole rows."""
        n = min(pred.shape[1], target.shape[1])
        pred, target = pred[:, :n], target[:, :n]
        mask = ~torch.isnan(target)
        if not bool(mask.any()):
            return pred.sum() * 0.0
        scale = self.scale[:n] if self.scale.numel() >= n else self.scale.expand(n)
        diff = (pred - torch.nan_to_num(target)) / scale
        absd = diff.abs()
        huber = torch.where(
            absd <= self.delta, 0.5 * diff**2, self.delta * (absd - 0.5 * self.delta)
        )
        if weight is None:
            loss = huber[mask].mean()
        else:
            w = weight.reshape(-1, 1).to(huber.dtype).expand_as(huber)[mask]
            loss = (huber[mask] * w).sum() / w.sum().clamp_min(1e-12)
        if self.ordering_penalty > 0 and pred.shape[1] > 1:
            logk = torch.diff(pred, dim=1, prepend=torch.zeros_like(pred[:, :1]))
            rise = torch.relu(logk[:, 1:] - logk[:, :-1]) / scale[1:]
            loss = loss + self.ordering_penalty * rise.mean()
        return loss
