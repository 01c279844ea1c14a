"""Tests for skmetalpka.metals: ion parsing, canonical spelling and descriptors."""

from __future__ import annotations

import math
import re
import time

import numpy as np
import pytest

from skmetalpka.metals import (
    METAL_DESCRIPTOR_NAMES,
    UnknownMetalError,
    canonical_ion,
    format_ion,
    metal_descriptor_matrix,
    metal_descriptors,
    parse_ion,
)

COL = {name: i for i, name in enumerate(METAL_DESCRIPTOR_NAMES)}


def desc(ion: str) -> dict[str, float]:
    return dict(zip(METAL_DESCRIPTOR_NAMES, metal_descriptors(ion).tolist(), strict=True))


# --------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cu2+", ("Cu", 2)),
        ("Cu+2", ("Cu", 2)),
        ("Cu(2+)", ("Cu", 2)),
        ("Cu(+2)", ("Cu", 2)),
        ("Cu 2+", ("Cu", 2)),
        ("  Cu 2 +  ", ("Cu", 2)),
        ("Cu++", ("Cu", 2)),
        ("Cu(II)", ("Cu", 2)),
        ("[Cu+2]", ("Cu", 2)),
        ("Fe3+", ("Fe", 3)),
        ("Fe+++", ("Fe", 3)),
        ("Ag+", ("Ag", 1)),
        ("H+", ("H", 1)),
        ("Gd3+", ("Gd", 3)),
        ("U4+", ("U", 4)),
        ("Cu4+", ("Cu", 4)),  # listed by mendeleev as an (extended) oxidation state
    ],
)
def test_parse_valid(text, expected):
    assert parse_ion(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Xx9+", "'Xx' is not an element symbol"),
        ("copper", "element name"),
        ("Cu", "charge is missing"),
        ("cu2+", "did you mean 'Cu2+'"),
        ("NI2+", "did you mean 'Ni2+'"),
        ("Cl-", "anions"),
        ("Cu2-", "anions"),
        ("Fe0+", "must be positive"),
        ("Na2+", "highest known oxidation state of Na (+1)"),
        ("Zn3+", "highest known oxidation state of Zn (+2)"),
        ("Ag4+", "highest known oxidation state of Ag (+3)"),
        ("H2+", "only H+"),
        ("C4+", "non-metal"),
        ("He+", "non-metal"),
        ("UO2 2+", "polyatomic ions are not supported"),
        ("UO2(2+)", "polyatomic ions are not supported"),
        ("VO2+", "polyatomic ions are not supported"),
        ("Hg(OH)2", "polyatomic ions are not supported"),
        ("CH3Hg+", "polyatomic ions are not supported"),
        ("Hg2 2+", "polyatomic ions are not supported"),
        ("", "empty"),
        ("Cu2++", "does not have the form"),
    ],
)
def test_parse_invalid(text, fragment):
    with pytest.raises(UnknownMetalError) as info:
        parse_ion(text)
    msg = str(info.value)
    assert fragment in msg
    # every refusal shows the accepted format
    assert "such as 'Cu2+', 'Fe3+', 'Ag+'" in msg


def test_charge_above_electron_count_refused():
    # Li has 3 electrons; the oxidation-state check fires first (+1 max), but the message
    # still refuses clearly
    with pytest.raises(UnknownMetalError, match="Li"):
        parse_ion("Li4+")


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, 2, 2.0, ("Cu", 2), b"Cu2+"])
def test_parse_non_string(value):
    with pytest.raises(UnknownMetalError, match=re.escape("such as 'Cu2+'")):
        parse_ion(value)


def test_unknown_metal_error_is_value_error():
    assert issubclass(UnknownMetalError, ValueError)


@pytest.mark.parametrize(
    ("symbol", "charge", "text"),
    [("Cu", 2, "Cu2+"), ("Ag", 1, "Ag+"), ("H", 1, "H+"), ("Fe", 3, "Fe3+")],
)
def test_format_ion(symbol, charge, text):
    assert format_ion(symbol, charge) == text
    assert parse_ion(format_ion(symbol, charge)) == (symbol, charge)


@pytest.mark.parametrize(("symbol", "charge"), [("Cu", 0), ("Cu", -1), ("Xx", 2), ("Cu", 2.0)])
def test_format_ion_invalid(symbol, charge):
    with pytest.raises(UnknownMetalError):
        format_ion(symbol, charge)


