"""Metal labels of public data sources and the species they mean."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

from .parse import _FORMAT_HINT, UnknownMetalError, _refuse, canonical_ion, format_ion

__all__ = ["SOURCE_ION_READINGS", "interpret_source_ion", "source_ion_reason"]


class _Reading(NamedTuple):
    meant: str | None  # canonical ion meant by the label; None: refused
    reason: str


#: ``source -> {label as written (canonical bare-ion spelling): (meant ion or None, reason)}``.
_READINGS: dict[str, dict[str, _Reading]] = {
    "logkpredict": {
        "U2+": _Reading(
            "UO2 2+",
            "uranyl: U(II) has no aqueous chemistry; NIST SRD 46 lists uranyl as UO2 2+, and the "
            "table's [U+2] + OH- constant (log K 8.20) is the uranyl hydrolysis constant",
        ),
        "Pu2+": _Reading(
            "PuO2 2+",
            "plutonyl(VI): Pu(II) has no aqueous chemistry; the table's [Pu+2] + OH- constant "
            "(log K 8.40) is that of PuO2 2+",
        ),
        "V2+": _Reading(
            "VO 2+",
            "vanadyl: the table's [V+2] + OH- constant (log K 8.30) is the VO2+ hydrolysis "
            "constant (V2+ aq: about 7.5), and its catecholate constants (log K 18.1-18.7) are "
            "those of vanadyl",
        ),
        "U+": _Reading("UO2 +", "uranyl(V): U(I) does not exist in water"),
        "Np+": _Reading("NpO2 +", "neptunyl(V): Np(I) does not exist in water"),
        "Pu+": _Reading("PuO2 +", "plutonyl(V): Pu(I) does not exist in water"),
        "Am+": _Reading("AmO2 +", "americyl(V): Am(I) does not exist in water"),
        "Np2+": _Reading("NpO2 2+", "neptunyl(VI): Np(II) does not exist in water"),
        "Am2+": _Reading("AmO2 2+", "americyl(VI): Am(II) does not exist in water"),
        "V+": _Reading("VO2 +", "pervanadyl VO2+ (V(V)): V(I) does not exist in water"),
        "Hg+": _Reading(
            None,
            "mercury(I) in water is the dimer Hg2 2+, which is not supported (a bare [Hg+] "
            "atom cannot stand for it)",
        ),
    },
    "literal": {},
}
_SOURCE_ALIASES = {
    "logkpredict": "logkpredict",
    "logkpredict_nist": "logkpredict",
    "logkpredict_iupac": "logkpredict",
    "logkpredict_iupac_lanthanides": "logkpredict",
    "literal": "literal",
    "nist46": "literal",
}

#: ``source -> {label: meant ion}`` for every label that :func:`interpret_source_ion` does not
#: take literally (``None``: refused). Read-only.
SOURCE_ION_READINGS: Mapping[str, Mapping[str, str | None]] = MappingProxyType(
    {
        src: MappingProxyType({label: r.meant for label, r in table.items()})
        for src, table in _READINGS.items()
    }
)


def interpret_source_ion(ion: str | tuple[str, int], source: str) -> str:
    """Canonical ion meant by a metal label of a public data source.

    The LOGKPREDICT tables (``logkpredict_nist_k1.csv`` and
    ``logkpredict_iupac_lanthanides_k1.csv``, from NIST SRD 46 and the IUPAC database) draw
    every complex as a SMILES with one bare metal atom, so oxo-cations lose their oxygens:
    uranyl UO₂²⁺ is written ``[U+2]``. This function turns such a label into the species the
    source means. The decision for each label and its evidence are in
    :data:`SOURCE_ION_READINGS` and in ``docs/guide/metals.md``; labels not listed there are
    taken literally.

    Parameters
    ----------
    ion : str or (str, int)
        The label: an ion string accepted by :func:`parse_ion` (``"[U+2]"``, ``"U+2"``,
        ``"U2+"``) or ``(element symbol, charge)`` as read from the SMILES atom.
    source : str
        ``"logkpredict"`` (aliases ``"logkpredict_nist"``, ``"logkpredict_iupac"``,
        ``"logkpredict_iupac_lanthanides"``) or ``"literal"`` (alias ``"nist46"``: the
        qteddie NIST-46 tables spell ions explicitly, nothing to translate).

    Returns
    -------
    str
        Canonical ion spelling (:func:`format_ion`), e.g. ``"UO2 2+"``.

    Raises
    ------
    UnknownMetalError
        If the label is not an ion, or the source's label stands for a species that is not
        supported (``[Hg+]`` in a LOGKPREDICT table). The message gives the reason.
    ValueError
        For an unknown ``source``.

    Examples
    --------
    >>> interpret_source_ion("[U+2]", "logkpredict")
    'UO2 2+'
    >>> interpret_source_ion(("V", 2), "logkpredict_nist")
    'VO 2+'
    >>> interpret_source_ion("[U+4]", "logkpredict")
    'U4+'
    """
    key = _SOURCE_ALIASES.get(source) if isinstance(source, str) else None
    if key is None:
        raise ValueError(
            f"unknown ion source {source!r}; known sources: {', '.join(sorted(_SOURCE_ALIASES))}"
        )
    if isinstance(ion, tuple):
        if len(ion) != 2:
            raise UnknownMetalError(
                f"expected (element symbol, charge), got {ion!r}; {_FORMAT_HINT}"
            )
        label = format_ion(*ion)
    else:
        label = canonical_ion(ion)
    reading = _READINGS[key].get(label)
    if reading is None:
        return label
    if reading.meant is None:
        raise _refuse(ion, f"in {source} tables {label} is refused: {reading.reason}")
    return reading.meant


def source_ion_reason(label: str, source: str) -> str | None:
    """Why :func:`interpret_source_ion` reads ``label`` of ``source`` as it does (None when
    the label is taken literally)."""
    key = _SOURCE_ALIASES.get(source)
    if key is None:
        raise ValueError(
            f"unknown ion source {source!r}; known sources: {', '.join(sorted(_SOURCE_ALIASES))}"
        )
    reading = _READINGS[key].get(canonical_ion(label))
    return None if reading is None else reading.reason
