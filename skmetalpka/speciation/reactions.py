"""PHREEQC databases read: shipped or file text, reactions, formula composition, log K(T).

Reads the ``SOLUTION_SPECIES`` and ``PHASES`` blocks of a PHREEQC database (any file shipped with
the :mod:`phreeqc` package or a database file) into :class:`Reaction` objects, and expresses the
log K of any aqueous species or phase relative to the database's primary master species
(:func:`formation_log_k`), so that a reaction can be rewritten in terms of any other species of
the same element (for example a hydroxo complex relative to the aqua ion, whatever species the
database chose as master).

Temperature: like PHREEQC, an analytical expression ``-analytic A1..A6`` (``log K = A1 + A2 T +
A3 / T + A4 log10 T + A5 / T^2 + A6 T^2``, T in K) wins over ``delta_h`` (van 't Hoff, kJ/mol
unless the line gives ``kcal``, ``cal`` or ``J``), and without either log K is constant.
Species or phases with ``-add_logk`` (named expressions) or an explicit ``-mass_balance`` are
kept out (their log K or composition cannot be read from the line alone).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

#: Gas constant in kJ/(mol K) as PHREEQC uses it (van 't Hoff temperature correction).
_R_KJ = 0.00831470
_T_REF = 298.15
_KEYWORDS = frozenset(
    """ADVECTION CALCULATE_VALUES COPY DATABASE DELETE DUMP END EQUILIBRIUM_PHASES EXCHANGE
    EXCHANGE_MASTER_SPECIES EXCHANGE_SPECIES GAS_BINARY_PARAMETERS GAS_PHASE INCLUDE$
    INCREMENTAL_REACTIONS INVERSE_MODELING ISOTOPE_ALPHAS ISOTOPE_RATIOS ISOTOPES KINETICS KNOBS
    LLNL_AQUEOUS_MODEL_PARAMETERS MEAN_GAMMAS MIX NAMED_EXPRESSIONS PHASES PITZER PRINT RATES
    REACTION REACTION_PRESSURE REACTION_TEMPERATURE RUN_CELLS SAVE SELECTED_OUTPUT SIT
    SOLID_SOLUTIONS SOLUTION SOLUTION_MASTER_SPECIES SOLUTION_SPECIES SOLUTION_SPREAD SURFACE
    SURFACE_MASTER_SPECIES SURFACE_SPECIES TITLE TRANSPORT USE USER_GRAPH USER_PRINT
    USER_PUNCH""".split()
)
_UNITS_KJ = {"kj": 1.0, "kcal": 4.184, "cal": 4.184e-3, "j": 1e-3}
_TERM = re.compile(r"^(\d*\.?\d+)?\s*(\S+)$")
_CHARGE = re.compile(r"(\+\d+|-\d+|\++|-+)$")
_TOKEN = re.compile(r"[A-Z][a-z]*|\d*\.?\d+|[()]")


@dataclass(frozen=True)
class Reaction:
    """One reaction ``sum lhs = sum rhs`` of a database, with its temperature dependence.

    ``lhs`` / ``rhs`` hold ``(coefficient, species)`` pairs. For ``SOLUTION_SPECIES`` the
    defined species is the first of ``rhs``; for ``PHASES`` the phase formula is the first of
    ``lhs``. ``usable`` is False for reactions with ``-add_logk`` / ``-mass_balance``.
    """

    lhs: tuple[tuple[Fraction, str], ...]
    rhs: tuple[tuple[Fraction, str], ...]
    log_k: float
    delta_h: float | None  # kJ/mol
    analytic: tuple[float, ...] | None
    usable: bool = True

    def log_k_at(self, temperature: float) -> float:
        """log10 K at ``temperature`` (deg C), as PHREEQC computes it."""
        t = temperature + 273.15
        if self.analytic is not None:
            a = (*self.analytic, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)[:6]
            return a[0] + a[1] * t + a[2] / t + a[3] * math.log10(t) + a[4] / t**2 + a[5] * t**2
        if self.delta_h:
            return self.log_k - self.delta_h / (_R_KJ * math.log(10.0)) * (1.0 / t - 1.0 / _T_REF)
        return self.log_k


@dataclass(frozen=True)
class Database:
    """Parsed reactions of one database: ``species[name]``, ``phases[name]``.

    ``compositions[name]`` is :func:`species_composition` of every aqueous species (None when
    the name cannot be read as a formula).
    """

    label: str
    species: dict[str, Reaction]
    phases: dict[str, Reaction]
    compositions: dict[str, tuple[dict[str, Fraction], int] | None]


def split_charge(name: str) -> tuple[str, int]:
    """``"Fe2(OH)2+4"`` -> ``("Fe2(OH)2", 4)``; ``"OH-"`` -> ``("OH", -1)``."""
    m = _CHARGE.search(name)
    if m is None:
        return name, 0
    q = m.group(1)
    sign = 1 if q[0] == "+" else -1
    return name[: m.start()], sign * (int(q[1:]) if q[1:].isdigit() else len(q))


def composition(formula: str) -> dict[str, Fraction] | None:
    """Element counts of a formula without charge (``"PbO:0.33H2O"``, ``"(UO2)2(OH)2"``).

    Element names follow PHREEQC (a capital letter and any lower-case letters). None when the
    formula cannot be read.
    """
    total: dict[str, Fraction] = {}
    for part in formula.split(":"):
        m = re.match(r"^(\d*\.?\d+)?(.*)$", part)
        coef = Fraction(m.group(1)) if m and m.group(1) else Fraction(1)
        body = m.group(2) if m else part
        if not body or "".join(_TOKEN.findall(body)) != body:
            return None
        tokens = _TOKEN.findall(body)
        stack: list[dict[str, Fraction]] = [{}]
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            i += 1
            if tok == "(":
                stack.append({})
                continue
            if not tok[0].isalpha() and tok != ")":  # a number not after an element or group
                return None
            mult = Fraction(1)
            if i < len(tokens) and not tokens[i][0].isalpha() and tokens[i] not in "()":
                mult = Fraction(tokens[i])
                i += 1
            if tok == ")":
                if len(stack) == 1:
                    return None
                for el, k in stack.pop().items():
                    stack[-1][el] = stack[-1].get(el, Fraction(0)) + k * mult
            else:
                stack[-1][tok] = stack[-1].get(tok, Fraction(0)) + mult
        if len(stack) != 1:
            return None
        for el, k in stack[0].items():
            total[el] = total.get(el, Fraction(0)) + k * coef
    return {el: k for el, k in total.items() if k != 0}


def species_composition(name: str) -> tuple[dict[str, Fraction], int] | None:
    """(element counts, charge) of an aqueous species name; ``e-`` has no elements."""
    core, charge = split_charge(name)
    if core == "e":
        return {}, charge
    comp = composition(core)
    return None if comp is None else (comp, charge)


def _side(text: str) -> tuple[tuple[Fraction, str], ...] | None:
    terms = re.split(r"\s+\+\s+", text.strip())
    out = []
    for term in terms:
        m = _TERM.match(term.strip())
        if m is None:
            return None
        out.append((Fraction(m.group(1)) if m.group(1) else Fraction(1), m.group(2)))
    return tuple(out)


def _options(line: str, state: dict) -> None:
    parts = line.split()
    key = parts[0].lstrip("-").lower()
    values = parts[1:]
    try:
        if key in ("log_k", "logk") and values:
            state["log_k"] = float(values[0])
        elif key in ("delta_h", "deltah") and values:
            unit = values[1].lower().split("/")[0] if len(values) > 1 else "kj"
            state["delta_h"] = float(values[0]) * _UNITS_KJ.get(unit, 1.0)
        elif key in ("analytic", "analytical_expression", "a_e", "analytical") and values:
            state["analytic"] = tuple(float(v) for v in values[:6])
        elif key in ("add_logk", "add_log_k", "mass_balance", "mole_balance"):
            state["usable"] = False
        elif key == "add_constant" and values:
            state["add"] = state.get("add", 0.0) + float(values[0])
    except ValueError:
        state["usable"] = False


def _finish(state: dict | None, into: dict[str, Reaction]) -> None:
    if not state or state.get("sides") is None:
        return
    lhs, rhs = state["sides"]
    add = state.get("add", 0.0)
    analytic = state.get("analytic")
    if analytic is not None and add:
        analytic = (analytic[0] + add, *analytic[1:])
    reaction = Reaction(
        lhs, rhs, state.get("log_k", 0.0) + add, state.get("delta_h"), analytic,
        state.get("usable", True),
    )  # fmt: skip
    into[state["name"]] = reaction


def parse_database(text: str, label: str) -> Database:
    """Reactions of the ``SOLUTION_SPECIES`` and ``PHASES`` blocks of a database text."""
    species: dict[str, Reaction] = {}
    phases: dict[str, Reaction] = {}
    block = ""
    state: dict | None = None
    for raw in text.splitlines():
        for piece in raw.split("#", 1)[0].split(";"):
            line = piece.strip()
            if not line:
                continue
            first = line.split()[0]
            if first in _KEYWORDS or first.endswith(("_RAW", "_MODIFY")):
                _finish(state, species if block == "SOLUTION_SPECIES" else phases)
                state = None
                block = first
                continue
            if block == "SOLUTION_SPECIES":
                if "=" in line and not line.startswith("-"):
                    _finish(state, species)
                    left, _, right = line.partition("=")
                    lhs, rhs = _side(left), _side(right)
                    ok = lhs is not None and rhs is not None and "=" not in right
                    state = {"name": rhs[0][1] if ok else None, "sides": (lhs, rhs) if ok else None}
                elif state is not None:
                    _options(line, state)
            elif block == "PHASES":
                if "=" in line and not line.startswith("-"):
                    if state is not None and state.get("sides") is None:
                        left, _, right = line.partition("=")
                        lhs, rhs = _side(left), _side(right)
                        if lhs is not None and rhs is not None and "=" not in right:
                            state["sides"] = (lhs, rhs)
                elif line.startswith("-") or first.lower() in ("log_k", "logk", "delta_h"):
                    if state is not None:
                        _options(line, state)
                else:
                    _finish(state, phases)
                    state = {"name": first, "sides": None}
    _finish(state, species if block == "SOLUTION_SPECIES" else phases)
    names = {n for rx in (*species.values(), *phases.values()) for _, n in (*rx.lhs, *rx.rhs)}
    compositions = {n: species_composition(n) for n in names | set(species)}
    return Database(label, species, phases, compositions)


def _builtin_databases() -> list[str]:
    from phreeqc import Phreeqc

    return list(Phreeqc.ListBuiltInDatabases())


def _read_database(database: str | Path) -> tuple[str, str]:
    """(text, label) of a built-in database name or a database file path."""
    name = str(database)
    builtin = _builtin_databases()
    if name in builtin:
        import importlib.resources

        ref = importlib.resources.files("phreeqc") / "databases" / name
        return ref.read_text(encoding="utf-8", errors="replace"), name
    path = Path(name)
    if path.is_file():
        return path.read_text(encoding="utf-8", errors="replace"), str(path)
    raise ValueError(
        f"database {name!r} is neither a database shipped with the phreeqc package "
        f"({', '.join(builtin)}) nor an existing file"
    )


@lru_cache(maxsize=8)
def _parse_cached(label: str, stamp: float) -> Database:
    text, label = _read_database(label)
    return parse_database(text, label)


def load_database(database: str | Path) -> Database:
    """Parsed reactions of a shipped database name or a database file (cached)."""
    name = str(database)
    path = Path(name)
    stamp = path.stat().st_mtime if path.is_file() else 0.0
    return _parse_cached(name, stamp)


def formation_log_k(
    db: Database, name: str, temperature: float, _memo: dict | None = None
) -> float | None:
    """log10 K of forming species ``name`` from the primary master species, at ``temperature``.

    The defining reactions are followed back to the species defined by identity reactions
    (``Fe+3 = Fe+3``), whose value is 0. None when a reaction is missing, not usable or
    circular.
    """
    memo = {} if _memo is None else _memo
    if name in memo:
        return memo[name]
    memo[name] = None  # guards against circular definitions
    rx = db.species.get(name)
    if rx is None or not rx.usable:
        return None
    if len(rx.lhs) == 1 and len(rx.rhs) == 1 and rx.lhs[0][1] == name:
        memo[name] = 0.0
        return 0.0
    total = rx.log_k_at(temperature)
    for sign, terms in ((1.0, rx.lhs), (-1.0, rx.rhs[1:])):
        for coef, other in terms:
            value = formation_log_k(db, other, temperature, memo)
            if value is None:
                return None
            total += sign * float(coef) * value
    memo[name] = total
    return total
