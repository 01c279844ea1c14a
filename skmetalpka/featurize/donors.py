"""The donor rule table: which ligand atoms can bind a metal, and how strongly.

This is the **one** donor rule table of skmetalpka. The site predictor
(:mod:`skmetalpka.featurize.sites`) uses :func:`donor_scores` as its per-atom prior, and the
baselines (:mod:`skmetalpka.baselines`) use :func:`donor_group_counts` as ligand features.

Each :class:`DonorRule` is a SMARTS pattern; ``donors`` gives the positions (in the pattern) of
the donor atoms, which receive the rule's ``score`` in (0, 1], and ``group`` the positions of
the atoms that identify one functional group, so that a carboxylic acid (two donor O) counts as
one group. An atom matched by several rules keeps the highest score. Patterns work on molecules
with implicit or explicit hydrogens, and on neutral or charged (deprotonated / protonated)
drawings: a carboxylate, a phenolate, an ammonium or a pyridinium is scored like the group it
comes from, because the stability constant refers to the deprotonated ligand.

The scores are a graded prior (hard O/N donors of aqueous coordination chemistry high, soft
S donors high, weak neutral O donors low); they are not fitted to data. See
:func:`rules_table_markdown` for the rendered table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rdkit import Chem

from ..chem import iter_atoms

__all__ = [
    "DonorRule",
    "DONOR_RULES",
    "DONOR_GROUP_NAMES",
    "ACIDIC_FAMILIES",
    "binding_charge",
    "donor_scores",
    "donor_group_counts",
    "donor_profile",
    "donor_matches",
    "rules_table_markdown",
]


@dataclass(frozen=True)
class DonorRule:
    """One donor rule.

    Attributes
    ----------
    name : str
        Unique rule name.
    family : str
        Donor group family (one entry of :data:`DONOR_GROUP_NAMES`); several rules may share
        a family (e.g. primary, secondary and tertiary amines).
    smarts : str
        SMARTS pattern of the group.
    donors : tuple of int
        Positions in the pattern of the donor atoms.
    group : tuple of int
        Positions in the pattern of the atoms that identify one group (for counting).
    score : float
        Donor strength prior in (0, 1].
    description : str
        Short human-readable description.
    """

    name: str
    family: str
    smarts: str
    donors: tuple[int, ...]
    group: tuple[int, ...]
    score: float
    description: str


# Shared SMARTS fragments.
# An sp3 amine N (neutral) or its protonated ammonium form, not bonded to a C/S/P that carries
# a double bond to O, S or N (amides, thioamides, sulfonamides, amidines, carbamates, ureas),
# not bonded to O (hydroxylamines, N-oxides: own rules), not an N-aryl (aniline: own rule).
_NOT_ACYL_BASE = "!$(N[#6,#16,#15]=[O,S,N]);!$(N-[OX2,OX1-])"
_NOT_ACYL = f"{_NOT_ACYL_BASE};!$(N-a)"
_AMINE = f"[$([NX3;+0;{_NOT_ACYL}]),$([NX4+;{_NOT_ACYL}])"
_OH_ATOM = "OX2H1,OX1-"  # hydroxyl or its deprotonated form
_OH = f"[{_OH_ATOM}]"
# An O on the ring of an oxocarbon acid: squaric (4-membered ring) or croconic (5) acid and
# their mono-esters / mono-amides, whose ring carbons beyond the OH's neighbour carry an
# exocyclic =O. These are strong acids whose anions bind like carboxylates (Ln3+ log K1 about
# 3), not catechol-like chelators.
_OXOCARBON_RINGS = (
    "O-[#6;r4]1~[#6;r4]~[#6;r4](=O)~[#6;r4]~1=O",
    "O-[#6;r5]1~[#6;r5]~[#6;r5](=O)~[#6;r5](=O)~[#6;r5]~1=O",
)
_OH_OXOCARBON = f"[{_OH_ATOM};" + ",".join(f"$({ring})" for ring in _OXOCARBON_RINGS) + "]"
_OH_NOT_OXOCARBON = f"[{_OH_ATOM};" + ";".join(f"!$({ring})" for ring in _OXOCARBON_RINGS) + "]"
# A carbonyl C that is not part of an amide / carboxylic acid (beta-diketone ends).
_KETO_C = f"[CX3;!$(C-[#7]);!$(C-{_OH})]"

#: The graded SMARTS donor rules, one :class:`DonorRule` each (the table of ``docs/donor_rules.md``).
DONOR_RULES: tuple[DonorRule, ...] = (
    DonorRule(
        "carboxylic_acid_O", "carboxylate",
        f"[CX3](=[OX1]){_OH}", (1, 2), (0,), 0.9,
        "both O of a carboxylic acid / carboxylate",
    ),
    DonorRule(
        "primary_amine_N", "amine",
        f"{_AMINE};$([NX3H2]),$([NX4+H3]),$([NX3H3]),$([NX4+H4])]", (0,), (0,), 0.95,
        "primary aliphatic amine N (or ammonium), ammonia; also hydrazine N",
    ),
    DonorRule(
        "secondary_amine_N", "amine",
        f"{_AMINE};$([NX3H1]),$([NX4+H2])]", (0,), (0,), 0.9,
        "secondary aliphatic amine N (or ammonium)",
    ),
    DonorRule(
        "tertiary_amine_N", "amine",
        f"{_AMINE};$([NX3H0]),$([NX4+H1])]", (0,), (0,), 0.85,
        "tertiary aliphatic amine N (or ammonium); quaternary ammonium is not a donor",
    ),
    DonorRule(
        "aromatic_N", "aromatic_N",
        "[$([n;X2;+0]),$([n;+;H1;X3])]", (0,), (0,), 0.85,
        "aromatic N with a free lone pair (pyridine, imidazole N3, pyrazole N2, triazoles; "
        "also the protonated pyridinium/imidazolium form); not pyrrole-type N-H or N-R",
    ),
    DonorRule(
        "aryl_amine_N", "aryl_amine",
        f"[NX3;+0;{_NOT_ACYL_BASE};$(N-a)]", (0,), (0,), 0.5,
        "amine N on an aromatic ring (aniline, aminopyridine)",
    ),
    DonorRule(
        "imine_N", "imine",
        "[NX2;+0;!$(N-[OX2,OX1-]);!$(N=N)]=[#6]", (0,), (0,), 0.7,
        "imine / Schiff-base N (not oximes: own rule)",
    ),
    DonorRule(
        "azo_N", "azo",
        "[NX2;+0]=[NX2;+0]", (0, 1), (0, 1), 0.35,
        "azo N=N nitrogens",
    ),
    DonorRule(
        "nitrile_N", "nitrile",
        "[NX1]#[CX2]", (0,), (0,), 0.2,
        "nitrile N (weak)",
    ),
    DonorRule(
        "cyanide_C", "cyanide",
        "[$([CX2H1]),$([CX1-])]#[NX1]", (0,), (0,), 0.9,
        "cyanide / HCN carbon (soft, strong donor)",
    ),
    DonorRule(
        "oxocarbon_O", "carboxylate",
        _OH_OXOCARBON, (0,), (0,), 0.9,
        "OH / O- on the ring of an oxocarbon acid (squaric, croconic acid): a strong acid "
        "that binds like a carboxylate, one acidic group per OH",
    ),
    DonorRule(
        "phenol_O", "phenolate",
        f"{_OH_NOT_OXOCARBON}-c", (0,), (0,), 0.8,
        "phenol / phenolate O (not the OH of an oxocarbon acid)",
    ),
    DonorRule(
        "enol_O", "enolate",
        f"{_OH_NOT_OXOCARBON}-[CX3]=[CX3]", (0,), (0,), 0.75,
        "enol / enolate O (e.g. the enol form of a beta-diketone)",
    ),
    DonorRule(
        "beta_diketone_O", "enolate",
        f"[OX1]={_KETO_C}-[CX4;!H0]-{_KETO_C}=[OX1]", (0, 4), (1, 3), 0.7,
        "both carbonyl O of a beta-diketone / beta-keto ester in its keto form (binds as "
        "the enolate, e.g. acetylacetone); not malonic or acetoacetic acid, whose "
        "carboxylic acid groups are the acidic donors",
    ),
    DonorRule(
        "alcohol_O", "alcohol",
        f"{_OH}-[CX4]", (0,), (0,), 0.35,
        "aliphatic alcohol / alkoxide O (weak)",
    ),
    DonorRule(
        "ether_O", "ether",
        "[OX2;H0;+0;!$(O[#6]=[O,S,N]);!$(O[#6]#*)]([#6])[#6]", (0,), (0,), 0.25,
        "ether O, aliphatic or aryl (crown ethers); not ester O, not furan-type o (weak)",
    ),
    DonorRule(
        "hydroxamate_O", "hydroxamate",
        f"[CX3](=[OX1])[#7]{_OH}", (1, 3), (0,), 0.9,
        "both O of a hydroxamic acid / hydroxamate",
    ),
    DonorRule(
        "hydroxamate_N", "hydroxamate",
        f"[CX3](=[OX1])[#7]{_OH}", (2,), (0,), 0.5,
        "N of a hydroxamic acid (binds after deprotonation in some chelates)",
    ),
    DonorRule(
        "oxime_N", "oxime",
        f"[#6]=[NX2]{_OH}", (1,), (1,), 0.7,
        "oxime N (dimethylglyoxime-type chelates)",
    ),
    DonorRule(
        "oxime_O", "oxime",
        f"[#6]=[NX2]{_OH}", (2,), (1,), 0.4,
        "oxime O",
    ),
    DonorRule(
        "amide_O", "carbonyl",
        "[OX1]=[CX3]-[#7]", (0,), (0,), 0.4,
        "amide / urea / lactam carbonyl O (weak)",
    ),
    DonorRule(
        "ketone_O", "carbonyl",
        "[OX1]=[CX3;!$(C-[#7]);!$(C-[#8])]", (0,), (0,), 0.3,
        "ketone / aldehyde carbonyl O (weak)",
    ),
    DonorRule(
        "ring_carbonyl_O", "carbonyl",
        "[OX1]=[c]", (0,), (0,), 0.5,
        "exocyclic carbonyl O on an aromatic ring: pyridinone, pyranone, quinolone, uracil, "
        "flavone (a basic, moderate donor)",
    ),
    DonorRule(
        "hydroxy_ring_carbonyl_O", "carbonyl",
        f"[OX1]=[c]:[c]-{_OH_NOT_OXOCARBON}", (0, 3), (0,), 0.85,
        "both O of an ortho-hydroxy ring ketone: 3-hydroxy-4-pyranone / -pyridinone (maltol, "
        "kojic acid, deferiprone), tropolone (the OH counts as one phenolate group); not the "
        "oxocarbon acids (squaric, croconic), strong acids and weak chelators",
    ),
    DonorRule(
        "ring_hydroxamate_O", "hydroxamate",
        f"[OX1]=[c]:[n]-{_OH}", (0, 3), (1,), 0.9,
        "both O of a cyclic hydroxamate: 1-hydroxy-2-pyridinone (1,2-HOPO) and its relatives",
    ),
    DonorRule(
        "ester_O", "carbonyl",
        "[OX1]=[CX3;!$(C-[#7])]-[OX2;H0]", (0,), (0,), 0.15,
        "ester / lactone carbonyl O (very weak)",
    ),
    DonorRule(
        "n_oxide_O", "n_oxide",
        "[OX1-]-[#7+;!$([#7+]=O)]", (0,), (0,), 0.5,
        "N-oxide O (pyridine N-oxide, amine oxide); not nitro O",
    ),
    DonorRule(
        "sulfoxide_O", "sulfoxide",
        "[OX1;$(O=[SX3]),$([O-]-[SX3+])]", (0,), (0,), 0.3,
        "sulfoxide O (weak)",
    ),
    DonorRule(
        "phosphonate_O", "phosphonate",
        "[PX4]~[$([OX1]),$([OX2H1])]", (1,), (0,), 0.7,
        "O of a phosphonic / phosphoric acid, its anions, or a phosphine oxide (P=O, P-OH, "
        "P-O-)",
    ),
    DonorRule(
        "phosphine_P", "phosphine",
        "[PX3;+0]([#6])", (0,), (0,), 0.6,
        "trivalent phosphine P (soft)",
    ),
    DonorRule(
        "sulfonate_O", "sulfonate",
        f"[SX4;$(S(=O)(=O){_OH})]~[$([OX1]),$([OX2H1])]", (1,), (0,), 0.2,
        "O of a sulfonic acid / sulfonate / sulfate monoester (weak)",
    ),
    DonorRule(
        "thiol_S", "thiolate",
        "[SX2H1,SX1-;$(S-[#6,#15])]", (0,), (0,), 0.95,
        "thiol / thiolate S (soft, strong; also dithiocarbamate S-)",
    ),
    DonorRule(
        "thioether_S", "thioether",
        "[SX2;H0;+0]([#6])[#6]", (0,), (0,), 0.55,
        "thioether S, aliphatic or aryl; not thiophene-type s",
    ),
    DonorRule(
        "thiocarbonyl_S", "thiocarbonyl",
        "[SX1;+0]=[#6]", (0,), (0,), 0.6,
        "thiocarbonyl S (thiourea, thioamide, thione)",
    ),
)  # fmt: skip

#: Donor group families, in the order of :func:`donor_group_counts`.
DONOR_GROUP_NAMES: tuple[str, ...] = tuple(dict.fromkeys(r.family for r in DONOR_RULES))


#: Rule names end with the donor element; it is used to skip rules cheaply.
_DONOR_ELEMENTS = {"C": 6, "N": 7, "O": 8, "P": 15, "S": 16}


def _check_rules() -> None:
    names = [r.name for r in DONOR_RULES]
    if len(set(names)) != len(names):  # pragma: no cover - table guard
        raise RuntimeError("duplicate donor rule names")
    for r in DONOR_RULES:
        if r.name.rsplit("_", 1)[-1] not in _DONOR_ELEMENTS:  # pragma: no cover
            raise RuntimeError(f"donor rule {r.name}: name must end with the donor element")
        if not 0.0 < r.score <= 1.0:  # pragma: no cover - table guard
            raise RuntimeError(f"donor rule {r.name}: score {r.score} not in (0, 1]")


_check_rules()


@dataclass(frozen=True)
class _Compiled:
    name: str
    pattern: Chem.Mol
    element: int  # atomic number of the donor atoms (pre-filter)
    donors: tuple[int, ...]
    group: tuple[int, ...]
    score: float
    family: int


@lru_cache(maxsize=1)
def _compiled() -> tuple[_Compiled, ...]:
    out = []
    family_index = {f: i for i, f in enumerate(DONOR_GROUP_NAMES)}
    for r in DONOR_RULES:
        patt = Chem.MolFromSmarts(r.smarts)
        if patt is None:  # pragma: no cover - table guard
            raise RuntimeError(f"donor rule {r.name}: invalid SMARTS {r.smarts!r}")
        n = patt.GetNumAtoms()
        if any(not 0 <= i < n for i in (*r.donors, *r.group)):  # pragma: no cover
            raise RuntimeError(f"donor rule {r.name}: donor/group position out of range")
        # The donor element (rule name suffix) must be present: a cheap pre-filter.
        element = _DONOR_ELEMENTS[r.name.rsplit("_", 1)[1]]
        out.append(
            _Compiled(
                r.name, patt, element, r.donors, r.group, float(r.score), family_index[r.family]
            )
        )
    return tuple(out)


def _check_mol(mol: object) -> Chem.Mol:
    if not isinstance(mol, Chem.Mol):
        raise TypeError(
            f"expected an RDKit Mol, got {type(mol).__name__}; parse a SMILES with "
            "skmetalpka.chem.standardize_ligand(smiles).mol"
        )
    return mol


def _matches(mol: Chem.Mol) -> list[tuple[_Compiled, tuple[tuple[int, ...], ...]]]:
    present = {atom.GetAtomicNum() for atom in iter_atoms(mol)}
    out = []
    for rule in _compiled():
        if rule.element not in present:
            continue
        hits = mol.GetSubstructMatches(rule.pattern, uniquify=True, maxMatches=100000)
        if hits:
            out.append((rule, hits))
    return out


def donor_profile(mol: Chem.Mol) -> tuple[np.ndarray, np.ndarray]:
    """Per-atom donor scores and per-family group counts from one pass over the rules.

    Returns
    -------
    scores : numpy.ndarray of float32, shape (mol.GetNumAtoms(),)
        See :func:`donor_scores`.
    counts : numpy.ndarray of float64, shape (len(DONOR_GROUP_NAMES),)
        See :func:`donor_group_counts`.
    """
    mol = _check_mol(mol)
    scores = np.zeros(mol.GetNumAtoms(), dtype=np.float32)
    keys: list[set[frozenset[int]]] = [set() for _ in DONOR_GROUP_NAMES]
    for rule, hits in _matches(mol):
        bucket = keys[rule.family]
        for hit in hits:
            bucket.add(frozenset(hit[i] for i in rule.group))
            for pos in rule.donors:
                atom = hit[pos]
                if rule.score > scores[atom]:
                    scores[atom] = rule.score
    return scores, np.array([len(k) for k in keys], dtype=np.float64)


def donor_scores(mol: Chem.Mol) -> np.ndarray:
    """Donor score of every atom (0 for non-donors).

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        Ligand molecule, for example ``standardize_ligand(smiles).mol``. Explicit hydrogens are
        allowed (they score 0).

    Returns
    -------
    numpy.ndarray of float32, shape (mol.GetNumAtoms(),)
        Highest score of the rules that mark the atom as a donor, in [0, 1].

    Examples
    --------
    >>> from rdkit import Chem
    >>> [round(float(v), 2) for v in donor_scores(Chem.MolFromSmiles("NCC(=O)O"))]
    [0.95, 0.0, 0.0, 0.9, 0.9]
    """
    return donor_profile(mol)[0]


def donor_group_counts(mol: Chem.Mol) -> np.ndarray:
    """Number of donor groups of each family (:data:`DONOR_GROUP_NAMES`).

    Groups, not atoms, are counted: a carboxylic acid (two donor O) is one ``carboxylate``
    group, a phosphonic acid one ``phosphonate`` group.

    Parameters
    ----------
    mol : rdkit.Chem.Mol

    Returns
    -------
    numpy.ndarray of float64, shape (len(DONOR_GROUP_NAMES),)
    """
    return donor_profile(mol)[1]


#: Acidic donor families and the protons each gives up: the charge of the binding form.
ACIDIC_FAMILIES: dict[str, int] = {
    "carboxylate": 1,
    "phenolate": 1,
    "phosphonate": 2,
    "hydroxamate": 1,
    "thiolate": 1,
    "enolate": 1,
}


def binding_charge(mol: Chem.Mol) -> int:
    """Charge of the ligand in its binding form: fully deprotonated acidic groups.

    The standardised ligand's formal charge minus one per proton its acidic donor groups
    (:data:`ACIDIC_FAMILIES`) give up: glycine -> -1, oxalic acid -> -2, EDTA -> -4,
    ethylenediamine and ammonia -> 0. A rule of thumb from the donor rules (no pKa model):
    amines are taken as neutral donors, as in the metal-binding reaction M + L = ML.

    Parameters
    ----------
    mol : rdkit.Chem.Mol

    Returns
    -------
    int
    """
    counts = dict(zip(DONOR_GROUP_NAMES, donor_group_counts(mol).tolist(), strict=True))
    formal = sum(a.GetFormalCharge() for a in _check_mol(mol).GetAtoms())
    return int(formal - sum(counts.get(f, 0) * k for f, k in ACIDIC_FAMILIES.items()))


def donor_matches(mol: Chem.Mol) -> dict[str, list[tuple[int, ...]]]:
    """Donor atoms found by each rule (for inspection and debugging).

    Returns
    -------
    dict
        Rule name -> list of donor-atom index tuples, one per match; rules without a match
        are omitted.
    """
    mol = _check_mol(mol)
    out: dict[str, list[tuple[int, ...]]] = {}
    for rule, hits in _matches(mol):
        out[rule.name] = [tuple(hit[i] for i in rule.donors) for hit in hits]
    return out


def rules_table_markdown() -> str:
    """The donor rule table as a Markdown table (rule, family, score, SMARTS, description)."""
    lines = [
        "| rule | family | score | SMARTS (donor positions) | description |",
        "|---|---|---:|---|---|",
    ]
    for r in DONOR_RULES:
        smarts = r.smarts.replace("|", "\\|")
        donors = ", ".join(str(i) for i in r.donors)
        lines.append(
            f"| `{r.name}` | {r.family} | {r.score:.2f} | `{smarts}` ({donors}) | {r.description} |"
        )
    return "\n".join(lines) + "\n"