def test_canonical_ion():
    assert canonical_ion("Cu(II)") == "Cu2+"
    assert canonical_ion(" Ag + ") == "Ag+"
    assert canonical_ion("Fe+++") == "Fe3+"


# --------------------------------------------------------------------------------------
# descriptors
# --------------------------------------------------------------------------------------
def test_descriptor_layout():
    v = metal_descriptors("Cu2+")
    assert v.dtype == np.float64
    assert v.shape == (len(METAL_DESCRIPTOR_NAMES),)
    assert 12 <= len(METAL_DESCRIPTOR_NAMES) <= 16
    assert len(set(METAL_DESCRIPTOR_NAMES)) == len(METAL_DESCRIPTOR_NAMES)


def test_cu2_values():
    d = desc("Cu2+")
    assert d["charge"] == 2.0
    assert d["ionic_radius"] == pytest.approx(0.73)  # Shannon, CN VI
    assert d["radius_estimated"] == 0.0
    assert d["electronegativity"] == pytest.approx(1.90)
    # NIST ionisation energies of Cu: 7.72638, 20.29239, 36.841 eV
    assert d["ionization_energy"] == pytest.approx(7.72638 + 20.29239, abs=1e-4)
    assert d["hardness"] == pytest.approx((36.841 - 20.29239) / 2, abs=1e-4)
    assert d["mulliken_electronegativity"] == pytest.approx((36.841 + 20.29239) / 2, abs=1e-4)
    assert d["charge_over_radius"] == pytest.approx(2 / 0.73)
    assert d["charge2_over_radius"] == pytest.approx(4 / 0.73)
    assert d["d_electrons"] == 9.0  # [Ar] 3d9
    assert d["f_electrons"] == 0.0
    assert d["valence_sp_electrons"] == 0.0
    assert (d["period"], d["group"], d["atomic_number"]) == (4.0, 11.0, 29.0)


def test_ag_values():
    d = desc("Ag+")
    assert d["charge"] == 1.0
    assert d["ionic_radius"] == pytest.approx(1.15)
    assert d["electronegativity"] == pytest.approx(1.93)
    assert d["ionization_energy"] == pytest.approx(7.576, abs=1e-3)
    assert d["d_electrons"] == 10.0
    assert (d["period"], d["group"], d["atomic_number"]) == (5.0, 11.0, 47.0)


def test_h_plus_row():
    d = desc("H+")
    assert d["charge"] == 1.0
    assert d["ionic_radius"] == pytest.approx(0.31)
    assert d["radius_estimated"] == 1.0
    assert d["electronegativity"] == pytest.approx(2.20)
    assert d["ionization_energy"] == pytest.approx(13.598, abs=1e-3)
    assert d["hardness"] == pytest.approx(2 * 13.598, abs=1e-2)
    assert d["mulliken_electronegativity"] == pytest.approx(3 * 13.598, abs=1e-2)
    assert d["charge_over_radius"] == pytest.approx(1 / 0.31)
    assert d["d_electrons"] == d["f_electrons"] == d["valence_sp_electrons"] == 0.0
    # H+ stays inside the range spanned by common cations instead of being an outlier
    assert d["charge_over_radius"] < desc("Al3+")["charge_over_radius"]
    assert d["charge2_over_radius"] < desc("Cu2+")["charge2_over_radius"]
    assert desc("Na+")["hardness"] < d["hardness"] < desc("Mg2+")["hardness"]


def test_high_spin_and_low_spin_choice():
    # Fe2+ aqua ion is high spin (0.78 A), Co3+ aqua ion low spin (0.545 A)
    assert desc("Fe2+")["ionic_radius"] == pytest.approx(0.78)
    assert desc("Fe3+")["ionic_radius"] == pytest.approx(0.645)
    assert desc("Co3+")["ionic_radius"] == pytest.approx(0.545)


def test_electron_counts():
    assert desc("Zn2+")["d_electrons"] == 10.0
    assert desc("Ca2+")["d_electrons"] == 0.0
    assert desc("Fe3+")["d_electrons"] == 5.0
    assert desc("Gd3+")["f_electrons"] == 7.0
    assert desc("Gd3+")["group"] == 3.0  # f-block -> group 3
    assert desc("Pb2+")["valence_sp_electrons"] == 2.0  # inert pair 6s2
    assert desc("Tl+")["valence_sp_electrons"] == 2.0
    assert desc("Hg2+")["valence_sp_electrons"] == 0.0


