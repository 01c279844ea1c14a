"""PHREEQC engine: one IPhreeqc run per pH sweep, read back through SELECTED_OUTPUT.

Precipitation: the sweep is solved once without solids; at the pH values where a selected
phase is supersaturated (the one with the largest SI / p when several are), the solution is
solved again with the dissolved metal set by equilibrium with that phase (PHREEQC's
``<element> <total> <phase> 0`` in SOLUTION, i.e. SI = 0 at the fixed pH), and the metal the
solution no longer holds is the solid.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .databases import (
    _BG_ANION,
    _BG_CATION,
    _ELEMENT,
    _IDEAL_GAMMA,
    LIGAND_ELEMENT,
    _check_names_free,
    _database_master,
    _hydrolysis_blocks,
    _ligand_blocks,
    _minimal_database,
    _species_names,
)
from .hydrolysis import HydrolysisPhase, HydrolysisSpecies, hydroxo_columns
from .reactions import _read_database

_CHARGE_PASSES = 8  # Davies: at most this many runs to neutralise each solution
_CHARGE_TOL = 1e-10  # eq/kgw of charge imbalance left after which no further run is made
#: KNOBS tried in turn when PHREEQC fails to converge (all values explicit, because KNOBS
#: persist between runs): PHREEQC's defaults, then smaller Newton steps, then numerical
#: derivatives with diagonal scaling (needed e.g. for Fe3+ with phreeqc.dat near pH 2.5), then
#: still smaller steps (Th4+ with its +6 / +8 / +9 polynuclear complexes and Davies).
_KNOB_SETS = (
    "-step_size 100\n    -numerical_derivatives false\n    -diagonal_scale false\n",
    "-step_size 10\n    -numerical_derivatives false\n    -diagonal_scale false\n",
    "-step_size 10\n    -numerical_derivatives true\n    -diagonal_scale true\n",
    "-step_size 2\n    -numerical_derivatives true\n    -diagonal_scale true\n",
)


class _Phreeqc:
    """One IPhreeqc instance with a loaded database (runs share it)."""

    def __init__(
        self,
        db_text: str,
        extra: str,
        columns: list[str],
        phases: Sequence[str] = (),
        totals: str = "",
    ) -> None:
        from phreeqc import Phreeqc

        self.engine = Phreeqc()
        if self.engine.LoadDatabaseString(db_text):
            raise RuntimeError(
                f"PHREEQC could not load the database:\n{self.engine.GetErrorString().strip()}"
            )
        self.extra = extra
        self.select = (
            "SELECTED_OUTPUT 1\n    -reset false\n    -pH true\n    -charge_balance true\n"
            f"    -molalities {' '.join(columns)}\n"
        )
        if phases:
            self.select += f"    -saturation_indices {' '.join(phases)}\n"
        if totals:
            self.select += f"    -totals {totals}\n"

    def run(self, solutions: str) -> dict[str, list]:
        errors = ""
        for knobs in _KNOB_SETS:
            head = (
                f"{self.extra}KNOBS\n    -convergence_tolerance 1e-12\n    -iterations 400\n"
                f"    {knobs}{self.select}"
            )
            if not self.engine.RunString(head + solutions):
                return self.engine.GetSelectedOutput()
            errors = "\n".join(self.engine.GetErrorString().strip().splitlines()[:10])
        raise RuntimeError(
            "PHREEQC failed to solve the speciation with every convergence setting tried "
            f"(check that the constants are realistic); last errors:\n{errors}"
        )


def _solutions(
    ph: np.ndarray,
    metal_name: str,
    metal_conc: float,
    ligand_conc: float,
    temperature: float,
    background: float,
    net_anion: np.ndarray,
    saturate: Sequence[str | None] | None = None,
) -> str:
    """One SOLUTION per pH; ``net_anion`` = extra background anion (< 0: extra cation), eq.

    ``saturate[i]`` names a phase that sets the dissolved metal of solution i (SI = 0).
    """
    blocks = []
    for i, (p, extra) in enumerate(zip(ph, net_anion, strict=True), start=1):
        phase = saturate[i - 1] if saturate is not None else None
        lines = [
            f"SOLUTION {i}",
            "    -units mol/kgw",
            f"    -temp {float(temperature)!r}",
            f"    pH {float(p)!r}",
            f"    {metal_name} {metal_conc!r}" + (f" {phase} 0" if phase else ""),
            f"    {LIGAND_ELEMENT} {ligand_conc!r}",
        ]
        cat = background + max(-float(extra), 0.0)
        ani = background + max(float(extra), 0.0)
        if cat > 0:
            lines.append(f"    {_BG_CATION} {cat!r}")
        if ani > 0:
            lines.append(f"    {_BG_ANION} {ani!r}")
        blocks.append("\n".join(lines) + "\n")
    return "".join(blocks) + "END\n"


def _sweep(
    runner: _Phreeqc,
    ph: np.ndarray,
    passes: int,
    saturate: Sequence[str | None] | None,
    args: tuple,
) -> dict[str, list]:
    """Run the solutions; with activity corrections repeat until they are neutral.

    With activity corrections the ionic strength must include the counter-ions of H+ / OH-
    and of the charged species: add background anion (cation) equal to the excess positive
    (negative) charge, re-solve, repeat. Fixed amounts rather than PHREEQC's 'charge'
    keyword, which fails to converge for hydrolysed metals at pH > 11.
    """
    net_anion = np.zeros(ph.size)
    for _ in range(passes):
        out = runner.run(_solutions(ph, *args, net_anion, saturate))
        imbalance = _column(out, "charge(eq)", ph.size)  # eq in 1 kg water
        if np.abs(imbalance).max() <= _CHARGE_TOL:
            break
        net_anion = net_anion + imbalance
    got_ph = _column(out, "pH", ph.size)
    if not np.allclose(got_ph, ph, rtol=0, atol=1e-8):  # pragma: no cover - PHREEQC fixes pH
        raise RuntimeError(f"PHREEQC returned pH {got_ph} instead of the requested {ph}")
    return out


def _phreeqc_engine(
    log_beta: np.ndarray,
    protonation: np.ndarray,
    ph: np.ndarray,
    symbol: str,
    z_m: int,
    z_l: int,
    metal_conc: float,
    ligand_conc: float,
    temperature: float,
    ionic_strength: float | None,
    activity: str,
    database: str | Path | None,
    species: Sequence[HydrolysisSpecies] = (),
    phases: Sequence[HydrolysisPhase] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Fractions (metal: free, ML_n, hydroxo columns(, solid)(, other); ligand as NumPy).

    ``species`` (minimal database only) are the hydroxo complexes added to it, ``phases`` the
    solids allowed to precipitate (names of ``database`` when one is given).
    """
    metal_sp, free, prot, cplx = _species_names(symbol, z_m, z_l, log_beta.size, protonation.size)
    ideal = activity == "ideal"
    gamma = _IDEAL_GAMMA if ideal else ""
    blocks = _ligand_blocks(metal_sp, free, prot, cplx, log_beta, protonation, gamma)
    if database is None:
        hyd = _hydrolysis_blocks(metal_sp, species, phases, gamma)
        element = _ELEMENT.match(symbol).group(0)  # 'UO2' (uranyl) -> element 'U'
        db_text = _minimal_database(element, metal_sp, blocks, ideal, hyd)
        extra = ""
        metal_name = element
    else:
        species = ()
        raw, label = _read_database(database)
        _check_names_free(raw, label)
        metal_name = _database_master(raw, symbol, z_m, label)
        db_text = raw
        extra = f"SOLUTION_MASTER_SPECIES\n{blocks[0]}SOLUTION_SPECIES\n{blocks[1]}"
    hyd_names = [sp.name for sp in species]
    columns = [metal_sp, *cplx, free, *prot, *hyd_names]
    totals = metal_name if phases else ""
    runner = _Phreeqc(db_text, extra, columns, [ph_.name for ph_ in phases], totals)
    background = float(ionic_strength) if ionic_strength is not None else 0.0
    args = (metal_name, metal_conc, ligand_conc, temperature, background)
    passes = 1 if ideal else _CHARGE_PASSES
    out = _sweep(runner, ph, passes, None, args)
    names = [f"m_{c}(mol/kgw)" for c in columns]
    mol = {c: _column(out, key, ph.size) for c, key in zip(columns, names, strict=True)}
    solid = np.zeros(ph.size)
    if phases:
        si = np.column_stack([_column(out, f"si_{p.name}", ph.size) / float(p.p) for p in phases])
        best = si.argmax(axis=1)
        supersaturated = np.flatnonzero(si.max(axis=1) > 0.0)
        if supersaturated.size:
            saturate = [phases[best[i]].name for i in supersaturated]
            out2 = _sweep(runner, ph[supersaturated], passes, saturate, args)
            for c, key in zip(columns, names, strict=True):
                mol[c][supersaturated] = _column(out2, key, supersaturated.size)
            dissolved = _column(out2, f"{metal_name}(mol/kgw)", supersaturated.size)
            solid[supersaturated] = np.clip(1.0 - dissolved / metal_conc, 0.0, None)
    metal_frac = np.column_stack([mol[metal_sp], *(mol[c] for c in cplx)]) / metal_conc
    n = np.arange(1, log_beta.size + 1, dtype=float)
    bound = metal_frac[:, 1:] @ n * metal_conc / ligand_conc
    lig_frac = np.column_stack([mol[free], *(mol[c] for c in prot), bound])
    lig_frac[:, :-1] /= ligand_conc
    hydroxo = []
    for col in hydroxo_columns(species):
        parts = [sp.p * mol[sp.name] for sp in species if sp.column == col]
        hydroxo.append(np.sum(parts, axis=0) / metal_conc)
    metal_frac = np.column_stack([metal_frac, *hydroxo])
    if phases:
        metal_frac = np.column_stack([metal_frac, solid])
    if database is not None:
        other = np.clip(1.0 - metal_frac.sum(axis=1), 0.0, None)
        metal_frac = np.column_stack([metal_frac, other])
    return metal_frac, lig_frac


def _column(out: dict[str, list], name: str, n_rows: int) -> np.ndarray:
    if name not in out:  # pragma: no cover - guards against a PHREEQC output change
        raise RuntimeError(f"PHREEQC selected output has no column {name!r} ({list(out)})")
    values = np.asarray(out[name], dtype=float)
    if values.shape != (n_rows,):  # pragma: no cover
        raise RuntimeError(f"PHREEQC returned {values.shape[0]} rows for {n_rows} pH values")
    return values
