"""Complex SMILES -> metal + ligand + donor atoms: :func:`split_complex`.

Two spellings of a 1:1 complex are read:

* the **dative form** (LOGKPREDICT NIST table): the ligand bonded to the metal by dative bonds,
  hydrogens explicit, e.g. ``[H]OC(=O)C([H])([H])N([H])([H])->[Cu+2]`` or
  ``...C(=O)[O-]->[La+3]<-O...``. The atoms on the metal's bonds are the donor atoms;
* the **dotted form** (LOGKPREDICT IUPAC table): ligand and metal as separate fragments,
  ``NC(Cc1cnc[nH]1)C(=O)O.[La+3]`` (no donor atoms).

The complex is parsed without sanitisation (RDKit refuses dative bonds to Be2+ and Al3+ as a
valence error), the metal atoms are removed, and what is left is sanitised as the ligand, its
explicit hydrogens removed. Any bond to a metal (dative or not) marks the non-metal atom as a
donor.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdkit import Chem

from skmetalpka.chem import NON_METALS

__all__ = ["SplitComplex", "ComplexParseError", "split_complex"]


class ComplexParseError(ValueError):
    """The complex SMILES cannot be split. ``reason`` is a short machine-readable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SplitComplex:
    """A complex SMILES split into its metal and its ligand.

    Attributes
    ----------
    metal_symbol : str
        Element symbol of the metal atom (``"Cu"``).
    metal_charge : int
        Its formal charge as drawn.
    ligand_smiles : str
        SMILES of the ligand (all non-metal atoms, hydrogens implicit, charges as drawn),
        written by RDKit without canonicalisation.
    donors : tuple of int
        Indices, in ``Chem.MolFromSmiles(ligand_smiles)``, of the atoms bonded to the metal
        (empty for the dotted form), in ascending order.
    n_fragments : int
        Number of separate ligand fragments (more than one for a mixed-ligand complex or a
        complex drawn with a counter-ion).
    """

    metal_symbol: str
    metal_charge: int
    ligand_smiles: str
    donors: tuple[int, ...]
    n_fragments: int


def split_complex(smiles: str) -> SplitComplex:
    """Split a complex SMILES into metal, ligand and donor atoms.

    Parameters
    ----------
    smiles : str
        A complex in the dative (``[O-]->[Cu+2]``) or dotted (``ligand.[La+3]``) form.

    Returns
    -------
    SplitComplex

    Raises
    ------
    ComplexParseError
        ``reason`` is ``"invalid_smiles"`` (RDKit cannot read it, or the ligand does not
        sanitise), ``"no_metal"`` (no metal atom), ``"several_metals"`` (more than one metal
        atom) or ``"no_ligand"`` (nothing but the metal).
    """
    text = str(smiles).strip()
    mol = Chem.MolFromSmiles(text, sanitize=False) if text else None
    if mol is None:
        raise ComplexParseError("invalid_smiles", f"RDKit could not read the SMILES {text!r}")
    metals = [a.GetIdx() for a in mol.GetAtoms() if a.GetSymbol() not in NON_METALS]
    if not metals:
        raise ComplexParseError(
            "no_metal", f"{text!r} has no metal atom; expected a complex such as 'NCCN->[Cu+2]'"
        )
    if len(metals) > 1:
        names = ", ".join(mol.GetAtomWithIdx(i).GetSymbol() for i in metals)
        raise ComplexParseError(
            "several_metals", f"{text!r} has {len(metals)} metal atoms ({names}); expected one"
        )
    metal = mol.GetAtomWithIdx(metals[0])
    symbol, charge = metal.GetSymbol(), metal.GetFormalCharge()
    rw = Chem.RWMol(mol)
    for atom in rw.GetAtoms():
        atom.SetIntProp("_skm_in", atom.GetIdx())
    donor_in = sorted({n.GetIdx() for n in metal.GetNeighbors()})
    rw.RemoveAtom(metals[0])
    lig = rw.GetMol()
    if lig.GetNumAtoms() == 0:
        raise ComplexParseError("no_ligand", f"{text!r} holds only the metal {symbol}")
    try:
        Chem.SanitizeMol(lig)
        lig = Chem.RemoveHs(lig)
    except (ValueError, RuntimeError) as exc:  # rdkit's sanitisation errors
        raise ComplexParseError(
            "invalid_smiles", f"the ligand of {text!r} is not a valid molecule: {exc}"
        ) from exc
    if lig.GetNumAtoms() == 0:
        raise ComplexParseError("no_ligand", f"{text!r} holds only the metal and hydrogens")
    position = {a.GetIntProp("_skm_in"): a.GetIdx() for a in lig.GetAtoms()}
    lost = [i for i in donor_in if i not in position]
    if lost:  # a hydride drawn on the metal
        raise ComplexParseError(
            "invalid_smiles", f"{text!r}: the metal is bonded to a hydrogen atom, not a ligand"
        )
    out = Chem.MolToSmiles(lig, canonical=False)
    order = [int(i) for i in lig.GetPropsAsDict(True, True)["_smilesAtomOutputOrder"]]
    where = {old: new for new, old in enumerate(order)}
    donors = tuple(sorted(where[position[i]] for i in donor_in))
    n_frag = len(Chem.GetMolFrags(lig))
    return SplitComplex(symbol, charge, out, donors, n_frag)
