"""Tests for skmetalpka.speciation (PHREEQC engine validated against the NumPy mass balance).

Reference system: Cu2+ - ethylenediamine (en) at 25 deg C, literature constants
log beta_1 = 10.5, log beta_2 = 19.6; en protonation log K1 = 9.93, log K2 = 7.08, i.e.
cumulative log beta^H = 9.93, 17.01; en is neutral (ligand_charge = 0).

These tests pin the ligand-only model (``hydrolysis=False``, the behaviour before metal
hydrolysis was added): metal hydrolysis and precipitation are tested in
``tests/test_speciation_hydrolysis.py``.

Measured agreement of the engines (ideal activities, 101 pH points from 2 to 12, and 141
points from 0 to 14): max |fraction difference| ~1.3e-12 (PHREEQC converged with
``-convergence_tolerance 1e-12``); the tests allow 1e-9. One 101-point PHREEQC sweep takes
~4 ms after the first call (which pays ~0.5 s of imports).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skmetalpka.metals import UnknownMetalError
from skmetalpka.speciation import (
    conditional_log_k,
    default_ph_grid,
    log_alpha_h,
    plot_speciation,
    speciate,
    speciation_columns,
)

EN_BETA = [10.5, 19.6]
EN_PROT = [9.93, 17.01]
ENGINE_TOL = 1e-9  # measured max difference ~1.3e-12


@pytest.fixture(scope="module")
def cu_en():
    """Both engines on the default grid (pH 2..12, 101 points), M_T = 1 mM, L_T = 3 mM."""
    phq = speciate(EN_BETA, "Cu2+", protonation=EN_PROT, hydrolysis=False)
    ref = speciate(EN_BETA, "Cu2+", protonation=EN_PROT, engine="numpy", hydrolysis=False)
    return phq, ref


def _sides(frame):
    metal = frame[[c for c in frame.columns if c.startswith("M:")]]
    ligand = frame[[c for c in frame.columns if c.startswith("L:")]]
    return metal, ligand


# --------------------------------------------------------------------------------------
# Cu2+ - ethylenediamine
# --------------------------------------------------------------------------------------
def test_columns_and_attrs(cu_en):
    phq, ref = cu_en
    expected = ["pH", "M:free", "M:ML", "M:ML2", "L:free", "L:HL", "L:H2L", "L:bound"]
    assert list(phq.columns) == expected
    assert list(ref.columns) == expected
    np.testing.assert_array_equal(phq["pH"], default_ph_grid())
    assert len(phq) == 101
    assert phq.attrs["metal"] == "Cu2+" and phq.attrs["engine"] == "phreeqc"
    assert phq.attrs["activity"] == "ideal" and ref.attrs["engine"] == "numpy"
    assert phq.attrs["log_beta"] == EN_BETA and phq.attrs["protonation"] == EN_PROT


@pytest.mark.parametrize("which", [0, 1], ids=["phreeqc", "numpy"])
def test_fractions_sum_to_one_and_are_in_range(cu_en, which):
    frame = cu_en[which]
    for side in _sides(frame):
        np.testing.assert_allclose(side.sum(axis=1), 1.0, rtol=0, atol=1e-10)
        assert (side.to_numpy() >= 0).all() and (side.to_numpy() <= 1 + 1e-12).all()


def test_phreeqc_matches_numpy(cu_en):
    phq, ref = cu_en
    diff = np.abs(phq.to_numpy() - ref.to_numpy()).max()
    assert diff < ENGINE_TOL


def test_hand_checkable_points(cu_en):
    phq, ref = cu_en
    for frame in (phq, ref):
        at = frame.set_index("pH")
        # pH 2: en is fully diprotonated, alpha_H ~ 10**13, Cu is free
        assert at.loc[2.0, "M:free"] > 0.99
        assert at.loc[2.0, "L:H2L"] > 0.99
        # pH 10, ligand excess: Cu(en)2 dominates
        row = at.loc[frame["pH"].to_numpy()[80]]
        assert row.name == pytest.approx(10.0)
        assert row["M:ML2"] > 0.99
        assert row["L:bound"] == pytest.approx(2e-3 / 3e-3, abs=1e-5)
        # the ligand left over (L_T - 2 M_T = 1 mM) is distributed by alpha_H alone:
        # alpha_H(10) = 1 + 10**-0.07 + 10**-2.99 = 1.852163 -> L:free = (1/3) / 1.852163
        alpha = 1 + 10**-0.07 + 10**-2.99
        assert row["L:free"] == pytest.approx((1.0 / 3.0) / alpha, rel=1e-4)
        # and [Cu]/[CuL2] = 1 / (beta_2 [L]^2), [L] = 1e-3 / alpha
        ratio = 1.0 / (10**19.6 * (1e-3 / alpha) ** 2)
        assert row["M:free"] / row["M:ML2"] == pytest.approx(ratio, rel=1e-3)
    # the first complex peaks in between, where free Cu and CuL2 cross
    m = ref.set_index("pH")
    assert m["M:ML"].idxmax() == pytest.approx(5.0, abs=0.3)
    assert m["M:free"].is_monotonic_decreasing


def test_extreme_ph_and_large_constants_agree():
    """pH 0 and 14, log beta up to 60 (Fe3+ with a tetraprotic ligand): no overflow."""
    ph = np.linspace(0.0, 14.0, 29)
    kw = dict(protonation=[11.0, 20.0, 27.0, 30.0], ligand_charge=-4, ph=ph, hydrolysis=False)
    phq = speciate([25.0, 45.0, 60.0], "Fe3+", **kw)
    ref = speciate([25.0, 45.0, 60.0], "Fe3+", engine="numpy", **kw)
    assert np.isfinite(ref.to_numpy()).all()
    assert np.abs(phq.to_numpy() - ref.to_numpy()).max() < ENGINE_TOL
    for side in _sides(ref):
        np.testing.assert_allclose(side.sum(axis=1), 1.0, rtol=0, atol=1e-12)


@pytest.mark.parametrize("metal_conc, ligand_conc", [(1e-3, 1e-4), (1e-6, 1e-1)])
def test_engines_agree_with_ligand_deficit_or_large_excess(metal_conc, ligand_conc):
    kw = dict(protonation=EN_PROT, ph=[0.0, 3.0, 5.0, 7.0, 14.0], hydrolysis=False)
    kw.update(metal_conc=metal_conc, ligand_conc=ligand_conc)
    phq = speciate(EN_BETA, "Cu2+", **kw)
    ref = speciate(EN_BETA, "Cu2+", engine="numpy", **kw)
    assert np.abs(phq.to_numpy() - ref.to_numpy()).max() < ENGINE_TOL


def test_ph_order_is_kept_and_scalar_ph():
    ph = [9.0, 3.0, 6.0]
    frame = speciate(EN_BETA, "Cu++", protonation=EN_PROT, ph=ph, hydrolysis=False)
    assert frame["pH"].tolist() == ph
    alone = speciate(EN_BETA, "Cu(II)", protonation=EN_PROT, ph=6.0, hydrolysis=False)
    assert len(alone) == 1
    np.testing.assert_allclose(alone.iloc[0].to_numpy(), frame.iloc[2].to_numpy(), atol=1e-12)


def test_phreeqc_sweep_is_fast():
    speciate(EN_BETA, "Cu2+", protonation=EN_PROT)  # warm
    t0 = time.perf_counter()
    speciate(EN_BETA, "Cu2+", protonation=EN_PROT)
    assert time.perf_counter() - t0 < 1.0  # measured ~4 ms for 101 points


# --------------------------------------------------------------------------------------
# closed forms
# --------------------------------------------------------------------------------------
def _one_to_one(log_beta1, protonation, ph, m_t, l_t):
    """[ML] from the quadratic beta' (M_T - c)(L_T - c) = c with beta' = beta_1 / alpha_H."""
    alpha = 1.0 + sum(10.0 ** (b - (j + 1) * ph) for j, b in enumerate(protonation))
    bp = 10.0**log_beta1 / alpha
    b = bp * (m_t + l_t) + 1.0
    c = 2.0 * bp * m_t * l_t / (b + math.sqrt(b * b - 4.0 * bp * bp * m_t * l_t))
    free_l_total = l_t - c  # all protonation states
    hl = free_l_total * 10.0 ** (protonation[0] - ph) / alpha if protonation else 0.0
    return 1.0 - c / m_t, c / m_t, free_l_total / alpha / l_t, hl / l_t, c / l_t


@pytest.mark.parametrize("engine", ["phreeqc", "numpy"])
@pytest.mark.parametrize("protonation", [[], [9.0, 14.0]], ids=["no-H", "diprotic"])
def test_single_complex_matches_quadratic(engine, protonation):
    ph = [2.0, 4.5, 7.0, 9.0, 11.5]
    m_t, l_t = 1e-3, 2e-3
    frame = speciate([6.0], "Ni2+", protonation=protonation, ph=ph, metal_conc=m_t,
                     ligand_conc=l_t, ligand_charge=-2, engine=engine,
                     hydrolysis=False)  # fmt: skip
    for i, p in enumerate(ph):
        free, ml, lfree, hl, bound = _one_to_one(6.0, protonation, p, m_t, l_t)
        row = frame.iloc[i]
        assert row["M:free"] == pytest.approx(free, abs=1e-6)
        assert row["M:ML"] == pytest.approx(ml, abs=1e-6)
        assert row["L:free"] == pytest.approx(lfree, abs=1e-6)
        assert row["L:bound"] == pytest.approx(bound, abs=1e-6)
        if protonation:
            assert row["L:HL"] == pytest.approx(hl, abs=1e-6)
    if not protonation:  # no proton competition: the same complexation at every pH
        assert np.ptp(frame["M:ML"].to_numpy()) < 1e-9


def test_single_complex_hand_value():
    # beta = 1e4, M_T = L_T = 1e-3, no protonation: 1e4 (1e-3 - c)^2 = c -> c = 7.298e-4
    # (c = (21 - sqrt(41)) / 2e4 = 7.29844e-4)
    expected = (21.0 - math.sqrt(41.0)) / 2e4 / 1e-3
    for engine in ("phreeqc", "numpy"):
        frame = speciate([4.0], "Zn2+", ph=7.0, metal_conc=1e-3, ligand_conc=1e-3, engine=engine,
                         hydrolysis=False)  # fmt: skip
        assert frame["M:ML"].item() == pytest.approx(expected, abs=1e-9)
        assert expected == pytest.approx(0.729844, abs=1e-6)


def test_log_alpha_and_conditional_constant():
    # alpha_H(7) = 1 + 10**(9.93 - 7) + 10**(17.01 - 14) = 1875.431
    assert float(log_alpha_h(EN_PROT, 7.0)) == pytest.approx(math.log10(1875.431), abs=1e-6)
    assert float(conditional_log_k(10.5, EN_PROT, 7.0)) == pytest.approx(7.226899, abs=1e-6)
    # no overflow at pH 0 with a large constant: log alpha -> 50 + log10(1 + 10**-10 ...)
    assert float(log_alpha_h([30.0, 50.0], 0.0)) == pytest.approx(50.0, abs=1e-9)
    out = conditional_log_k(10.5, EN_PROT, [2.0, 12.0])
    assert out.shape == (2,)
    np.testing.assert_allclose(out, [10.5 - 13.01 - math.log10(1 + 10**-5.08 + 10**-13.01),
                                     10.5 - math.log10(1 + 10**-2.07 + 10**-6.99)],
                               atol=1e-9)  # fmt: skip
    assert float(conditional_log_k(10.5, [], 5.0)) == 10.5


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    beta=st.lists(st.floats(0.5, 15.0), min_size=1, max_size=3),
    prot=st.lists(st.floats(1.0, 12.0), min_size=0, max_size=3),
    ratio=st.floats(0.1, 10.0),
)
def test_numpy_engine_properties(beta, prot, ratio):
    log_beta = np.cumsum(beta)
    protonation = np.cumsum(sorted(prot, reverse=True))
    ph = np.linspace(0.0, 14.0, 15)
    frame = speciate(log_beta, "Cu2+", protonation=protonation, ph=ph, engine="numpy",
                     metal_conc=1e-3, ligand_conc=1e-3 * ratio, hydrolysis=False)  # fmt: skip
    for side in _sides(frame):
        np.testing.assert_allclose(side.sum(axis=1), 1.0, rtol=0, atol=1e-10)
    # protons only compete with the metal: free metal never increases with pH
    assert (np.diff(frame["M:free"].to_numpy()) <= 1e-12).all()


# --------------------------------------------------------------------------------------
# activity and database options
# --------------------------------------------------------------------------------------
def test_ideal_result_does_not_depend_on_ligand_charge():
    a = speciate(EN_BETA, "Cu2+", protonation=EN_PROT, ph=[4.0, 6.0], ligand_charge=0)
    b = speciate(EN_BETA, "Cu2+", protonation=EN_PROT, ph=[4.0, 6.0], ligand_charge=-2)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), atol=1e-11)


def test_davies_shifts_the_conditional_constant_as_expected():
    # M2+ + L- = ML+ in 0.1 mol/kgw inert 1:1 electrolyte, trace M and L at pH 7:
    # log K' = log beta + log g(M2+) + log g(L-) - log g(ML+) = log beta + 4 log g1,
    # Davies log g1 = -0.51 (sqrt(0.1) / (1 + sqrt(0.1)) - 0.03) = -0.1072 -> 6 - 0.429
    frame = speciate([6.0], "Cu2+", ligand_charge=-1, ph=7.0, metal_conc=1e-6,
                     ligand_conc=1e-6, activity="davies", ionic_strength=0.1)  # fmt: skip
    r = frame.iloc[0]
    log_k_cond = math.log10(r["M:ML"] / (r["M:free"] * r["L:free"] * 1e-6))
    lg1 = -0.51 * (math.sqrt(0.1) / (1 + math.sqrt(0.1)) - 0.3 * 0.1)
    assert log_k_cond == pytest.approx(6.0 + 4 * lg1, abs=0.005)
    assert frame.attrs["activity"] == "davies"
    for side in _sides(frame):
        np.testing.assert_allclose(side.sum(axis=1), 1.0, atol=1e-9)


def test_davies_full_sweep_sums_to_one():
    frame = speciate(EN_BETA, "Cu2+", protonation=EN_PROT, activity="davies",
                     ph=np.linspace(2, 12, 21))  # fmt: skip
    for side in _sides(frame):
        np.testing.assert_allclose(side.sum(axis=1), 1.0, atol=1e-9)


def test_database_adds_hydrolysis():
    ph = [2.0, 7.0, 12.0]
    frame = speciate(EN_BETA, "Cu2+", protonation=EN_PROT, ph=ph, database="phreeqc.dat")
    assert list(frame.columns)[:5] == ["pH", "M:free", "M:ML", "M:ML2", "M:other"]
    assert frame.attrs["activity"] == "davies" and frame.attrs["database"] == "phreeqc.dat"
    for side in _sides(frame):
        np.testing.assert_allclose(side.sum(axis=1), 1.0, atol=1e-9)
    other = frame["M:other"].to_numpy()
    assert (other >= 0).all()
    assert other[2] > other[1]  # more hydroxo complexes at pH 12 than at pH 7
    assert frame["M:free"].iloc[0] > 0.99
    # without hydrolysis (minimal database) there is no M:other column
    assert "M:other" not in speciate(EN_BETA, "Cu2+", protonation=EN_PROT, ph=ph).columns


@pytest.mark.parametrize("metal", ["UO2 2+", "VO 2+"])
def test_oxo_cation(metal):
    """An oxo-cation's PHREEQC element is its metal; the species keeps its oxygens."""
    kw = dict(protonation=[4.7], ligand_charge=-1, ph=[2.0, 4.0, 6.0])
    phq = speciate([3.0], metal, hydrolysis=False, **kw)
    ref = speciate([3.0], metal, engine="numpy", hydrolysis=False, **kw)
    assert np.abs(phq.to_numpy() - ref.to_numpy()).max() < ENGINE_TOL
    # minteq.v4.dat has UO2+2 and VO+2 (with their hydrolysis) as master species
    frame = speciate([3.0], metal, database="minteq.v4.dat", **kw)
    for side in _sides(frame):
        np.testing.assert_allclose(side.sum(axis=1), 1.0, atol=1e-9)
    assert frame["M:other"].iloc[-1] > frame["M:other"].iloc[0]


