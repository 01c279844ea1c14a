"""Ligand parsing and standardisation: the one place where a SMILES string becomes a ligand.

Every loader, transformer and baseline goes through :func:`standardize_ligand`, so a SMILES is
accepted, cleaned or refused by the same rules everywhere.

Rules
-----
* ``None``, NaN, non-strings and blank strings are refused (:class:`InvalidLigandError`).
* A SMILES that RDKit cannot parse is refused.
* Multi-fragment SMILES: counter-ions and other inorganic fragments (no carbon atom, or
  carbonate / bicarbonate / carbon dioxide) are removed and recorded; repeated copies of the same
  organic fragment (equal up to stereochemistry, as in ``NCCN.NCCN``) are reduced to one copy. If
  two *different* organic fragments remain, the row is refused: which one is the ligand would be
  a guess.
* A ligand that still contains a metal atom is refused (give the free ligand; the metal is a
  separate column).
* Radicals and unspecified (``~``, query) bonds are refused. Formal charges and isotopes are
  kept as drawn.
* The enol of an open-chain 1,3-dicarbonyl (``CC(=O)C=C(C)O``, acetylacetone drawn as its enol)
  is redrawn as the diketo form (``CC(=O)CC(C)=O``), the form the sources mostly use: one source
  drew acetylacetone as the enol and another as the diketone, so the model saw two ligands
  (:func:`ketonize_enols`). Only the hydrogen and the bond orders move; the atom order is kept.
  Other tautomers are kept as drawn (the grouped cross-validation still puts every tautomer of a
  ligand in one fold, :func:`skmetalpka.identity.ligand_group`).

The kept ligand keeps the atom order of the input fragment; ``Ligand.atom_map`` maps each of
its atoms back to the atom index in the input SMILES, so upstream atom indices (for example
``binding_sites``) can be re-indexed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")

__all__ = [
    "InvalidLigandError",
    "Ligand",
    "standardize_ligand",
    "canonical_smiles",
    "iter_atoms",
    "iter_bonds",
    "ketonize_enols",
    "NON_METALS",
]

#: Elements that may appear in a ligand. Everything else counts as a metal.
NON_METALS = frozenset(
    "H He B C N O F Ne Si P S Cl Ar Ge As Se Br Kr Sb Te I Xe At Rn".split() + ["*"]
)

# Carbon-containing fragments that are inorganic counter-ions, not ligands (canonical SMILES).
_INORGANIC_CARBON = frozenset(
    Chem.MolToSmiles(Chem.MolFromSmiles(s))
    for s in ["O=C([O-])[O-]", "O=C([O-])O", "O=C(O)O", "O=C=O", "[C-]#N", "C#N"]
)


def iter_atoms(mol: Chem.Mol):
    """Atoms of ``mol`` by index (faster than ``mol.GetAtoms()``, which re-counts per item)."""
    return (mol.GetAtomWithIdx(i) for i in range(mol.GetNumAtoms()))


def iter_bonds(mol: Chem.Mol):
    """Bonds of ``mol`` by index (faster than ``mol.GetBonds()``)."""
    return (mol.GetBondWithIdx(i) for i in range(mol.GetNumBonds()))


class InvalidLigandError(ValueError):
    """The SMILES does not describe one usable ligand. The message says why and how to fix it."""


@dataclass(frozen=True)
class Ligand:
    """A standardised ligand.

    Attributes
    ----------
    mol : rdkit.Chem.Mol
        The ligand molecule (one fragment, atom order of that fragment in the input).
    smiles : str
        Canonical SMILES of ``mol`` (stereochemistry kept).
    input_smiles : str
        The SMILES as given.
    atom_map : tuple of int
        ``atom_map[i]`` is the index in the input SMILES of atom ``i`` of ``mol``.
    removed_fragments : tuple of str
        Canonical SMILES of every fragment that was removed (counter-ions, repeated copies).
    """

    mol: Chem.Mol
    smiles: str
    input_smiles: str
    atom_map: tuple[int, ...]
    removed_fragments: tuple[str, ...] = field(default=())

    @property
    def was_stripped(self) -> bool:
        """True when fragments were removed from the input SMILES."""
        return bool(self.removed_fragments)


#: The enol of an open-chain 1,3-dicarbonyl: O=C-C=C-OH, the C=C bond outside any ring and not
#: aromatic (atoms 0..4: the carbonyl O, its C, the central C, the enol C and its OH).
_ENOL_13 = Chem.MolFromSmarts("[OX1]=[CX3]-[CX3;!a]=!@[CX3;!a]-[OX2;H1;+0]")


def ketonize_enols(mol: Chem.Mol) -> Chem.Mol:
    """Redraw every open-chain 1,3-dicarbonyl enol of ``mol`` as the diketo tautomer.

    ``O=C-C=C-OH`` becomes ``O=C-CH-C=O``: the enol hydrogen moves to the central carbon.
    Atom indices (and atom properties) are unchanged, so atom indices into ``mol`` stay valid.

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        A sanitised molecule (implicit or explicit hydrogens).

    Returns
    -------
    rdkit.Chem.Mol
        ``mol`` itself when it has no such enol, otherwise an edited copy.

    Examples
    --------
    >>> Chem.MolToSmiles(ketonize_enols(Chem.MolFromSmiles("CC(=O)C=C(C)O")))
    'CC(=O)CC(C)=O'
    """
    if not mol.HasSubstructMatch(_ENOL_13):
        return mol
    work = Chem.RWMol(mol)
    for _ in range(mol.GetNumAtoms()):  # one enol per pass (matches may share atoms)
        match = work.GetSubstructMatch(_ENOL_13)
        if not match:
            break
        _, _, ch, c_enol, o_h = match  # ch: the central carbon, which takes the hydrogen
        work.GetBondBetweenAtoms(ch, c_enol).SetBondType(Chem.BondType.SINGLE)
        work.GetBondBetweenAtoms(c_enol, o_h).SetBondType(Chem.BondType.DOUBLE)
        hs = [n.GetIdx() for n in work.GetAtomWithIdx(o_h).GetNeighbors() if n.GetAtomicNum() == 1]
        if hs:  # explicit hydrogen atom: move it to the CH carbon
            h = hs[0]
            work.RemoveBond(o_h, h)
            work.AddBond(ch, h, Chem.BondType.SINGLE)
        else:
            o_atom, c_atom = work.GetAtomWithIdx(o_h), work.GetAtomWithIdx(ch)
            o_atom.SetNumExplicitHs(0)
            o_atom.SetNoImplicit(False)
            c_atom.SetNumExplicitHs(c_atom.GetTotalNumHs() + 1)
            c_atom.SetNoImplicit(True)
        Chem.SanitizeMol(work)  # the pattern excludes aromatic atoms: nothing to de-aromatise
    return work.GetMol()


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def _no_stereo_smiles(mol: Chem.Mol) -> str:
    return Chem.MolToSmiles(mol, isomericSmiles=False)


# Bounded so that streaming a huge file keeps memory flat; 8192 ligands hold any training set.
@lru_cache(maxsize=8192)
def _standardize_cached(smiles: str, strip_salts: bool) -> Ligand:
    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise InvalidLigandError(
            f"RDKit could not parse SMILES {smiles!r}: check brackets, ring closures and "
            "valences (e.g. 'NCCN' for ethylenediamine)"
        )
    if "." not in smiles:  # one fragment: the fast, common path
        return _finish(mol, smiles, tuple(range(mol.GetNumAtoms())), ())
    mapping: list[tuple[int, ...]] = []
    frags = Chem.GetMolFrags(mol, asMols=True, sanitizeFrags=True, fragsMolAtomMapping=mapping)
    removed: list[str] = []
    organic: list[tuple[Chem.Mol, tuple[int, ...]]] = []
    for frag, atoms in zip(frags, mapping, strict=True):
        can = Chem.MolToSmiles(frag)
        has_carbon = any(a.GetAtomicNum() == 6 for a in frag.GetAtoms())
        if len(frags) > 1 and (not has_carbon or can in _INORGANIC_CARBON):
            removed.append(can)
        else:
            organic.append((frag, tuple(atoms)))
    if not organic:
        raise InvalidLigandError(
            f"SMILES {smiles!r} holds no organic ligand fragment (only counter-ions); "
            "give the ligand itself"
        )
    if len(organic) > 1:
        keys = {_no_stereo_smiles(f) for f, _ in organic}
        if len(keys) > 1:
            raise InvalidLigandError(
                f"SMILES {smiles!r} holds {len(keys)} different organic fragments "
                f"({', '.join(sorted(keys))}); give one ligand per row"
            )
        removed.extend(Chem.MolToSmiles(f) for f, _ in organic[1:])
        organic = organic[:1]
    if removed and not strip_salts:
        raise InvalidLigandError(
            f"SMILES {smiles!r} has several fragments ({', '.join(removed)} besides the "
            "ligand); remove them or use strip_salts=True"
        )
    lig, atom_map = organic[0]
    return _finish(lig, smiles, atom_map, tuple(removed))


def _finish(
    lig: Chem.Mol, smiles: str, atom_map: tuple[int, ...], removed: tuple[str, ...]
) -> Ligand:
    for atom in iter_atoms(lig):
        if atom.GetSymbol() not in NON_METALS:
            raise InvalidLigandError(
                f"SMILES {smiles!r} contains the metal atom {atom.GetSymbol()}; give the free "
                "ligand and put the metal in the 'metal' column"
            )
        if atom.GetNumRadicalElectrons():
            raise InvalidLigandError(
                f"SMILES {smiles!r} has a radical on atom {atom_map[atom.GetIdx()]} "
                f"({atom.GetSymbol()}); give the closed-shell ligand"
            )
    for bond in iter_bonds(lig):
        if bond.HasQuery() or bond.GetBondType() == Chem.BondType.UNSPECIFIED:
            a, b = (atom_map[bond.GetBeginAtomIdx()], atom_map[bond.GetEndAtomIdx()])
            raise InvalidLigandError(
                f"SMILES {smiles!r} has an unspecified ('~') bond between atoms {a} and {b}; "
                "draw the actual bond (single, double, triple or aromatic)"
            )
    if lig.GetNumHeavyAtoms() == 0:
        raise InvalidLigandError(f"SMILES {smiles!r} has no heavy atom; it cannot be a ligand")
    lig = ketonize_enols(lig)
    return Ligand(
        mol=lig,
        smiles=Chem.MolToSmiles(lig),
        input_smiles=smiles,
        atom_map=atom_map,
        removed_fragments=removed,
    )


def standardize_ligand(smiles: object, *, strip_salts: bool = True) -> Ligand:
    """Parse and standardise one ligand SMILES.

    Parameters
    ----------
    smiles : str
        Ligand SMILES, for example ``"NCCN"`` or ``"[Na+].OC(=O)CN"``.
    strip_salts : bool, default=True
        Remove counter-ions and repeated copies of the ligand. When False, any extra fragment is
        an error.

    Returns
    -------
    Ligand

    Raises
    ------
    InvalidLigandError
        With a message that says what is wrong and how to fix it.
    """
    if _is_missing(smiles):
        raise InvalidLigandError("SMILES is missing (None/NaN); give the ligand's SMILES")
    if not isinstance(smiles, str):
        raise InvalidLigandError(
            f"SMILES must be a string, got {type(smiles).__name__} ({smiles!r})"
        )
    text = smiles.strip()
    if not text:
        raise InvalidLigandError("SMILES is empty; give the ligand's SMILES")
    return _standardize_cached(text, bool(strip_salts))


def canonical_smiles(smiles: object, *, isomeric: bool = True) -> str:
    """Canonical SMILES of the standardised ligand (see :func:`standardize_ligand`)."""
    lig = standardize_ligand(smiles)
    if isomeric:
        return lig.smiles
    return _no_stereo_smiles(lig.mol)
