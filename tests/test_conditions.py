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


def test_complexation_delta_z2_by_hand():
    from skmetalpka.conditions import complexation_delta_z2

    # Cu2+ + n L-: n=1 (1 - 4 - 1 = -4), n=2 (0 - 4 - 2 = -6); Cu2+ + n en (neutral): 0
    dz = complexation_delta_z2([2, 2, 1], [-1, 0, -2], 2, proton=[False, False, True])
    np.testing.assert_array_equal(dz[0], [-4, -6])
    np.testing.assert_array_equal(dz[1], [0, 0])
    # L2- + H+ = HL- (1 - 4 - 1 = -4); L2- + 2 H+ = H2L (0 - 4 - 2 = -6)
    np.testing.assert_array_equal(dz[2], [-4, -6])


def test_ionic_strength_shift_matches_davies_and_temperature():
    from skmetalpka.conditions import davies_a, ionic_strength_shift

    shift = ionic_strength_shift([2], [-1], [0.1], 1)
    assert shift[0, 0] == pytest.approx(davies_shift(-4, 0.1, a=float(davies_a(25.0))))
    assert ionic_strength_shift([2], [-1], [0.0], 1)[0, 0] == 0.0
    assert davies_a(25.0) == pytest.approx(0.509, abs=1e-3)
    assert davies_a(50.0) > davies_a(25.0) > davies_a(0.0)
    hot = ionic_strength_shift([2], [-1], [0.1], 1, temperature=[50.0])
    assert hot[0, 0] < shift[0, 0] < 0


def test_binding_charge_of_common_ligands():
    from rdkit import Chem

    from skmetalpka.featurize.donors import binding_charge

    cases = {
        "NCC(=O)O": -1,  # glycinate
        "OC(=O)C(=O)O": -2,  # oxalate
        "OC(=O)CN(CC(=O)O)CCN(CC(=O)O)CC(=O)O": -4,  # EDTA
        "NCCN": 0,  # ethylenediamine
        "N": 0,
    }
    for smi, z in cases.items():
        assert binding_charge(Chem.MolFromSmiles(smi)) == z, smi