def test_database_without_the_metal_raises():
    with pytest.raises(ValueError, match=r"phreeqc.dat has no master species for Au3\+"):
        speciate([8.0], "Au3+", database="phreeqc.dat", ph=7.0)
    with pytest.raises(ValueError, match="neither a database shipped"):
        speciate([8.0], "Cu2+", database="no_such.dat", ph=7.0)


# --------------------------------------------------------------------------------------
# bad inputs
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(log_beta=[10.5, np.nan, 25.0]), "NaN at step 2 followed by a value at step 3"),
        (dict(log_beta=[np.nan, np.nan]), "no finite value"),
        (dict(log_beta=[10.5, np.inf]), "infinite"),
        (dict(protonation=[np.nan, 17.0]), "protonation has a NaN at step 1"),
        (dict(metal="Xx2+"), "invalid metal ion 'Xx2\\+'"),
        (dict(metal="Cu"), "charge is missing"),
        (dict(metal="H+"), "proton"),
        (dict(metal_conc=-1e-3), "metal_conc must be a finite concentration > 0"),
        (dict(ligand_conc=0.0), "ligand_conc must be a finite concentration > 0"),
        (dict(ph=[2.0, 15.0]), r"pH value\(s\) are not finite numbers in \[0, 14\].*15"),
        (dict(ph=-0.5), "not finite numbers in"),
        (dict(ph=[7.0, np.nan]), "not finite numbers in"),
        (dict(ph=[]), "non-empty"),
        (dict(ligand_charge=1.5), "ligand_charge must be an integer"),
        (dict(engine="scipy"), "engine must be one of"),
        (dict(activity="pitzer"), "activity must be one of"),
        (dict(ionic_strength=0.1), "ionic_strength only sets the background electrolyte"),
        (dict(engine="numpy", activity="davies"), "engine='numpy' solves the ideal"),
        (dict(database="phreeqc.dat", activity="ideal"), "activity='ideal' is only available"),
        (dict(temperature=150.0), r"temperature must be in \[0, 100\]"),
    ],
)
def test_bad_inputs_raise(kwargs, match):
    args = dict(log_beta=EN_BETA, metal="Cu2+", protonation=EN_PROT, ph=[7.0])
    args.update(kwargs)
    log_beta = args.pop("log_beta")
    metal = args.pop("metal")
    with pytest.raises(ValueError, match=match):
        speciate(log_beta, metal, **args)


