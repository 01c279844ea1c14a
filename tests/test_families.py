"""Metal families used to report and calibrate results."""

from __future__ import annotations

import pytest

from skmetalpka.families import METAL_FAMILIES, metal_families, metal_family


@pytest.mark.parametrize(
    ("ion", "family"),
    [
        ("Na+", "alkali/alkaline"),
        ("Ba2+", "alkali/alkaline"),
        ("Mn2+", "3d transition"),
        ("Cu(II)", "3d transition"),
        ("Fe3+", "3d transition"),
        ("Cd2+", "4d/5d/post"),
        ("Hg2+", "4d/5d/post"),
        ("Al3+", "4d/5d/post"),
        ("Pb2+", "4d/5d/post"),
        ("La3+", "rare earth"),
        ("Lu3+", "rare earth"),
        ("Y3+", "rare earth"),
        ("Sc3+", "rare earth"),
        ("Th4+", "actinide"),
        ("Am3+", "actinide"),
        ("H+", "proton"),
    ],
)
def test_metal_family(ion: str, family: str) -> None:
    assert metal_family(ion) == family
    assert family in METAL_FAMILIES


def test_unparsable_ions_have_no_family() -> None:
    assert metal_family("copper") is None
    assert metal_families(["Cu2+", 3, "Gd3+"]).tolist() == ["3d transition", None, "rare earth"]
