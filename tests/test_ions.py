"""Tests for skmetalpka.ions: parsing, canonical spelling, oxo-cations, source labels."""

from __future__ import annotations

import re

import numpy as np
import pytest

from skmetalpka.ions import (
    OXO_CATIONS,
    SOURCE_ION_READINGS,
    Ion,
    UnknownMetalError,
    canonical_ion,
    canonical_or_none,
    format_ion,
    interpret_source_ion,
    parse_ion,
    source_ion_reason,
)

HINT = "such as 'Cu2+', 'Fe3+', 'Ag+'"


# --------------------------------------------------------------------------------------
# single-element ions
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
        ("Cu^2+", ("Cu", 2)),
        ("Cu^{2+}", ("Cu", 2)),
        ("Cu²⁺", ("Cu", 2)),
        ("Fe3+", ("Fe", 3)),
        ("Fe+++", ("Fe", 3)),
        ("Ag+", ("Ag", 1)),
        ("H+", ("H", 1)),
        ("Gd3+", ("Gd", 3)),
        ("U4+", ("U", 4)),
        ("U2+", ("U", 2)),  # a bare ion stays bare: U(II), not uranyl
        ("Cu4+", ("Cu", 4)),  # listed by mendeleev as an (extended) oxidation state
    ],
)
def test_parse_single_element(text, expected):
    ion = parse_ion(text)
    assert ion == expected
    assert isinstance(ion, Ion)
    assert not ion.is_oxo and ion.oxo is None
    assert ion.element == expected[0] and ion.oxo_count == 0
    assert ion.oxidation_state == expected[1]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("Xx9+", "'Xx' is not an element symbol"),
        ("copper", "element name"),
        ("Cu", "charge is missing"),
        ("cu2+", "did you mean 'Cu2+'"),
        ("NI2+", "did you mean 'Ni2+'"),
        ("CO2+", "did you mean 'Co2+'"),
        ("Cl-", "anions"),
        ("Cu2-", "anions"),
        ("Fe0+", "must be positive"),
        ("Na2+", "highest known oxidation state of Na (+1)"),
        ("Zn3+", "highest known oxidation state of Zn (+2)"),
        ("Ag4+", "highest known oxidation state of Ag (+3)"),
        ("H2+", "only H+"),
        ("C4+", "non-metal"),
        ("He+", "non-metal"),
        ("Hg(OH)2", "polyatomic ions are not supported"),
        ("CH3Hg+", "polyatomic ions are not supported"),
        ("Hg2 2+", "polyatomic ions are not supported"),
        ("TiO 2+", "polyatomic ions are not supported"),
        ("", "empty"),
        ("   ", "empty"),
        ("Cu2++", "does not have the form"),
        ("Cu(X)", "(X) is not a Roman-numeral charge"),
    ],
)
def test_parse_invalid(text, fragment):
    with pytest.raises(UnknownMetalError) as info:
        parse_ion(text)
    msg = str(info.value)
    assert fragment in msg
    assert HINT in msg  # every refusal shows the accepted format
    assert "'UO2 2+' (uranyl)" in msg


def test_polyatomic_refusal_lists_the_supported_oxo_cations():
    with pytest.raises(UnknownMetalError) as info:
        parse_ion("Hg(OH)2")
    for canonical in OXO_CATIONS:
        assert canonical in str(info.value)


def test_charge_above_electron_count_refused():
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
    [("Cu", 2, "Cu2+"), ("Ag", 1, "Ag+"), ("H", 1, "H+"), ("Fe", 3, "Fe3+"), ("U", 2, "U2+")],
)
def test_format_ion(symbol, charge, text):
    assert format_ion(symbol, charge) == text
    assert parse_ion(format_ion(symbol, charge)) == (symbol, charge)


@pytest.mark.parametrize(
    ("symbol", "charge"), [("Cu", 0), ("Cu", -1), ("Xx", 2), ("Cu", 2.0), (2, 2), ("UO2", 3)]
)
def test_format_ion_invalid(symbol, charge):
    with pytest.raises(UnknownMetalError):
        format_ion(symbol, charge)


def test_canonical_ion():
    assert canonical_ion("Cu(II)") == "Cu2+"
    assert canonical_ion(" Ag + ") == "Ag+"
    assert canonical_ion("Fe+++") == "Fe3+"
    assert canonical_or_none("Cu++") == "Cu2+"
    assert canonical_or_none("UO22+") == "UO2 2+"
    assert canonical_or_none("VO2+") is None  # ambiguous
    assert canonical_or_none(3) is None


