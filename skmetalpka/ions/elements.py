"""Element data from the offline :mod:`mendeleev` database, read once per process.

:func:`_tables` gives symbols, names, periods, groups, blocks, Pauling electronegativities,
covalent radii, ground-state configurations, ionisation energies, the highest positive
oxidation state and the Shannon (1976) ionic radii (Angstrom) by (Z, charge) and coordination
number. :mod:`skmetalpka.ions.parse` checks ions against it and
:mod:`skmetalpka.featurize.metals` computes the descriptors from it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__: list[str] = []

_ROMAN_CN = {
    "I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9,
    "X": 10, "XI": 11, "XII": 12, "XIII": 13, "XIV": 14,
}  # fmt: skip


@dataclass(frozen=True)
class _Tables:
    z_of: dict[str, int]
    symbol: dict[int, str]
    name_to_symbol: dict[str, str]
    period: dict[int, int]
    group: dict[int, float]
    block: dict[int, str]
    en_pauling: dict[int, float]
    cov_radius: dict[int, float]
    econf: dict[int, str]
    ie: dict[int, tuple[float, ...]]
    max_ox: dict[int, int]
    radii: dict[tuple[int, int], tuple[tuple[int, str, float], ...]]


def _cn_number(coordination: str) -> int:
    roman = re.match(r"[IVX]+", str(coordination))
    if roman is None or roman.group(0) not in _ROMAN_CN:  # pragma: no cover - data guard
        raise RuntimeError(f"unexpected coordination {coordination!r} in mendeleev data")
    return _ROMAN_CN[roman.group(0)]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    from mendeleev.fetch import fetch_table

    el = fetch_table("elements")
    zs = [int(z) for z in el["atomic_number"]]
    symbols = [str(s) for s in el["symbol"]]

    def col(name: str) -> dict[int, float]:
        out = {}
        for z, v in zip(zs, el[name], strict=True):
            out[z] = float(v) if v is not None and not _isnan(v) else math.nan
        return out

    ie_tab = fetch_table("ionizationenergies")
    ie: dict[int, dict[int, float]] = {}
    for z, q, e in zip(
        ie_tab["atomic_number"], ie_tab["ion_charge"], ie_tab["ionization_energy"], strict=True
    ):
        if e is not None and not _isnan(e):
            ie.setdefault(int(z), {})[int(q)] = float(e)
    ie_seq: dict[int, tuple[float, ...]] = {}
    for z, d in ie.items():
        seq = []
        for k in range(len(d)):
            if k not in d:
                break
            seq.append(d[k])
        ie_seq[z] = tuple(seq)

    ox = fetch_table("oxidationstates")
    max_ox: dict[int, int] = {}
    for z, s in zip(ox["atomic_number"], ox["oxidation_state"], strict=True):
        if int(s) > 0:
            max_ox[int(z)] = max(max_ox.get(int(z), 0), int(s))

    ir = fetch_table("ionicradii")
    radii: dict[tuple[int, int], list[tuple[int, str, float]]] = {}
    for z, q, cn, spin, r in zip(
        ir["atomic_number"],
        ir["charge"],
        ir["coordination"],
        ir["spin"],
        ir["ionic_radius"],
        strict=True,
    ):
        if r is None or _isnan(r) or int(q) <= 0 or float(r) <= 0:
            continue
        spin_s = spin if isinstance(spin, str) else ""
        radii.setdefault((int(z), int(q)), []).append(
            (_cn_number(cn), spin_s, float(r) / 100.0)  # pm -> Angstrom
        )

    return _Tables(
        z_of=dict(zip(symbols, zs, strict=True)),
        symbol=dict(zip(zs, symbols, strict=True)),
        name_to_symbol={str(n).lower(): s for n, s in zip(el["name"], symbols, strict=True) if n},
        period={z: int(p) for z, p in zip(zs, el["period"], strict=True)},
        group=col("group_id"),
        block={z: str(b) for z, b in zip(zs, el["block"], strict=True)},
        en_pauling=col("en_pauling"),
        cov_radius={z: v / 100.0 for z, v in col("covalent_radius_pyykko").items()},
        econf={z: str(c) for z, c in zip(zs, el["electronic_configuration"], strict=True)},
        ie=ie_seq,
        max_ox=max_ox,
        radii={k: tuple(v) for k, v in radii.items()},
    )


def _isnan(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return False
