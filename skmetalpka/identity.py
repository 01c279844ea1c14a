"""One ligand identity across data sources, and atom indices that survive standardisation.

Two jobs that every loader carrying atom indices (binding sites, donor atoms, ionisable atoms)
needs, done in one place:

Atom indices
------------
An upstream index refers to the atom order of the SMILES *as written in the source*. A loader
returns the standardised, canonical SMILES, and the featuriser parses **that** string, whose atom
order is RDKit's canonical output order. :func:`map_atom_indices` carries indices from the input
SMILES, through salt stripping (``skmetalpka.chem.Ligand.atom_map``), to the atom order of
``Chem.MolFromSmiles(lig.smiles)`` (:func:`canonical_atom_order`). Loaders must use it rather than
``Ligand.atom_map`` alone: ``atom_map`` gives the order of the input fragment, not of the
returned SMILES (for glycine written ``OC(=O)CN`` atom 0 is an O, while atom 0 of the canonical
``NCC(=O)O`` is the N).

Ligand identity
---------------
Sources draw one ligand in different forms: the neutral acid (NIST-46), the binding anion with
explicit hydrogens (LOGKPREDICT, ``[O-]``), a salt (``[Na+].OC(=O)...``), with or without
stereochemistry. :func:`ligand_id` reduces every drawing to one key, the **identity SMILES**:

1. :func:`skmetalpka.chem.standardize_ligand` (parse, strip counter-ions and repeated copies,
   refuse metals and mixtures of different organic fragments);
2. explicit hydrogens removed;
3. neutralised to the uncharged parent with RDKit's ``rdMolStandardize.Uncharger``: acids and
   phenols protonated (``[O-]`` -> ``OH``), ammonium and pyridinium deprotonated
   (``[NH3+]`` -> ``NH2``); charges that cannot be removed (quaternary ammonium, the
   charge-separated nitro group ``[N+](=O)[O-]``) stay as they are;
4. the enol of an open-chain 1,3-dicarbonyl redrawn as the diketone
   (:func:`skmetalpka.chem.ketonize_enols`; acetylacetone is drawn as the enol in one source and
   as the diketone in another);
5. stereochemistry removed (``@``/``@@`` and ``/``/``\\``): the sources draw it
   inconsistently, and with achiral aqua metal ions enantiomers have the same constants.
   Diastereomers (e.g. meso- and (R,R)-tartaric acid) then share one identity too; this
   merges a few genuinely different ligands, the price of matching sources that omit stereo;
6. canonical RDKit SMILES of the result.

Other tautomers are **not** merged into one identity (2-hydroxypyridine and 2-pyridone stay two
ligands, and their measurements are not pooled); neither are isotopes (none in the sources).

Ligand groups
-------------
Grouped cross-validation needs a coarser key than the identity: two drawings that are tautomers
of each other are the same substance in solution, and must never sit one in the training rows and
one in the test rows of a fold. :func:`ligand_group` is the identity's canonical tautomer (RDKit's
``TautomerEnumerator``), which :func:`skmetalpka.groups.make_groups` uses for ``"ligand"``.
Merging too much there only makes a fold's test set harder, never leaks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rdkit import Chem
from rdkit.Chem.MolStandardize import rdMolStandardize

from .chem import InvalidLigandError, Ligand, ketonize_enols, standardize_ligand

__all__ = [
    "canonical_atom_order",
    "map_atom_indices",
    "SiteMapping",
    "neutral_parent",
    "ligand_id",
    "ligand_group",
    "is_inorganic",
]

# Neutral, stereo-free canonical SMILES of carbon-containing species that count as inorganic
# ligands (carbonic acid / CO2, HCN, HSCN / HNCS, HOCN / HNCO).
_INORGANIC_CARBON_PARENTS = frozenset(
    Chem.MolToSmiles(Chem.MolFromSmiles(s))
    for s in ["O=C(O)O", "O=C=O", "C#N", "N#CS", "N=C=S", "N#CO", "N=C=O", "[C-]#[O+]"]
)


def canonical_atom_order(lig: Ligand) -> list[int]:
    """Atom order of ``lig.smiles`` in terms of ``lig.mol``.

    ``canonical_atom_order(lig)[i]`` is the index in ``lig.mol`` of atom ``i`` of
    ``Chem.MolFromSmiles(lig.smiles)`` (equivalently ``standardize_ligand(lig.smiles).mol``).
    """
    return _output_order(lig.mol, lig.smiles)


def _output_order(mol: Chem.Mol, expected: str | None = None, **kwargs: bool) -> list[int]:
    mol = Chem.Mol(mol)
    smiles = Chem.MolToSmiles(mol, **kwargs)
    if expected is not None and smiles != expected:  # pragma: no cover - same call made it
        raise RuntimeError(f"canonical SMILES changed between calls: {smiles} vs {expected}")
    return [int(i) for i in mol.GetPropsAsDict(True, True)["_smilesAtomOutputOrder"]]


@dataclass(frozen=True)
class SiteMapping:
    """Atom indices carried from an input SMILES to a standardised one.

    Attributes
    ----------
    sites : list of int
        The mapped indices, in input order (indices that could not be mapped are left out).
    n_on_removed_fragment : int
        Input indices that pointed at a fragment removed by standardisation (a counter-ion).
    n_out_of_range : int
        Input indices that are negative or past the last atom of the input SMILES.
    """

    sites: list[int]
    n_on_removed_fragment: int = 0
    n_out_of_range: int = 0


@lru_cache(maxsize=8192)
def _n_input_atoms(smiles: str) -> int:
    mol = Chem.MolFromSmiles(smiles)
    return 0 if mol is None else mol.GetNumAtoms()


def map_atom_indices(lig: Ligand, indices: Iterable[int]) -> SiteMapping:
    """Map atom indices of ``lig.input_smiles`` onto the atom order of ``lig.smiles``.

    Parameters
    ----------
    lig : Ligand
        The standardised ligand (:func:`skmetalpka.chem.standardize_ligand`).
    indices : iterable of int
        Atom indices in RDKit's parse order of ``lig.input_smiles``.

    Returns
    -------
    SiteMapping
        ``sites[k]`` indexes ``Chem.MolFromSmiles(lig.smiles)``; order and repeats of the kept
        indices are preserved.
    """
    to_mol = {orig: new for new, orig in enumerate(lig.atom_map)}
    to_canonical = {old: new for new, old in enumerate(canonical_atom_order(lig))}
    sites: list[int] = []
    removed = out = 0
    for p in indices:
        p = int(p)
        if p in to_mol:
            sites.append(to_canonical[to_mol[p]])
        elif 0 <= p < _n_input_atoms(lig.input_smiles):
            removed += 1
        else:
            out += 1
    return SiteMapping(sites, removed, out)


@lru_cache(maxsize=1)
def _uncharger() -> rdMolStandardize.Uncharger:
    return rdMolStandardize.Uncharger()


def neutral_parent(mol: Chem.Mol, *, keep_stereo: bool = False) -> tuple[str, list[int]]:
    """Uncharged parent of one ligand molecule, and where each atom of ``mol`` went.

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        One ligand fragment without metal (explicit hydrogens allowed).
    keep_stereo : bool, default=False
        Keep stereochemistry in the SMILES (the identity drops it).

    Returns
    -------
    smiles : str
        Canonical SMILES of the neutralised molecule (see the module notes).
    position : list of int
        ``position[a]`` is the index, in ``Chem.MolFromSmiles(smiles)``, of heavy atom ``a`` of
        ``mol``; ``-1`` for an explicit hydrogen atom of ``mol``.
    """
    work = Chem.Mol(mol)
    for atom in work.GetAtoms():
        atom.SetIntProp("_skm_in", atom.GetIdx())
    work = Chem.RemoveHs(work, sanitize=True)
    work = ketonize_enols(_uncharger().uncharge(work))
    if not keep_stereo:
        Chem.RemoveStereochemistry(work)
    order = _output_order(work)  # order[i] = index in work of output atom i
    smiles = Chem.MolToSmiles(work)
    position = [-1] * mol.GetNumAtoms()
    for out_idx, work_idx in enumerate(order):
        position[work.GetAtomWithIdx(work_idx).GetIntProp("_skm_in")] = out_idx
    return smiles, position


@lru_cache(maxsize=16384)
def _ligand_id_cached(smiles: str) -> str:
    return neutral_parent(standardize_ligand(smiles).mol)[0]


def ligand_id(smiles: object) -> str:
    """Identity SMILES of a ligand: the same string for every drawing of the same ligand.

    Parameters
    ----------
    smiles : str
        Any drawing of the ligand: neutral acid, anion, with explicit hydrogens, as a salt.

    Returns
    -------
    str
        Canonical SMILES of the uncharged, stereo-free parent (see the module notes).

    Raises
    ------
    skmetalpka.chem.InvalidLigandError
        When :func:`skmetalpka.chem.standardize_ligand` refuses the SMILES.

    Examples
    --------
    >>> ligand_id("[Na+].[O-]C(=O)CN") == ligand_id("NCC(O)=O") == "NCC(=O)O"
    True
    """
    if not isinstance(smiles, str):
        standardize_ligand(smiles)  # raises the standard message
    try:
        return _ligand_id_cached(str(smiles).strip())
    except (ValueError, RuntimeError) as exc:
        if isinstance(exc, InvalidLigandError):
            raise
        raise InvalidLigandError(f"could not neutralise {smiles!r}: {exc}") from exc


@lru_cache(maxsize=1)
def _tautomer_enumerator() -> rdMolStandardize.TautomerEnumerator:
    return rdMolStandardize.TautomerEnumerator()


@lru_cache(maxsize=16384)
def _ligand_group_cached(identity: str) -> str:
    mol = Chem.MolFromSmiles(identity)
    try:
        return Chem.MolToSmiles(_tautomer_enumerator().Canonicalize(mol))
    except (ValueError, RuntimeError):  # pragma: no cover - RDKit gave up: the identity itself
        return identity


def ligand_group(smiles: object) -> str:
    """Group key of a ligand for grouped cross-validation: its identity's canonical tautomer.

    Every drawing of a ligand, tautomers included, gives the same key (see the module notes).
    Coarser than :func:`ligand_id`, which keeps tautomers apart.

    Parameters
    ----------
    smiles : str
        Any drawing of the ligand.

    Returns
    -------
    str
        Canonical SMILES of the canonical tautomer of :func:`ligand_id` ``(smiles)``.

    Raises
    ------
    skmetalpka.chem.InvalidLigandError
        When :func:`ligand_id` refuses the SMILES.

    Examples
    --------
    >>> ligand_group("Oc1ccccn1") == ligand_group("O=c1cccc[nH]1")
    True
    >>> ligand_id("Oc1ccccn1") == ligand_id("O=c1cccc[nH]1")
    False
    """
    return _ligand_group_cached(ligand_id(smiles))


def is_inorganic(mol: Chem.Mol) -> bool:
    """True for a ligand without carbon, or a carbon-containing inorganic anion's parent.

    The latter are carbonic acid / carbonate, CO2, HCN / cyanide, HSCN / thiocyanate and
    HOCN / cyanate (in their neutral parent forms).
    """
    if not any(a.GetAtomicNum() == 6 for a in mol.GetAtoms()):
        return True
    return neutral_parent(mol)[0] in _INORGANIC_CARBON_PARENTS
