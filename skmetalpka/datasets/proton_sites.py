"""NIST SRD 46 ionisable-atom labels: :func:`load_nist46_proton_sites`.

The table (``nist46_proton_sites.csv``) has one row per measured protonation constant, with the
columns ``SMILES``, ``pKa``, ``Dissociable_Atoms`` (colon-separated RDKit atom indices into that
row's SMILES, e.g. ``"2:3"``), ``Functional_Group`` and ``Name``. The indices are the ionisable
groups that SMARTS rules of the source project found in the molecule, the same list on every row of
a molecule: they are **weak labels** for a binding-site model (ionisable is not the same as
metal-binding), not a per-step assignment. Only ``SMILES`` and ``Dissociable_Atoms`` are used.

Rules
-----
* One sample per standardised ligand (:func:`skmetalpka.chem.standardize_ligand`), in order of
  first appearance. The returned SMILES is the canonical SMILES of the ligand, and its labels
  index the atoms of ``standardize_ligand(smiles).mol`` (the atom order of RDKit's parse of that
  canonical SMILES), whatever spelling the rows used.
* Indices that cannot be read as integers (``invalid_atom_indices``) or that are negative or past
  the last atom of the row's SMILES (``atom_index_out_of_range``: the source then indexed another
  drawing of the molecule) drop the whole row; so does an unusable SMILES (``invalid_smiles``).
* An index into a fragment that standardisation removed (a counter-ion such as ``[Na+]``) is
  removed from the row's labels and counted (``modified['labels_in_removed_fragment']``, in
  atoms); a row left without any label is dropped (``label_in_removed_fragment``).
* A label on an atom that cannot be ionisable (a carbon other than the C of H-C#N / cyanide, a
  metal, a halogen, ...) marks the row's indices as misaligned (e.g. ``"2:3"`` for alanine
  ``C[C@H](N)C(O)=O`` points at the carboxyl C): the row is dropped (``implausible_label_atom``).
* With ``relabel_oxoacid_centres=True`` (default) a label on the central P, As, S or Se atom of
  an oxo acid (the source sometimes names the P of a phosphonic acid instead of its OH) moves to
  that atom's OH / O- oxygens; ``modified['oxoacid_centre_relabelled']`` counts such labels.
  A central atom without an OH / O- neighbour is left as it is.
* All kept rows of one ligand are merged: the label set is the **union** of their labels;
  ``modified['ligands_with_disagreeing_rows']`` counts ligands whose rows did not all give the
  same set (on the NIST file: none).
* ``n_read``/``n_kept``/``dropped`` count raw rows; ``n_samples`` counts the returned ligands.
"""

from __future__ import annotations

import os
from collections import Counter
from functools import lru_cache

import numpy as np
from rdkit import Chem

from skmetalpka.chem import InvalidLigandError, standardize_ligand
from skmetalpka.datasets._home import read_csv_table, resolve_data_file
from skmetalpka.datasets.identity import canonical_atom_order
from skmetalpka.datasets.report import DataReport

__all__ = ["load_nist46_proton_sites", "PROTON_SITES_FILENAME", "canonical_atom_order"]

PROTON_SITES_FILENAME = "nist46_proton_sites.csv"

REQUIRED_COLUMNS = ("SMILES", "Dissociable_Atoms")

#: Elements that can carry an ionisable proton / lone pair in the table's sense.
_IONISABLE_ELEMENTS = frozenset({"N", "O", "S", "Se", "Te", "P", "As"})
#: Central atoms of oxo acids whose OH oxygens are the actual ionisable atoms.
_OXOACID_CENTRES = frozenset({"P", "As", "S", "Se"})


@lru_cache(maxsize=8192)
def _n_input_atoms(smiles: str) -> int:
    mol = Chem.MolFromSmiles(smiles)
    return -1 if mol is None else mol.GetNumAtoms()


def _is_oh(atom: Chem.Atom) -> bool:
    return (
        atom.GetSymbol() == "O"
        and atom.GetDegree() == 1
        and (atom.GetTotalNumHs() > 0 or atom.GetFormalCharge() < 0)
    )


def _plausible(atom: Chem.Atom) -> bool:
    symbol = atom.GetSymbol()
    if symbol in _IONISABLE_ELEMENTS:
        return True
    if symbol == "C":  # H-C#N / cyanide carbon
        return any(
            b.GetBondType() == Chem.BondType.TRIPLE and b.GetOtherAtom(atom).GetSymbol() == "N"
            for b in atom.GetBonds()
        )
    return False


def _parse_indices(text: object) -> list[int] | None:
    parts = [p.strip() for p in str(text).split(":")]
    if not parts or any(not p for p in parts):
        return None
    try:
        return [int(p) for p in parts]
    except ValueError:
        return None