def test_unknown_metal_is_an_unknown_metal_error():
    with pytest.raises(UnknownMetalError):
        speciate(EN_BETA, "copper", ph=7.0)


def test_trailing_nan_means_fewer_complexes():
    frame = speciate([10.5, 19.6, np.nan], "Cu2+", protonation=[9.93, 17.01, np.nan], ph=7.0,
                     hydrolysis=False)  # fmt: skip
    assert [c for c in frame.columns if c.startswith("M:")] == ["M:free", "M:ML", "M:ML2"]
    assert [c for c in frame.columns if c.startswith("L:")] == [
        "L:free", "L:HL", "L:H2L", "L:bound"
    ]  # fmt: skip
    assert speciation_columns(1, 0, other=True) == (["M:free", "M:ML", "M:other"],
                                                    ["L:free", "L:bound"])  # fmt: skip


# --------------------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------------------
def test_plot_speciation(cu_en, tmp_path):
    from matplotlib.figure import Figure

    from skmetalpka.plots import save_figure

    phq, _ = cu_en
    fig = plot_speciation(phq, title="Cu-en")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 3  # Cu2+, CuL, CuL2
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["Cu (free)", "CuL", "CuL2"]
    assert ax.get_xlabel() == "pH" and ax.get_ylabel() == "fraction of total metal"
    assert ax.get_title() == "Cu-en"
    x, y = ax.get_lines()[2].get_data()
    np.testing.assert_allclose(x, phq["pH"])
    np.testing.assert_allclose(y, phq["M:ML2"])
    lig = plot_speciation(phq, side="ligand")
    assert len(lig.axes[0].get_lines()) == 4  # L, HL, H2L, bound
    assert lig.axes[0].get_title() == "Cu2+ speciation (phreeqc)"
    path = save_figure(fig, tmp_path / "spec.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_speciation_into_existing_axes_and_bad_frame():
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    frame = speciate([4.0], "Zn2+", ph=[2.0, 7.0], engine="numpy", hydrolysis=False)
    assert plot_speciation(frame, ax=ax) is fig
    assert len(ax.get_lines()) == 2
    with pytest.raises(ValueError, match="'pH' column"):
        plot_speciation(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(ValueError, match="side must be"):
        plot_speciation(frame, side="both")
