"""skmetalpka.conditions: the Davies correction used to check ionic-strength trends."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skmetalpka.conditions import davies_shift


def test_davies_shift_by_hand():
    # f(0.1) = sqrt(.1)/(1+sqrt(.1)) - 0.03 = 0.240253 - 0.03 = 0.210253
    f01 = math.sqrt(0.1) / (1 + math.sqrt(0.1)) - 0.03
    assert davies_shift(-2, 0.1) == pytest.approx(0.509 * -2 * f01)  # H+ + L- = HL: falls
    assert davies_shift(0, 0.5) == 0.0  # H+ + L = HL+ (neutral amine): no change
    assert davies_shift(-4, 0.5, reference=0.1) == pytest.approx(
        0.509 * -4 * ((math.sqrt(0.5) / (1 + math.sqrt(0.5)) - 0.15) - f01)
    )
    np.testing.assert_allclose(davies_shift(-2, [0.0, 0.1]), [0.0, 0.509 * -2 * f01])