# --------------------------------------------------------------------------------------
# oxo-cations
# --------------------------------------------------------------------------------------
URANYL_SPELLINGS = [
    "UO2 2+",
    "UO2(2+)",
    "UO2 (2+)",
    "UO2+2",
    "UO2 +2",
    "UO2++",
    "UO22+",
    "[UO2+2]",
    "[UO2]2+",
    "[UO2] 2+",
    "UO2^2+",
    "UO2^{2+}",
    "UO₂²⁺",
    "UO2(VI)",
    "uranyl",
    "Uranyl",
    "uranyl ion",
    "uranyl(VI)",
    "uranyl(2+)",
    "dioxouranium(VI)",
]


@pytest.mark.parametrize("text", URANYL_SPELLINGS)
def test_uranyl_spellings(text):
    ion = parse_ion(text)
    assert ion == ("UO2", 2)
    assert ion.is_oxo and ion.element == "U" and ion.oxo_count == 2
    assert ion.oxidation_state == 6
    assert canonical_ion(text) == "UO2 2+"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("NpO2+", "NpO2 +"),
        ("NpO2 +", "NpO2 +"),
        ("NpO2(+)", "NpO2 +"),
        ("NpO2(V)", "NpO2 +"),
        ("neptunyl(V)", "NpO2 +"),
        ("NpO22+", "NpO2 2+"),
        ("neptunyl(VI)", "NpO2 2+"),
        ("PuO2 2+", "PuO2 2+"),
        ("PuO22+", "PuO2 2+"),
        ("plutonyl(VI)", "PuO2 2+"),
        ("PuO2+", "PuO2 +"),
        ("AmO2+", "AmO2 +"),
        ("AmO2^2+", "AmO2 2+"),
        ("UO2+", "UO2 +"),  # the literal reading: uranyl(V)
        ("uranyl(V)", "UO2 +"),
        ("VO 2+", "VO 2+"),
        ("VO(2+)", "VO 2+"),
        ("VO++", "VO 2+"),
        ("VO+2", "VO 2+"),
        ("VO²⁺", "VO 2+"),
        ("VO(IV)", "VO 2+"),
        ("vanadyl", "VO 2+"),
        ("oxovanadium(IV)", "VO 2+"),
        ("VO2 +", "VO2 +"),
        ("VO2(+)", "VO2 +"),
        ("VO₂⁺", "VO2 +"),
        ("VO2(V)", "VO2 +"),
        ("pervanadyl", "VO2 +"),
        ("dioxovanadium(V)", "VO2 +"),
    ],
)
def test_other_oxo_spellings(text, canonical):
    assert canonical_ion(text) == canonical


@pytest.mark.parametrize("canonical", list(OXO_CATIONS))
def test_oxo_round_trip(canonical):
    entry = OXO_CATIONS[canonical]
    ion = parse_ion(canonical)
    assert ion == (entry.formula, entry.charge)
    assert format_ion(*ion) == canonical == ion.canonical == entry.canonical
    assert canonical_ion(canonical) == canonical
    assert ion.oxidation_state == entry.oxidation_state == entry.charge + 2 * entry.oxo_count
    for name in entry.names:
        assert canonical_ion(name) == canonical
        assert canonical_ion(name.upper()) == canonical
    # the canonical spelling survives the other spellings too
    assert canonical_ion(f"[{entry.formula}]{entry.charge}+") == canonical
    assert canonical_ion(f"{entry.formula}({entry.charge}+)") == canonical


