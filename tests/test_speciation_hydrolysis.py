"""Metal hydrolysis in skmetalpka.speciation: database reactions, hydroxo complexes, hydroxide
precipitation, alpha_M(OH), and both engines with hydrolysis.

Hand-checked values use minteq.v4.dat (25 deg C): Fe3+ + H2O = FeOH+2 + H+ log *beta = -2.187,
Fe(OH)2+ -4.594; Ferrihydrite Fe(OH)3 + 3 H+ = Fe+3 + 3 H2O log K = 3.191; Cu2+: CuOH+ -7.497,
Cu(OH)2 -16.194. EDTA (NIST, I = 0.1): log K(CuY) = 18.78, cumulative protonation 10.17,
16.28, 18.96, 20.96.

Engine agreement with hydrolysis (ideal activities): PHREEQC computes the water activity
(a_w = 1 - 0.017 sum m, about 0.9999 here), which enters every hydrolysis and dissolution
reaction, the NumPy engine takes a_w = 1: measured max |fraction difference| 3.4e-8 for
Cu2+-ethylenediamine (no solid) and 1.0e-4 for Cu2+ with a weak ligand where Cu(OH)2
precipitates; the tests allow 1e-6 and 5e-4.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from skmetalpka.speciation import (
    DEFAULT_HYDROLYSIS_DATABASES,
    HydrolysisWarning,
    conditional_log_k,
    hydrolysis_coverage,
    hydrolysis_data,
    log_alpha_h,
    log_alpha_oh,
    plot_speciation,
    select_phases,
    speciate,
)
from skmetalpka.speciation.reactions import (
    composition,
    formation_log_k,
    parse_database,
    split_charge,
)

EN_BETA, EN_PROT = [10.5, 19.6], [9.93, 17.01]
EDTA_K, EDTA_PROT = [18.78], [10.17, 16.28, 18.96, 20.96]


def _metal(frame):
    return frame[[c for c in frame.columns if c.startswith("M:")]]


# --------------------------------------------------------------------------------------
# reading databases
# --------------------------------------------------------------------------------------
def test_formula_and_charge_parsing():
    assert split_charge("Fe2(OH)2+4") == ("Fe2(OH)2", 4)
    assert split_charge("OH-") == ("OH", -1) and split_charge("Fe+++") == ("Fe", 3)
    assert composition("(UO2)2(OH)2") == {"U": 2, "O": 6, "H": 2}
    assert composition("Al13O4(OH)24") == {"Al": 13, "O": 28, "H": 24}
    pbo = composition("PbO:0.33H2O")
    assert pbo["O"] == pytest.approx(1.33) and pbo["H"] == pytest.approx(0.66)
    assert composition("Fe(OH)3(aq)") is None and composition("Fe)2") is None


def test_parse_database_options_and_rebasing():
    text = """SOLUTION_SPECIES
    H+ = H+ ; log_k 0
    H2O = H2O
        log_k 0
    Xa(OH)2+ = Xa(OH)2+   # master written as a hydroxo complex, as minteq.v4 does for Cr(III)
        log_k 0
    Xa(OH)2+ + 2 H+ = Xa+3 + 2 H2O
        log_k 9.0
        delta_h -10 kcal
    Xa(OH)2+ + H+ = XaOH+2 + H2O
        log_k 5.0
        -analytic 5.0 0 0 0 0
    Xa(OH)2+ + H2O = Xa(OH)3 + H+
        log_k -7
        -add_logk Some_expression 1.0
    PHASES
    Xa(OH)3(s)
        Xa(OH)3 + H+ = Xa(OH)2+ + H2O
        log_k 1.5
    END
    """
    db = parse_database(text, "test")
    assert db.species["Xa+3"].delta_h == pytest.approx(-41.84)  # kcal -> kJ
    assert not db.species["Xa(OH)3"].usable  # named expression: kept out
    assert formation_log_k(db, "Xa+3", 25.0) == pytest.approx(9.0)
    # van 't Hoff at 50 deg C: 9 + 41.84 / (R ln 10) (1/323.15 - 1/298.15)
    shift = 41.84 / (0.0083147 * math.log(10)) * (1 / 323.15 - 1 / 298.15)
    assert formation_log_k(db, "Xa+3", 50.0) == pytest.approx(9.0 + shift, abs=1e-9)
    assert formation_log_k(db, "Xa(OH)3", 25.0) is None
    assert db.phases["Xa(OH)3(s)"].lhs[0][1] == "Xa(OH)3"


@pytest.mark.parametrize(
    "database, metal, temperature",
    [("minteq.v4.dat", "Cr3+", 25.0), ("minteq.v4.dat", "Hg2+", 50.0),
     ("minteq.v4.dat", "Fe3+", 60.0), ("llnl.dat", "La3+", 40.0),
     ("minteq.v4.dat", "UO2 2+", 25.0)],
)  # fmt: skip
def test_rebased_constants_match_phreeqc_itself(database, metal, temperature):
    """log K relative to the aqua ion = what PHREEQC computes with the full database.

    Cr(III) and Hg(II) have Cr(OH)2+ / Hg(OH)2 as master species in minteq.v4, so their
    constants are rebased; 50 and 60 deg C exercise delta_h, llnl the analytical expressions;
    uranyl is an oxo-cation (its complexes are counted relative to UO2+2).
    """
    from phreeqc import Phreeqc

    from skmetalpka.speciation.reactions import _read_database

    data = hydrolysis_data(metal, database=database, temperature=temperature)
    assert data.database == database and data.species and data.phases
    engine = Phreeqc()
    assert not engine.LoadDatabaseString(_read_database(database)[0])
    master = {"Cr3+": "Cr(3)", "Hg2+": "Hg(2)", "Fe3+": "Fe(3)", "La3+": "La", "UO2 2+": "U(6)"}
    master = master[metal]
    names = " ".join([data.ion_name] + [s.name for s in data.species])
    assert not engine.RunString(
        f"SOLUTION 1\n -temp {temperature}\n pH 4\n {master} 1e-6\nSELECTED_OUTPUT\n"
        f" -reset false\n -activities H2O {names}\n"
        f" -si {' '.join(p.name for p in data.phases)}\nEND\n"
    ), engine.GetErrorString()
    out = {k: v[0] for k, v in engine.GetSelectedOutput().items()}
    la_m, la_w = out[f"la_{data.ion_name}"], out["la_H2O"]
    for s in data.species:  # p M + a H2O = S + n H+
        got = out[f"la_{s.name}"] - 4.0 * s.n - s.p * la_m - float(s.water) * la_w
        assert got == pytest.approx(s.log_k, abs=1e-9), s.name
    for p in data.phases:  # solid + n H+ = p M + a H2O: SI = p la_M + a la_w + n pH - log K
        si = float(p.p) * la_m + float(p.water) * la_w + float(p.n) * 4.0 - p.log_k
        assert si == pytest.approx(out[f"si_{p.name}"], abs=1e-9), p.name


def test_hydrolysis_data_chain_and_phase_choice():
    fe = hydrolysis_data("Fe3+")
    assert fe.database == "minteq.v4.dat" == DEFAULT_HYDROLYSIS_DATABASES[0]
    assert [s.name for s in fe.mononuclear] == ["FeOH+2", "Fe(OH)2+", "Fe(OH)3", "Fe(OH)4-"]
    assert [s.name for s in fe.polynuclear] == ["Fe2(OH)2+4", "Fe3(OH)4+5"]
    assert fe.species[0].log_k == pytest.approx(-2.187) and fe.species[0].column == "M:MOH"
    assert fe.polynuclear[0].column == "M:M2(OH)2"
    assert [p.name for p in select_phases(fe)] == ["Ferrihydrite"]  # not hematite / goethite
    assert {p.name for p in select_phases(fe, "all")} >= {"Ferrihydrite", "Goethite", "Hematite"}
    assert select_phases(fe, "none") == [] and select_phases(fe, None) == []
    assert [p.name for p in select_phases(fe, ["Goethite"])] == ["Goethite"]
    with pytest.raises(ValueError, match="'Gibbsite' is not a hydroxide/oxide phase of Fe3\\+"):
        select_phases(fe, ["Gibbsite"])
    with pytest.raises(ValueError, match="precipitation must be one of"):
        select_phases(fe, "amorphous")
    # ions minteq.v4 lacks come from the next databases of the chain
    assert hydrolysis_data("La3+").database == "llnl.dat"
    assert "not in minteq.v4.dat" in hydrolysis_data("La3+").note
    assert hydrolysis_data("Ga3+").database == DEFAULT_HYDROLYSIS_DATABASES[2]
    assert hydrolysis_data("Au3+").species == ()
    table = hydrolysis_coverage(ions=["Cu2+", "Th4+", "Au3+"])
    assert table["database"].tolist() == ["minteq.v4.dat", "llnl.dat", "llnl.dat"]
    assert table["default_phase"].tolist()[:2] == ["Cu(OH)2", "Th(OH)4"]
    assert "Th6(OH)15+9" in table["polynuclear"].iloc[1]


# --------------------------------------------------------------------------------------
# speciation with hydrolysis
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ["phreeqc", "numpy"])
def test_fe3_without_ligand_hydrolyses_and_precipitates(engine):
    """Fe3+ (1 mM) with a negligible ligand, pH 2 to 10.

    At pH 4 ferrihydrite fixes [Fe3+] = 10**(3.191 - 3 * 4) = 1.55e-9 M (free fraction 1.55e-6)
    and [Fe(OH)2+] = [Fe3+] 10**(-4.594 + 8) = 3.9e-6 M (fraction 0.0039).
    """
    ph = np.arange(2.0, 10.01, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HydrolysisWarning)  # numpy: no polynuclear complexes
        frame = speciate([1.0], "Fe3+", ph=ph, ligand_conc=1e-6, engine=engine)
    at = frame.set_index("pH")
    assert at.loc[2.0, "M:free"] > 0.3  # below pH ~2.5 Fe3+ is largely free ...
    above = at.loc[4.0:]
    assert (above["M:free"] < 0.01).all()  # ... and above pH 4 below 1 %
    hydroxo = [c for c in frame.columns if c.startswith("M:M") and "L" not in c]
    assert ((above[hydroxo].sum(axis=1) + above["M:solid"]) > 0.99).all()
    assert (above["M:solid"] > 0.99).all()
    rtol = 1e-12 if engine == "numpy" else 1e-3  # PHREEQC: water activity ~0.9999
    assert at.loc[4.0, "M:free"] == pytest.approx(10 ** (3.191 - 12) / 1e-3, rel=rtol)
    expected = 10 ** (3.191 - 12 - 4.594 + 8) / 1e-3
    assert at.loc[4.0, "M:M(OH)2"] == pytest.approx(expected, rel=rtol)
    np.testing.assert_allclose(_metal(frame).sum(axis=1), 1.0, atol=1e-9)
    assert frame.attrs["hydrolysis_source"] == "minteq.v4.dat"
    assert frame.attrs["precipitation"] == ["Ferrihydrite"]


def test_cu_with_a_strong_chelator_stays_complexed_at_ph7():
    frame = speciate(EDTA_K, "Cu2+", protonation=EDTA_PROT, ligand_charge=-4, ph=[7.0])
    row = frame.iloc[0]
    assert row["M:ML"] > 0.999999 and row["M:solid"] == 0.0
    # by hand: K' = K / (alpha_H alpha_OH); [Cu'] = [CuY] / (K' [Y']), [Cu2+] = [Cu'] / alpha_OH
    log_k_cond = float(conditional_log_k(18.78, EDTA_PROT, 7.0, metal="Cu2+"))
    log_alpha = float(log_alpha_oh("Cu2+", 7.0))
    free = 1e-3 / (10**log_k_cond * 2e-3) / 10**log_alpha / 1e-3
    assert row["M:free"] == pytest.approx(free, rel=1e-3)
    # the same copper without the chelator precipitates as Cu(OH)2
    alone = speciate([1.0], "Cu2+", ligand_conc=1e-6, ph=[7.0]).iloc[0]
    assert alone["M:solid"] > 0.99


def test_engines_agree_with_mononuclear_hydrolysis():
    kw = dict(protonation=EN_PROT, hydrolysis="mononuclear")
    phq = speciate(EN_BETA, "Cu2+", **kw)
    ref = speciate(EN_BETA, "Cu2+", engine="numpy", **kw)
    assert list(phq.columns) == list(ref.columns)
    assert "M:MOH" in phq.columns and "M:M2(OH)2" not in phq.columns
    assert np.abs(phq.to_numpy() - ref.to_numpy()).max() < 1e-6  # measured 3.4e-8
    # with precipitation of Cu(OH)2 (weak ligand): water activity only
    kw = dict(protonation=[9.0], hydrolysis="mononuclear", ph=np.linspace(4, 10, 25))
    phq = speciate([4.0], "Cu2+", **kw)
    ref = speciate([4.0], "Cu2+", engine="numpy", **kw)
    assert phq["M:solid"].max() > 0.99 and ref["M:solid"].iloc[0] == 0.0
    assert np.abs(phq.to_numpy() - ref.to_numpy()).max() < 5e-4  # measured 1.0e-4


def test_numpy_engine_leaves_polynuclear_out_with_a_warning():
    with pytest.warns(HydrolysisWarning, match="Fe2\\(OH\\)2\\+4, Fe3\\(OH\\)4\\+5 left out"):
        frame = speciate([1.0], "Fe3+", ph=[2.0], ligand_conc=1e-6, engine="numpy")
    assert "M:M2(OH)2" not in frame.columns and "left out" in frame.attrs["hydrolysis_note"]


def test_hydrolysis_false_reproduces_the_numbers_before_hydrolysis():
    """Values printed by the version before hydrolysis (commit e8cba19), PHREEQC, ideal."""
    frame = speciate(EN_BETA, "Cu2+", protonation=EN_PROT, ph=[4.0, 6.0, 8.0], hydrolysis=False)
    assert list(frame.columns) == ["pH", "M:free", "M:ML", "M:ML2", "L:free", "L:HL", "L:H2L",
                                   "L:bound"]  # fmt: skip
    old = {
        "M:free": [0.9171063679036912, 0.00024628417192449313, 2.33117188963685e-10],
        "M:ML": [0.08259748062640979, 0.07561146687130813, 7.651921960397119e-05],
        "M:ML2": [0.00029615146989879265, 0.9241422489567721, 0.9999234805472816],
        "L:bound": [0.02772992785540246, 0.6412986549282841, 0.6666411601047224],
    }
    for col, values in old.items():
        np.testing.assert_allclose(frame[col], values, rtol=1e-12, atol=0)
    assert frame.attrs["hydrolysis_source"] is None and frame.attrs["precipitation"] == []
    # with hydrolysis the same system loses some copper to CuOH+ at pH 6 (no solid: Cu(en)2)
    hyd = speciate(EN_BETA, "Cu2+", protonation=EN_PROT, ph=[4.0, 6.0, 8.0])
    assert hyd.attrs["hydrolysis_source"] == "minteq.v4.dat"
    assert 0 < hyd["M:MOH"].iloc[1] < frame["M:free"].iloc[1]
    assert hyd["M:solid"].max() == 0.0


def test_precipitation_choice_and_full_database():
    ph = [2.0, 2.5, 3.0]
    fresh = speciate([1.0], "Fe3+", ph=ph, ligand_conc=1e-6)
    stable = speciate([1.0], "Fe3+", ph=ph, ligand_conc=1e-6, precipitation="all")
    assert (stable["M:solid"] > fresh["M:solid"]).all()  # hematite is far less soluble
    none = speciate([1.0], "Fe3+", ph=ph, ligand_conc=1e-6, precipitation="none")
    assert "M:solid" not in none.columns
    np.testing.assert_allclose(_metal(none).sum(axis=1), 1.0, atol=1e-9)
    full = speciate([1.0], "Fe3+", ph=[2.0, 6.0], ligand_conc=1e-6, database="minteq.v4.dat")
    assert list(_metal(full).columns) == ["M:free", "M:ML", "M:solid", "M:other"]
    assert full.attrs["hydrolysis_source"] == "minteq.v4.dat"
    assert full["M:solid"].iloc[1] > 0.99
    np.testing.assert_allclose(_metal(full).sum(axis=1), 1.0, atol=1e-9)


def test_davies_with_polynuclear_thorium_converges():
    frame = speciate([1.0], "Th4+", ph=np.linspace(2, 12, 11), ligand_conc=1e-6,
                     activity="davies")  # fmt: skip
    assert frame.attrs["hydrolysis_source"] == "llnl.dat"
    np.testing.assert_allclose(_metal(frame).sum(axis=1), 1.0, atol=1e-9)
    assert frame["M:solid"].iloc[-1] > 0.99


def test_uranyl_hydrolyses_relative_to_the_yl_ion():
    frame = speciate([3.0], "UO2 2+", protonation=[4.7], ligand_charge=-1, ph=[2.0, 5.0, 8.0])
    assert frame.attrs["hydrolysis_source"] == "minteq.v4.dat"
    assert frame.attrs["hydrolysis_species"] == ["UO2OH+", "(UO2)2(OH)2+2", "(UO2)3(OH)5+"]
    assert frame.attrs["precipitation"] == ["Schoepite"]
    assert {"M:MOH", "M:M2(OH)2", "M:M3(OH)5", "M:solid"} <= set(frame.columns)
    assert frame["M:free"].iloc[0] > 0.99 and frame["M:M3(OH)5"].iloc[1] > 0.5
    assert frame["M:solid"].iloc[2] > 0.99
    np.testing.assert_allclose(_metal(frame).sum(axis=1), 1.0, atol=1e-9)
    labels = [t.get_text() for t in plot_speciation(frame).axes[0].get_legend().get_texts()]
    assert "(UO2)$_{3}$(OH)$_{5}$$^{+}$" in labels


def test_missing_hydrolysis_data_is_reported():
    with pytest.warns(HydrolysisWarning, match="no hydroxo complex of it"):
        frame = speciate([8.0], "Au3+", ph=[7.0])
    assert frame.attrs["hydrolysis_source"] is None
    assert "no hydrolysis modelled" in frame.attrs["hydrolysis_note"]
    assert float(log_alpha_oh("Au3+", 7.0)) == 0.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(hydrolysis="polynuclear"), "hydrolysis must be one of"),
        (dict(hydrolysis=1), "hydrolysis must be one of"),
        (dict(database="phreeqc.dat", hydrolysis=False), "with database=... the metal"),
        (dict(hydrolysis_database="no_such.dat"), "neither a database shipped"),
        (dict(precipitation=["Hematite"]), "'Hematite' is not a hydroxide/oxide phase of Cu2"),
    ],
)
def test_bad_hydrolysis_options_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        speciate(EN_BETA, "Cu2+", protonation=EN_PROT, ph=[7.0], **kwargs)


# --------------------------------------------------------------------------------------
# conditional constants
# --------------------------------------------------------------------------------------
def test_log_alpha_oh_by_hand():
    # Cu2+ at pH 7: 1 + 10**(-7.497 + 7) + 10**(-16.194 + 14) + 10**(-26.879 + 21) + ...
    cu = 1 + 10**-0.497 + 10**-2.194 + 10**-5.879 + 10 ** (-39.98 + 28)
    assert float(log_alpha_oh("Cu2+", 7.0)) == pytest.approx(math.log10(cu), abs=1e-12)
    fe = log_alpha_oh("Fe3+", [1.0, 4.0])
    fe4 = 1 + 10 ** (-2.187 + 4) + 10 ** (-4.594 + 8) + 10 ** (-12.56 + 12) + 10 ** (-21.588 + 16)
    assert fe.shape == (2,) and fe[1] == pytest.approx(math.log10(fe4), abs=1e-12)
    fe1 = 1 + 10 ** (-2.187 + 1) + 10 ** (-4.594 + 2) + 10 ** (-12.56 + 3) + 10 ** (-21.588 + 4)
    assert fe[0] == pytest.approx(math.log10(fe1), abs=1e-12) and fe[0] < 0.03  # pH 1: little
    # conditional constant = log K - log alpha_H(L) - log alpha_OH(M)
    got = conditional_log_k(10.5, EN_PROT, [4.0, 7.0], metal="Cu2+")
    expected = 10.5 - log_alpha_h(EN_PROT, [4.0, 7.0]) - log_alpha_oh("Cu2+", [4.0, 7.0])
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert float(conditional_log_k(10.5, EN_PROT, 7.0)) > float(got[1])


def test_plot_names_hydroxo_complexes_and_the_solid():
    frame = speciate([1.0], "Fe3+", ph=np.linspace(1, 6, 26), ligand_conc=1e-6)
    labels = [t.get_text() for t in plot_speciation(frame).axes[0].get_legend().get_texts()]
    assert "Fe solid (Ferrihydrite)" in labels and "FeOH$^{2+}$" in labels
    assert "Fe(OH)$_{4}$$^{-}$" not in labels  # never above 0.5 %: not drawn