def load_nist46_proton_sites(
    path: str | os.PathLike[str] | None = None,
    *,
    relabel_oxoacid_centres: bool = True,
    return_report: bool = False,
) -> tuple[list[str], list[np.ndarray]] | tuple[list[str], list[np.ndarray], DataReport]:
    """Load per-atom ionisable-site labels (weak binding-site labels) from NIST SRD 46.

    Parameters
    ----------
    path : str or path-like, optional
        The CSV file or a folder holding ``nist46_proton_sites.csv``. When omitted,
        ``$SKMETALPKA_DATA_HOME`` (else ``~/skmetalpka_data``) must hold it.
    relabel_oxoacid_centres : bool, default=True
        Move a label on the central P/As/S/Se atom of an oxo acid to its OH / O- oxygens (see
        the module notes); counted in ``modified['oxoacid_centre_relabelled']``.
    return_report : bool, default=False
        Also return the :class:`DataReport`.

    Returns
    -------
    smiles : list of str
        Canonical standardised ligand SMILES, one per ligand, in order of first appearance.
    labels : list of numpy.ndarray of bool
        ``labels[i][a]`` is True when atom ``a`` of ``standardize_ligand(smiles[i]).mol`` is
        labelled ionisable; every array has at least one True.
    report : DataReport
        Only with ``return_report=True``. Counts are raw rows; drop reasons ``invalid_smiles``,
        ``invalid_atom_indices``, ``atom_index_out_of_range``, ``label_in_removed_fragment`` and
        ``implausible_label_atom``.

    Raises
    ------
    FileNotFoundError
        When no file is found.
    ValueError
        When a required column is missing.

    Notes
    -----
    The labels are weak: an ionisable atom is not always a metal donor (a phosphonate P-OH
    oxygen, an alcohol OH that stays protonated) and a donor is not always ionisable (a
    carboxylate's C=O oxygen is not labelled; an amide O or an ether O may bind). Use them as a
    prior for which atoms can bind, not as the coordination mode.
    """
    file = resolve_data_file(
        path,
        [PROTON_SITES_FILENAME],
        what="NIST 46 ionisable-site table",
        hint=f"put {PROTON_SITES_FILENAME} into the data home",
    )
    raw = read_csv_table(file, REQUIRED_COLUMNS, what="NIST 46 ionisable-site table")
    report = DataReport(source=str(file), n_read=len(raw))

    dropped: Counter[str] = Counter()
    modified: Counter[str] = Counter(ligands_with_disagreeing_rows=0)
    excluded: list[tuple[int, str, str]] = []

    def drop(i: int, reason: str, detail: str) -> None:
        dropped[reason] += 1
        excluded.append((i, reason, detail))

    # canonical SMILES -> list of label sets (canonical atom indices), one per kept row
    groups: dict[str, list[frozenset[int]]] = {}
    n_atoms: dict[str, int] = {}
    n_kept = 0
    for i, (smi, atoms) in enumerate(zip(raw["SMILES"], raw["Dissociable_Atoms"], strict=True)):
        try:
            lig = standardize_ligand(smi)
        except InvalidLigandError as exc:
            drop(i, "invalid_smiles", str(exc))
            continue
        idx = _parse_indices(atoms)
        if idx is None:
            drop(
                i,
                "invalid_atom_indices",
                f"Dissociable_Atoms {atoms!r} is not a colon-separated list of atom indices",
            )
            continue
        n_in = _n_input_atoms(lig.input_smiles)
        bad = [a for a in idx if a < 0 or a >= n_in]
        if bad:
            drop(
                i,
                "atom_index_out_of_range",
                f"atom indices {bad} do not exist in {smi!r} ({n_in} atoms)",
            )
            continue
        inverse = {orig: new for new, orig in enumerate(lig.atom_map)}
        local = [inverse[a] for a in idx if a in inverse]
        if len(local) < len(idx):
            modified["labels_in_removed_fragment"] += len(idx) - len(local)
            if not local:
                drop(
                    i,
                    "label_in_removed_fragment",
                    f"every labelled atom {idx} of {smi!r} is in a removed fragment "
                    f"({', '.join(lig.removed_fragments)})",
                )
                continue
        mol = lig.mol
        wrong = [a for a in local if not _plausible(mol.GetAtomWithIdx(a))]
        if wrong:
            desc = ", ".join(f"{a}:{mol.GetAtomWithIdx(a).GetSymbol()}" for a in wrong)
            drop(
                i,
                "implausible_label_atom",
                f"labelled atom(s) {desc} of the ligand {lig.smiles} cannot be ionisable; the "
                "row's indices are probably misaligned",
            )
            continue
        final: set[int] = set()
        for a in local:
            atom = mol.GetAtomWithIdx(a)
            if relabel_oxoacid_centres and atom.GetSymbol() in _OXOACID_CENTRES:
                oxygens = [n.GetIdx() for n in atom.GetNeighbors() if _is_oh(n)]
                if oxygens:
                    final.update(oxygens)
                    modified["oxoacid_centre_relabelled"] += 1
                    continue
            final.add(a)
        n_atoms[lig.smiles] = mol.GetNumAtoms()
        # Another spelling of the same ligand has another atom order; map through the canonical
        # order of *this* row's molecule.
        position = {old: new for new, old in enumerate(canonical_atom_order(lig))}
        groups.setdefault(lig.smiles, []).append(frozenset(position[a] for a in final))
        n_kept += 1

    smiles_out: list[str] = []
    labels_out: list[np.ndarray] = []
    for smi, sets in groups.items():
        if len(set(sets)) > 1:
            modified["ligands_with_disagreeing_rows"] += 1
        lab = np.zeros(n_atoms[smi], dtype=bool)
        lab[sorted(frozenset().union(*sets))] = True
        smiles_out.append(smi)
        labels_out.append(lab)

    excluded.sort()
    report.settle(
        n_kept=n_kept,
        n_samples=len(smiles_out),
        dropped=dropped,
        modified=modified,
        raw=raw,
        excluded=excluded,
    )
    report.notes.append(
        "counts are raw rows (one per measured constant); n_samples = ligands returned, with the "
        "union of the labels of their rows"
    )
    report.notes.append(
        "modified: labels_in_removed_fragment and oxoacid_centre_relabelled count atoms "
        "(summed over rows), ligands_with_disagreeing_rows counts ligands"
    )
    report.notes.append("weak labels: ionisable atoms, not observed metal-binding atoms")
    report.check()
    if return_report:
        return smiles_out, labels_out, report
    return smiles_out, labels_out