def test_radius_fallbacks():
    # Cu2+ has no other CN needed; Mg+ has no Shannon radius at all for +1:
    # only Mg2+ (0.72 A) is known -> 0.72 + 0.15 = 0.87, flagged
    d = desc("Mg+")
    assert d["radius_estimated"] == 1.0
    assert d["ionic_radius"] == pytest.approx(0.87)
    # Tl2+: interpolated between Tl+ (1.50) and Tl3+ (0.885)
    d = desc("Tl2+")
    assert d["radius_estimated"] == 1.0
    assert d["ionic_radius"] == pytest.approx((1.50 + 0.885) / 2)


def test_missing_pauling_electronegativity_interpolated():
    # Eu has no Pauling value in mendeleev: interpolated between Sm (1.17) and Gd (1.20)
    assert desc("Eu3+")["electronegativity"] == pytest.approx(1.185)


NIST_METALS = ["Cu2+", "Ni2+", "Zn2+", "Co2+", "Cd2+", "Ag+", "Ca2+", "Mn2+", "Mg2+", "Pb2+"]
COMMON = NIST_METALS + [
    "Fe2+", "Fe3+", "Al3+", "La3+", "Gd3+", "Hg2+", "H+", "Li+", "Na+", "K+", "Rb+", "Cs+",
    "Be2+", "Sr2+", "Ba2+", "Cr3+", "Co3+", "Cu+", "Hg+", "Tl+", "Tl3+", "Sn2+", "Sn4+",
    "Bi3+", "In3+", "Ga3+", "Sc3+", "Y3+", "Ce3+", "Ce4+", "Eu3+", "Lu3+", "Th4+", "U4+",
    "Pd2+", "Pt2+", "Au+", "V3+", "Ti4+", "Zr4+", "Am3+", "Pu4+",
]  # fmt: skip


def test_finite_for_common_cations():
    M = metal_descriptor_matrix(COMMON)
    assert M.shape == (len(COMMON), len(METAL_DESCRIPTOR_NAMES))
    assert np.isfinite(M).all()
    assert (M[:, COL["ionic_radius"]] > 0).all()
    # the NIST metals all have tabulated (not estimated) radii
    assert (metal_descriptor_matrix(NIST_METALS)[:, COL["radius_estimated"]] == 0).all()


def test_finite_for_every_accepted_cation_up_to_lr():
    from skmetalpka.metals import _tables

    tables = _tables()
    n_checked = 0
    for z, sym in tables.symbol.items():
        if z > 103:
            continue
        for q in range(1, 5):
            try:
                parse_ion(f"{sym}{q}+")
            except UnknownMetalError:
                continue
            v = metal_descriptors(f"{sym}{q}+")
            assert np.isfinite(v).all(), (sym, q)
            assert 0.2 < v[COL["ionic_radius"]] < 2.5, (sym, q)
            n_checked += 1
    assert n_checked > 250


def test_superheavy_without_data_refused_clearly():
    with pytest.raises(UnknownMetalError, match="ionisation energy"):
        metal_descriptors("Cn2+")


def test_polyatomic_refused_by_descriptors():
    with pytest.raises(UnknownMetalError, match="polyatomic"):
        metal_descriptors("UO2 2+")


def test_matrix_and_errors():
    M = metal_descriptor_matrix(["Cu2+", "Cu(II)", "Ag+"])
    np.testing.assert_array_equal(M[0], M[1])
    assert M[2, COL["charge"]] == 1.0
    assert metal_descriptor_matrix([]).shape == (0, len(METAL_DESCRIPTOR_NAMES))
    with pytest.raises(UnknownMetalError, match="position 1"):
        metal_descriptor_matrix(["Cu2+", "Xx2+"])
    with pytest.raises(TypeError):
        metal_descriptor_matrix("Cu2+")


def test_returned_array_is_a_copy():
    v = metal_descriptors("Ni2+")
    v[:] = -1.0
    assert metal_descriptors("Ni2+")[COL["charge"]] == 2.0


def test_cached_lookup_is_fast():
    metal_descriptors("Zn2+")  # warm
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        metal_descriptors("Zn2+")
    per_call = (time.perf_counter() - t0) / n
    assert per_call < 50e-6, f"{per_call * 1e6:.1f} us per cached call"
    assert not math.isnan(per_call)
