"""MaskedHuberLoss: NaN steps are ignored, steps are never mixed."""

from __future__ import annotations

import math

import pytest
import torch

from skmetalpka.model.losses import MaskedHuberLoss

NAN = float("nan")


def test_nan_steps_contribute_nothing():
    loss = MaskedHuberLoss(scale=[1.0, 1.0, 1.0], delta=100.0)
    pred = torch.tensor([[1.0, 5.0, 9.0], [2.0, 3.0, 100.0]])
    target = torch.tensor([[1.5, NAN, NAN], [2.0, 4.0, NAN]])
    # squared errors over measured entries: 0.25, 0, 1 -> mean(0.5*e^2) = 0.5*(1.25)/3
    assert loss(pred, target).item() == pytest.approx(0.5 * 1.25 / 3)


def test_step_n_is_compared_with_step_n_only():
    loss = MaskedHuberLoss(scale=[1.0, 1.0], delta=100.0)
    target = torch.tensor([[4.0, 7.0]])
    right = loss(torch.tensor([[4.0, 7.0]]), target).item()
    reused = loss(torch.tensor([[4.0, 4.0]]), target).item()  # step-1 value reused for step 2
    assert right == 0.0
    assert reused == pytest.approx(0.5 * 9 / 2)


def test_per_step_scale_and_huber_tail():
    loss = MaskedHuberLoss(scale=[1.0, 2.0], delta=1.0)
    pred = torch.tensor([[0.0, 0.0]])
    target = torch.tensor([[3.0, 1.0]])
    # step 1: |3| > 1 -> 1*(3-0.5)=2.5 ; step 2: 1/2=0.5 -> 0.5*0.25=0.125
    assert loss(pred, target).item() == pytest.approx((2.5 + 0.125) / 2)


def test_all_missing_gives_zero_with_gradient():
    loss = MaskedHuberLoss(scale=[1.0])
    pred = torch.tensor([[1.0]], requires_grad=True)
    out = loss(pred, torch.tensor([[NAN]]))
    out.backward()
    assert out.item() == 0.0 and not math.isnan(pred.grad.item())


def test_ordering_penalty_only_when_k_rises():
    loss = MaskedHuberLoss(scale=[1.0, 1.0], ordering_penalty=1.0)
    target = torch.tensor([[NAN, NAN], [5.0, NAN]])
    falling = torch.tensor([[5.0, 8.0], [5.0, 8.0]])  # K1=5, K2=3
    rising = torch.tensor([[5.0, 12.0], [5.0, 12.0]])  # K1=5, K2=7
    assert loss(falling, target).item() == pytest.approx(0.0)
    assert loss(rising, target).item() == pytest.approx(2.0)
