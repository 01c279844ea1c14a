"""Chelate topology: how many donor groups of a ligand can close 5- and 6-membered rings.

A stability constant is dominated by the chelate effect, and the chelate effect depends on how
the donor atoms are connected, not only on how many there are. trans-1,2-Diaminocyclohexane-
tetraacetate (CDTA) and its 1,4-isomer have the same atoms, the same donor groups and nearly
the same Morgan fingerprint, yet CDTA wraps a metal with six donors (log K1(La3+) = 16.3) while
the 1,4-isomer cannot bring its two nitrogens to one metal and binds like two iminodiacetates
(7.3). Fingerprint-similarity models (the GPR, residual kriging) and a message-passing network
of a few layers see the two as near-identical. These descriptors make the difference explicit.

Definitions (on the standardised ligand, from the graded donor rules of
:mod:`skmetalpka.featurize.donors`):

* a *donor atom* is an atom with a donor score of at least ``min_score`` (0.25: ether O and
  stronger; sulfonate O, nitrile N and ester O are left out);
* a *donor site* is a set of donor atoms at most two bonds apart (the two O of a carboxylate or
  of a phosphonate are one site); its strength is the highest donor score in it;
* two sites are *chelate-linked* when one donor atom of each lies three or four bonds from the
  other, i.e. both can bind one metal closing a 5- or 6-membered chelate ring (glycinate N and
  O, the two N of ethylenediamine or 2,2'-bipyridine, catecholate, salicylate and
  acetylacetonate O), unless the path runs along three atoms of one aromatic ring (donors
  meta to each other on a benzene or pyridine ring point away from each other: resorcinol);
* a *chelating set* is a connected component of the sites under that link.

The descriptors (:data:`CHELATE_DESCRIPTOR_NAMES`) are the number of sites and the summed site
strength of the strongest chelating set (its "effective denticity"), the numbers of linked
site pairs that close a 5- and a 6-membered ring, and the number of chelating units (sets of at
least two sites) with their summed site strength. The last two describe podands and
multi-armed ligands whose bidentate arms are joined by long, flexible spacers (the tripodal
tris(hydroxypyridinone) and tris(maltol) chelators of Fe3+ and Gd3+): each arm is a separate
set, yet one metal can hold all of them; the rigid 1,4-CDTA has two units as well, so the
descriptors say "can", not "does". Ring strain, geometry and pre-organisation are not
modelled; the descriptors are a topological rule of thumb.
"""

from __future__ import annotations

import numpy as np
from rdkit import Chem

from .donors import donor_scores

__all__ = ["CHELATE_DESCRIPTOR_NAMES", "MIN_DONOR_SCORE", "chelate_descriptors"]

#: Names of the chelate-topology descriptors, in order.
CHELATE_DESCRIPTOR_NAMES: tuple[str, ...] = (
    "chelate_denticity",
    "chelate_strength",
    "chelate_rings_5",
    "chelate_rings_6",
    "chelate_units",
    "chelate_units_strength",
)

#: Smallest donor score (:func:`skmetalpka.featurize.donors.donor_scores`) of a donor atom.
MIN_DONOR_SCORE = 0.25

#: Topological distance between two donor atoms -> size of the chelate ring they close.
_RING_OF_DISTANCE = {3: 5, 4: 6}


def _along_aromatic_ring(mol: Chem.Mol, a: int, b: int) -> bool:
    """Whether the shortest path from atom ``a`` to ``b`` holds three atoms of one aromatic
    ring (the two donors sit meta to each other on it and cannot reach one metal)."""
    path = set(Chem.GetShortestPath(mol, a, b))
    for ring in mol.GetRingInfo().AtomRings():
        if len(path.intersection(ring)) >= 3 and all(
            mol.GetAtomWithIdx(i).GetIsAromatic() for i in ring
        ):
            return True
    return False


def _components(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Connected-component label of each of ``n`` nodes (union-find)."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]


def chelate_descriptors(
    mol: Chem.Mol, scores: np.ndarray | None = None, min_score: float = MIN_DONOR_SCORE
) -> np.ndarray:
    """Chelate-topology descriptors of one ligand (see the module notes).

    Parameters
    ----------
    mol : rdkit.Chem.Mol
        The ligand (standardised, implicit hydrogens).
    scores : numpy.ndarray, optional
        Its per-atom donor scores, when already computed
        (:func:`skmetalpka.featurize.donors.donor_scores`).
    min_score : float, default=0.25
        Smallest donor score of a donor atom.

    Returns
    -------
    numpy.ndarray of float32, shape (len(CHELATE_DESCRIPTOR_NAMES),)
        ``chelate_denticity``, ``chelate_strength``, ``chelate_rings_5``,
        ``chelate_rings_6``, ``chelate_units``, ``chelate_units_strength``; all zero for a
        ligand without donor atoms.

    Examples
    --------
    >>> from rdkit import Chem
    >>> [round(v, 2) for v in chelate_descriptors(Chem.MolFromSmiles("NCC(=O)O")).tolist()]
    [2.0, 1.85, 1.0, 0.0, 1.0, 1.85]
    >>> edta = "O=C(O)CN(CCN(CC(=O)O)CC(=O)O)CC(=O)O"
    >>> chelate_descriptors(Chem.MolFromSmiles(edta))[0]
    np.float32(6.0)
    """
    if scores is None:
        scores = donor_scores(mol)
    out = np.zeros(len(CHELATE_DESCRIPTOR_NAMES), dtype=np.float32)
    atoms = [i for i, s in enumerate(scores) if s >= min_score]
    if not atoms:
        return out
    dist = Chem.GetDistanceMatrix(mol)
    sub = dist[np.ix_(atoms, atoms)]
    n = len(atoms)
    close = [(a, b) for a in range(n) for b in range(a + 1, n) if sub[a, b] <= 2]
    site_of = _components(n, close)
    sites = sorted(set(site_of))
    index = {s: k for k, s in enumerate(sites)}
    site = [index[s] for s in site_of]
    strength = np.zeros(len(sites))
    for a, atom in enumerate(atoms):
        strength[site[a]] = max(strength[site[a]], float(scores[atom]))
    # the smallest chelate ring each pair of sites can close
    ring: dict[tuple[int, int], int] = {}
    for a in range(n):
        for b in range(a + 1, n):
            sa, sb = site[a], site[b]
            size = _RING_OF_DISTANCE.get(int(sub[a, b]))
            if sa == sb or size is None or _along_aromatic_ring(mol, atoms[a], atoms[b]):
                continue
            key = (min(sa, sb), max(sa, sb))
            ring[key] = min(ring.get(key, size), size)
    label = _components(len(sites), list(ring))
    totals: dict[int, list[float]] = {}
    for k, lab in enumerate(label):
        entry = totals.setdefault(lab, [0.0, 0.0])
        entry[0] += 1
        entry[1] += strength[k]
    # the strongest set; ties go to the set with the lowest label (deterministic)
    best = max(sorted(totals), key=lambda lab: (totals[lab][1], totals[lab][0]))
    out[0], out[1] = totals[best]
    sizes = list(ring.values())
    out[2] = sizes.count(5)
    out[3] = sizes.count(6)
    units = [t for t in totals.values() if t[0] >= 2]
    out[4] = len(units)
    out[5] = sum(t[1] for t in units)
    return out