def test_oxo_table():
    assert set(OXO_CATIONS) == {
        "UO2 2+", "UO2 +", "NpO2 2+", "NpO2 +", "PuO2 2+", "PuO2 +", "AmO2 2+", "AmO2 +",
        "VO 2+", "VO2 +",
    }  # fmt: skip
    assert {o.oxidation_state for o in OXO_CATIONS.values() if o.element != "V"} == {5, 6}
    assert OXO_CATIONS["VO 2+"].oxidation_state == 4
    assert OXO_CATIONS["VO2 +"].oxidation_state == 5
    with pytest.raises(TypeError):
        OXO_CATIONS["XO 2+"] = OXO_CATIONS["VO 2+"]  # read-only


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("VO2+", ["ambiguous", "'VO2 +' (pervanadyl, V(V))", "'VO 2+' (vanadyl, V(IV))"]),
        ("neptunyl", ["names two ions", "'NpO2 +'", "'NpO2 2+'"]),
        ("plutonyl", ["names two ions", "'PuO2 +'", "'PuO2 2+'"]),
        ("uo2 2+", ["case-sensitive", "did you mean 'UO2 2+'"]),
        ("npo2+", ["case-sensitive", "did you mean 'NpO2 +'"]),
        ("UO 2+", ["not a supported oxo-cation of U", "'UO2 2+', 'UO2 +'"]),
        ("VO22+", ["not a supported oxo-cation of V"]),
        ("UO2 3+", ["not a supported oxo-cation of U"]),
        ("UO3", ["the charge is missing"]),
        ("UO2", ["the charge is missing"]),
        ("UO2 2-", ["must be positive"]),
        ("NpO2(IV)", ["must be positive"]),
    ],
)
def test_oxo_refusals(text, fragments):
    with pytest.raises(UnknownMetalError) as info:
        parse_ion(text)
    msg = str(info.value)
    for fragment in fragments:
        assert fragment in msg
    assert HINT in msg


def test_bare_ion_and_oxo_cation_are_different_species():
    assert parse_ion("U2+") != parse_ion("UO2 2+")
    assert canonical_ion("U6+") == "U6+"  # an explicit bare U(VI) is taken as written
    assert parse_ion("U6+").oxidation_state == parse_ion("uranyl").oxidation_state


# --------------------------------------------------------------------------------------
# labels of data sources
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "meant"),
    [
        ("[U+2]", "UO2 2+"),
        ("[Pu+2]", "PuO2 2+"),
        ("[V+2]", "VO 2+"),
        (("U", 2), "UO2 2+"),
        (("V", 2), "VO 2+"),
        ("[Np+]", "NpO2 +"),
        ("[Np+1]", "NpO2 +"),
        ("[Np+2]", "NpO2 2+"),
        ("[V+]", "VO2 +"),
        # taken literally
        ("[U+4]", "U4+"),
        ("[U+3]", "U3+"),
        ("[Pu+4]", "Pu4+"),
        ("[Pu+3]", "Pu3+"),
        ("[V+3]", "V3+"),
        ("[Cr+2]", "Cr2+"),
        ("[Eu+2]", "Eu2+"),
        ("[Ce+4]", "Ce4+"),
        ("[La+3]", "La3+"),
        ("[Cu+2]", "Cu2+"),
        ("Ag+", "Ag+"),
        (("Th", 4), "Th4+"),
    ],
)
def test_interpret_logkpredict_labels(label, meant):
    assert interpret_source_ion(label, "logkpredict") == meant
    assert interpret_source_ion(label, "logkpredict_nist") == meant
    assert interpret_source_ion(label, "logkpredict_iupac") == meant


def test_interpret_literal_sources_change_nothing():
    for source in ("literal", "nist46"):
        assert interpret_source_ion("[U+2]", source) == "U2+"
        assert interpret_source_ion("Cu(II)", source) == "Cu2+"
        assert interpret_source_ion("UO22+", source) == "UO2 2+"


def test_interpret_source_refusals():
    with pytest.raises(UnknownMetalError, match="dimer Hg2 2\\+"):
        interpret_source_ion("[Hg+]", "logkpredict")
    assert interpret_source_ion("[Hg+2]", "logkpredict") == "Hg2+"
    with pytest.raises(ValueError, match="unknown ion source 'nist'.*logkpredict"):
        interpret_source_ion("[U+2]", "nist")
    with pytest.raises(UnknownMetalError, match="not an element symbol"):
        interpret_source_ion("[Xx+2]", "logkpredict")
    with pytest.raises(UnknownMetalError, match="expected \\(element symbol, charge\\)"):
        interpret_source_ion(("U", 2, 0), "logkpredict")


def test_source_readings_table_is_consistent():
    table = SOURCE_ION_READINGS["logkpredict"]
    assert table["U2+"] == "UO2 2+" and table["Hg+"] is None
    for label, meant in table.items():
        assert canonical_ion(label) == label  # keys are canonical bare-ion labels
        assert meant is None or meant in OXO_CATIONS
        assert source_ion_reason(label, "logkpredict")
    assert source_ion_reason("[Cu+2]", "logkpredict") is None
    assert "hydrolysis" in source_ion_reason("[U+2]", "logkpredict")
    assert SOURCE_ION_READINGS["literal"] == {}
