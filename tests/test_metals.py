"""Tests for skmetalpka.featurize.metals: physical descriptors of metal ions.

Parsing and spelling are tested in ``test_ions.py``.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from pathlib import Path

import numpy as np
import pytest

from skmetalpka.featurize import metals as metals_mod
from skmetalpka.featurize.metals import (
    LEGACY_METAL_DESCRIPTOR_NAMES,
    METAL_DESCRIPTOR_NAMES,
    metal_descriptor_matrix,
    metal_descriptors,
)
from skmetalpka.ions import (
    OXO_CATIONS,
    UnknownMetalError,
    _tables,
    canonical_ion,
    interpret_source_ion,
    parse_ion,
)

COL = {name: i for i, name in enumerate(METAL_DESCRIPTOR_NAMES)}


def desc(ion: str) -> dict[str, float]:
    return dict(zip(METAL_DESCRIPTOR_NAMES, metal_descriptors(ion).tolist(), strict=True))


def test_deprecated_module_still_exports_the_api():
    from skmetalpka import metals as shim

    assert shim.METAL_DESCRIPTOR_NAMES is METAL_DESCRIPTOR_NAMES
    assert shim.parse_ion("Cu2+") == ("Cu", 2)
    np.testing.assert_array_equal(shim.metal_descriptors("Cu2+"), metal_descriptors("Cu2+"))


# --------------------------------------------------------------------------------------
# descriptors
# --------------------------------------------------------------------------------------
def test_descriptor_layout():
    v = metal_descriptors("Cu2+")
    assert v.dtype == np.float64
    assert v.shape == (len(METAL_DESCRIPTOR_NAMES),) == (23,)
    assert len(set(METAL_DESCRIPTOR_NAMES)) == len(METAL_DESCRIPTOR_NAMES)


def test_names_are_append_only():
    # the 0.1.0 descriptors keep their place: saved models select them by position/name
    assert LEGACY_METAL_DESCRIPTOR_NAMES == (
        "charge", "ionic_radius", "radius_estimated", "electronegativity",
        "ionization_energy", "hardness", "mulliken_electronegativity", "charge_over_radius",
        "charge2_over_radius", "d_electrons", "f_electrons", "valence_sp_electrons", "period",
        "group", "atomic_number",
    )  # fmt: skip
    assert METAL_DESCRIPTOR_NAMES[:15] == LEGACY_METAL_DESCRIPTOR_NAMES


def test_names_select_and_order_descriptors():
    full = metal_descriptors("La3+")
    legacy = metal_descriptors("La3+", names=LEGACY_METAL_DESCRIPTOR_NAMES)
    np.testing.assert_array_equal(legacy, full[:15])
    picked = metal_descriptors("La3+", names=["f_block", "charge"])
    np.testing.assert_array_equal(picked, [1.0, 3.0])
    M = metal_descriptor_matrix(["La3+", "UO2 2+"], names=("oxo_count", "charge"))
    np.testing.assert_array_equal(M, [[0.0, 3.0], [2.0, 2.0]])
    assert metal_descriptor_matrix([], names=["charge"]).shape == (0, 1)
    with pytest.raises(ValueError, match="unknown metal descriptor name.*'radius'"):
        metal_descriptors("La3+", names=["radius"])
    with pytest.raises(TypeError, match="not one string"):
        metal_descriptors("La3+", names="charge")


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
    with pytest.raises(UnknownMetalError, match="ionisation energy.*beyond Lr"):
        metal_descriptors("Cn2+")


def test_polyatomic_refused_by_descriptors():
    with pytest.raises(UnknownMetalError, match="polyatomic"):
        metal_descriptors("Hg(OH)2")
    with pytest.raises(UnknownMetalError, match="ambiguous"):
        metal_descriptors("VO2+")


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


def test_radius_rule_two_is_moved_to_cn6_and_flagged():
    # Es3+ is tabulated only at CN IX (1.116 A): moved by 3 CN steps of ~0.057 A, it continues
    # the actinide contraction after Cf3+ (0.95 A at CN VI) instead of jumping to La3+ size
    es, cf = desc("Es3+"), desc("Cf3+")
    assert es["radius_estimated"] == 1.0 and cf["radius_estimated"] == 0.0
    assert es["ionic_radius"] == pytest.approx(1.116 - 3 * 0.057, abs=1e-3)
    assert es["ionic_radius"] < cf["ionic_radius"]
    # Sm2+ (CN VII 1.22 A) lands next to Eu2+ (CN VI 1.17 A)
    assert desc("Sm2+")["ionic_radius"] == pytest.approx(1.22 - 0.057, abs=1e-3)


# --------------------------------------------------------------------------------------
# every ion of the public corpus
# --------------------------------------------------------------------------------------
LANTHANIDES = "La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu".split()
ACTINIDES_3 = "Ac U Np Pu Am Cm Bk Cf".split()
CORPUS_IONS = (
    (
        "Li+ Na+ K+ Rb+ Cs+ Be2+ Mg2+ Ca2+ Sr2+ Ba2+ Sc3+ Y3+ "
        "V3+ Cr2+ Cr3+ Mn2+ Fe2+ Fe3+ Co2+ Co3+ Ni2+ Cu+ Cu2+ Zn2+ Ga3+ Pd2+ Ag+ Cd2+ In3+ "
        "Pt2+ Au+ Hg2+ Tl+ Tl3+ Pb2+ Bi3+ Al3+ Sn2+ "
        "Ce4+ Eu2+ Sm2+ Yb2+ Th4+ U4+ Np4+ Pu4+ Pu3+ H+"
    ).split()
    + [f"{el}3+" for el in LANTHANIDES + ACTINIDES_3]
    + list(OXO_CATIONS)
)


@pytest.mark.parametrize("ion", CORPUS_IONS)
def test_corpus_ion_has_finite_descriptors(ion):
    v = metal_descriptors(ion)
    assert np.isfinite(v).all()
    d = dict(zip(METAL_DESCRIPTOR_NAMES, v, strict=True))
    assert 0.3 <= d["ionic_radius"] <= 2.2
    assert 0.3 <= d["ionic_radius_cn8"] <= 2.5
    assert d["hardness"] > 0 and d["softness"] > 0
    assert 1 <= d["effective_charge"] <= d["oxidation_state"] <= 6
    for flag in ("radius_estimated", "radius_cn8_estimated", "ionization_energy_estimated"):
        assert d[flag] in (0.0, 1.0)
    assert d["ionization_energy_estimated"] == 0.0  # mendeleev has every IE needed here


def _bracket_metals(path: Path) -> dict[str, int]:
    """Metal atoms ``[M+q]`` of a LOGKPREDICT table, as canonical bare-ion labels with counts."""
    non_metals = set("H B C N O F Si P S Cl As Se Br Te I".split())
    counts: dict[str, int] = {}
    n_rows = 0
    for line in path.read_text(encoding="utf-8-sig").splitlines()[1:]:
        if not line.strip():
            continue
        n_rows += 1
        smiles = line.rsplit(",", 1)[0]
        atoms = set(re.findall(r"\[\d*([A-Z][a-z]?)@*(?:H\d*)?([+-]\d*)(?::\d+)?\]", smiles))
        metals = {(el, q) for el, q in atoms if el not in non_metals}
        assert len(metals) == 1, f"row {n_rows} of {path.name}: metals {metals}"
        (el, q), *_ = metals
        label = canonical_ion(f"{el}{q}")
        counts[label] = counts.get(label, 0) + 1
    return counts


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("name", "n_labels"),
    [("logkpredict_nist_k1.csv", 50), ("logkpredict_iupac_lanthanides_k1.csv", 18)],
)
def test_every_ion_of_the_shared_tables_parses_and_has_descriptors(nist_dir, name, n_labels):
    path = nist_dir / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {nist_dir}")
    counts = _bracket_metals(path)
    assert len(counts) == n_labels
    meant = {label: interpret_source_ion(label, "logkpredict") for label in counts}
    M = metal_descriptor_matrix(list(meant.values()))
    assert np.isfinite(M).all()
    assert (M[:, COL["ionization_energy_estimated"]] == 0).all()
    if "nist" in name:
        # the oxo-cations written as bare atoms, read as the species the source means
        assert {meant["U2+"], meant["Pu2+"], meant["V2+"]} == {"UO2 2+", "PuO2 2+", "VO 2+"}
        assert (counts["U2+"], counts["Pu2+"], counts["V2+"]) == (43, 10, 32)
        assert {"U4+", "Pu4+", "Th4+", "Am3+", "Cm3+", "Ac3+", "V3+"} <= set(meant.values())
    else:
        assert {"Eu2+", "Yb2+", "Ce4+", "Pm3+", "Sc3+", "Y3+"} <= set(meant.values())
        assert all(meant[label] == label for label in counts)  # nothing to translate


# --------------------------------------------------------------------------------------
# physical sanity
# --------------------------------------------------------------------------------------
def test_lanthanide_contraction():
    M = metal_descriptor_matrix([f"{el}3+" for el in LANTHANIDES])
    for name in ("ionic_radius", "ionic_radius_cn8"):
        assert (np.diff(M[:, COL[name]]) < 0).all(), name
    assert (M[:, COL["radius_estimated"]] == 0).all()
    assert (M[:, COL["radius_cn8_estimated"]] == 0).all()  # all tabulated at CN VIII
    np.testing.assert_array_equal(M[:, COL["f_electrons"]], np.arange(15))
    assert (M[:, COL["f_block"]] == 1).all()
    assert (np.diff(M[:, COL["charge_over_radius"]]) > 0).all()
    assert M[0, COL["ionic_radius_cn8"]] == pytest.approx(1.16)  # La3+, Shannon CN VIII
    assert M[-1, COL["ionic_radius_cn8"]] == pytest.approx(0.977)  # Lu3+


def test_actinide_contraction_and_f_block_flag():
    M = metal_descriptor_matrix([f"{el}3+" for el in "U Np Pu Am Cm Bk Cf Es".split()])
    assert (np.diff(M[:, COL["ionic_radius"]]) < 0).all()
    np.testing.assert_array_equal(M[:, COL["f_electrons"]], np.arange(3, 11))
    assert desc("Y3+")["f_block"] == desc("Sc3+")["f_block"] == desc("Hg2+")["f_block"] == 0.0
    assert desc("Th4+")["f_block"] == desc("Ac3+")["f_block"] == 1.0


def test_higher_charge_is_harder_and_smaller():
    fe2, fe3 = desc("Fe2+"), desc("Fe3+")
    assert fe3["charge_over_radius"] > fe2["charge_over_radius"]
    assert fe3["ionic_radius"] < fe2["ionic_radius"]
    assert fe3["hardness"] > fe2["hardness"] and fe3["softness"] < fe2["softness"]
    ce3, ce4 = desc("Ce3+"), desc("Ce4+")
    assert ce4["charge_over_radius"] > ce3["charge_over_radius"]
    assert desc("Eu2+")["ionic_radius"] > desc("Eu3+")["ionic_radius"]


def test_softness_orders_pearson_acids():
    soft = metal_descriptor_matrix(["Ag+", "Hg2+", "Pd2+", "Cu+"])[:, COL["softness"]]
    hard = metal_descriptor_matrix(["Al3+", "Be2+", "Mg2+", "Ca2+", "La3+"])[:, COL["softness"]]
    assert soft.min() > hard.max()


def test_uranyl_is_its_own_species():
    uo2, u4, u2 = desc("UO2 2+"), desc("U4+"), desc("U2+")
    assert uo2["charge"] == 2.0 and uo2["oxidation_state"] == 6.0 and uo2["oxo_count"] == 2.0
    assert uo2["effective_charge"] == pytest.approx(3.25)
    assert uo2["ionic_radius"] == pytest.approx(0.81)  # Shannon U(VI), CN VII
    assert uo2["ionic_radius_cn8"] == pytest.approx(0.86)  # U(VI), CN VIII
    assert uo2["radius_estimated"] == uo2["radius_cn8_estimated"] == 0.0
    assert uo2["f_electrons"] == 0.0 and u4["f_electrons"] == 2.0  # 5f0 vs 5f2
    # ionisation terms of a bare ion of charge 3.25: a quarter of the way from U3+ to U4+
    u3 = desc("U3+")
    expected = u3["ionization_energy"] + 0.25 * (u4["ionization_energy"] - u3["ionization_energy"])
    assert uo2["ionization_energy"] == pytest.approx(expected)
    assert u3["hardness"] > uo2["hardness"] > u4["hardness"]
    for other in (u4, u2):
        diff = [n for n in METAL_DESCRIPTOR_NAMES if not math.isclose(uo2[n], other[n])]
        assert {"oxidation_state", "oxo_count", "ionic_radius", "charge_over_radius"} <= set(diff)
    np.testing.assert_array_equal(metal_descriptors("uranyl"), metal_descriptors("UO22+"))


def test_actinide_cation_order_of_choppin():
    # complexation strength An4+ > AnO2 2+ >= An3+ > AnO2 +, followed by q_eff / r
    for el in ("U", "Np", "Pu"):
        order = [f"{el}4+", f"{el}O2 2+", f"{el}3+", f"{el}O2 +"]
        ionic_potential = metal_descriptor_matrix(order)[:, COL["charge_over_radius"]]
        assert (np.diff(ionic_potential) < 0).all(), (el, ionic_potential)


def test_actinyl_series():
    six = metal_descriptor_matrix(["UO2 2+", "NpO2 2+", "PuO2 2+", "AmO2 2+"])
    five = metal_descriptor_matrix(["UO2 +", "NpO2 +", "PuO2 +", "AmO2 +"])
    assert (np.diff(six[:, COL["ionic_radius"]]) < 0).all()  # actinide contraction
    assert (np.diff(five[:, COL["ionic_radius"]]) < 0).all()
    assert (five[:, COL["ionic_radius"]] > six[:, COL["ionic_radius"]]).all()
    np.testing.assert_allclose(six[:, COL["effective_charge"]], 3.25)
    np.testing.assert_allclose(five[:, COL["effective_charge"]], 2.25)
    np.testing.assert_array_equal(six[:, COL["f_electrons"]], [0, 1, 2, 3])
    np.testing.assert_array_equal(five[:, COL["f_electrons"]], [1, 2, 3, 4])
    # Np/Pu have no CN VII radius and Am(V)/(VI) no radius at all: estimated and flagged
    np.testing.assert_array_equal(six[:, COL["radius_estimated"]], [0, 1, 1, 1])
    assert desc("AmO2 2+")["ionic_radius"] == pytest.approx(
        desc("PuO2 2+")["ionic_radius"] - (0.86 - 0.85)  # Pu4+ - Am4+ contraction, CN VI
    )


def test_vanadyl_and_pervanadyl():
    vo, vo2, v2, v4 = desc("VO 2+"), desc("VO2 +"), desc("V2+"), desc("V4+")
    assert vo["ionic_radius"] == pytest.approx(0.58)  # V(IV), CN VI
    assert vo2["ionic_radius"] == pytest.approx(0.54)  # V(V), CN VI
    assert (vo["d_electrons"], vo2["d_electrons"], v2["d_electrons"]) == (1.0, 0.0, 3.0)
    assert (vo["oxidation_state"], vo2["oxidation_state"]) == (4.0, 5.0)
    assert (vo["oxo_count"], vo2["oxo_count"]) == (1.0, 2.0)
    assert vo["effective_charge"] == pytest.approx(2.625)
    assert vo2["effective_charge"] == pytest.approx(2.25)
    assert not np.allclose(metal_descriptors("VO 2+"), metal_descriptors("V2+"))
    assert not np.allclose(metal_descriptors("VO 2+"), metal_descriptors("V4+"))
    assert v4["oxo_count"] == 0.0


def test_single_element_ions_have_no_oxo_and_full_charge():
    M = metal_descriptor_matrix(["Cu2+", "La3+", "Th4+", "Ag+"])
    np.testing.assert_array_equal(M[:, COL["oxo_count"]], 0.0)
    np.testing.assert_array_equal(M[:, COL["effective_charge"]], M[:, COL["charge"]])
    np.testing.assert_array_equal(M[:, COL["oxidation_state"]], M[:, COL["charge"]])
    np.testing.assert_allclose(
        M[:, COL["charge_over_radius"]], M[:, COL["charge"]] / M[:, COL["ionic_radius"]]
    )
    np.testing.assert_allclose(M[:, COL["softness"]], 1 / (2 * M[:, COL["hardness"]]))


def test_cn8_radius_estimate():
    # Cu2+ has no CN VIII radius: the CN VI radius + 2 median steps, flagged
    d = desc("Cu2+")
    assert d["radius_cn8_estimated"] == 1.0
    assert d["ionic_radius_cn8"] == pytest.approx(0.73 + 2 * 0.057, abs=1e-3)
    assert desc("Ca2+")["ionic_radius_cn8"] == pytest.approx(1.12)  # tabulated
    assert 0.05 < metals_mod._cn_step() < 0.065


# --------------------------------------------------------------------------------------
# ionisation energies missing from mendeleev
# --------------------------------------------------------------------------------------
@pytest.fixture()
def tables_without(monkeypatch):
    """Install mendeleev tables where some elements lack their higher ionisation energies."""

    def install(keep: dict[str, int]):
        t = _tables()
        ie = dict(t.ie)
        for sym, n in keep.items():
            ie[t.z_of[sym]] = t.ie[t.z_of[sym]][:n]
        patched = dataclasses.replace(t, ie=ie)
        monkeypatch.setattr(metals_mod, "_tables", lambda: patched)
        metals_mod._descriptor_row.cache_clear()
        return patched

    yield install
    metals_mod._descriptor_row.cache_clear()


def test_missing_ie_interpolated_between_neighbours(tables_without):
    t = _tables()
    true = t.ie[92]
    patched = tables_without({"U": 3})
    ie, estimated = metals_mod._ionisation_energies(patched, 92, 5)
    assert estimated and ie[:3] == true[:3]
    # IE_4, IE_5 of U from Pa and Np (same period, f block)
    for k in (3, 4):
        assert ie[k] == pytest.approx((t.ie[91][k] + t.ie[93][k]) / 2)
        assert ie[k] == pytest.approx(true[k], rel=0.15)
    d = desc("U4+")
    assert d["ionization_energy_estimated"] == 1.0
    assert d["hardness"] == pytest.approx((ie[4] - ie[3]) / 2)
    assert desc("U3+")["ionization_energy_estimated"] == 1.0  # needs IE_4
    assert desc("Th4+")["ionization_energy_estimated"] == 0.0


def test_missing_ie_from_lanthanide_congener(tables_without):
    t = _tables()
    actinides = {t.symbol[z]: 4 for z in range(89, 104)}
    patched = tables_without(actinides)
    ie, estimated = metals_mod._ionisation_energies(patched, 92, 5)
    nd = t.ie[60]
    shift = np.mean([t.ie[92][j] - nd[j] for j in range(4)])
    assert estimated and ie[4] == pytest.approx(nd[4] + shift)
    d = desc("U4+")
    assert d["ionization_energy_estimated"] == 1.0 and np.isfinite(metal_descriptors("U4+")).all()
    assert desc("La3+")["ionization_energy_estimated"] == 0.0
