"""Organic ligands of the MINTEQA2 v4 database: database name -> SMILES.

:data:`LIGAND_SMILES` is the one source of truth used by :func:`skmetalpka.datasets.load_minteq`
to give the database's organic ligands a structure. Keys are the names of the
``SOLUTION_MASTER_SPECIES`` of ``minteq.v4.dat`` (``phreeqc`` package); values are SMILES of the
**fully protonated neutral** ligand (the acid for carboxylates, the free base for amines and
pyridines; glycine and glutamic acid as their neutral, non-zwitterionic forms).

The database's master species is often the deprotonated anion (``Nta-3``, ``Acetate-``): its
molar mass equals the mass of the SMILES below minus ``|charge|`` hydrogen atoms (1.008 g/mol
each). ``tests/test_datasets_minteq.py`` checks this for every entry against the mass in the
master-species line (tolerance 0.05 g/mol).

Choices worth knowing:

* ``Tartarate`` (sic, the database's spelling): the database does not name the isomer; its
  protonation constants (log K 4.366 and 3.036) are those of the chiral acid, not of
  meso-tartaric acid, so L-(+)-tartaric acid, (2R,3R), is drawn. Its enantiomer has identical
  constants with achiral metal ions.
* ``Glutamate``: L-glutamic acid, (S), the form measured in NIST SRD 46.
* Not in the table, so their reactions are not read: ``Cyanide`` (inorganic in
  :mod:`skmetalpka.chem`) and ``Dom_a``/``Dom_b``/``Dom_c`` (dissolved organic matter, no defined
  structure).
"""

from __future__ import annotations

__all__ = ["LIGAND_SMILES", "SKIPPED_MASTER_SPECIES"]

#: MINTEQA2 ligand name -> SMILES of the free ligand (used by :func:`skmetalpka.datasets.load_minteq`).
LIGAND_SMILES: dict[str, str] = {
    # carboxylic acids
    "Formate": "OC=O",
    "Acetate": "CC(O)=O",
    "Propionate": "CCC(O)=O",
    "Butyrate": "CCCC(O)=O",
    "Isobutyrate": "CC(C)C(O)=O",
    "Valerate": "CCCCC(O)=O",
    "Isovalerate": "CC(C)CC(O)=O",
    "Benzoate": "OC(=O)c1ccccc1",
    "Phenylacetate": "OC(=O)Cc1ccccc1",
    "Phthalate": "OC(=O)c1ccccc1C(O)=O",
    "Isophthalate": "OC(=O)c1cccc(c1)C(O)=O",
    "Salicylate": "OC(=O)c1ccccc1O",
    "Tartarate": "O[C@H]([C@@H](O)C(O)=O)C(O)=O",
    "Citrate": "OC(=O)CC(O)(CC(O)=O)C(O)=O",
    # amino acids and aminopolycarboxylates
    "Glycine": "NCC(O)=O",
    "Glutamate": "N[C@@H](CCC(O)=O)C(O)=O",
    "Nta": "OC(=O)CN(CC(O)=O)CC(O)=O",
    "Edta": "OC(=O)CN(CCN(CC(O)=O)CC(O)=O)CC(O)=O",
    # amines
    "Methylamine": "CN",
    "Dimethylamine": "CNC",
    "Trimethylamine": "CN(C)C",
    "Diethylamine": "CCNCC",
    "Propylamine": "CCCN",
    "Isopropylamine": "CC(C)N",
    "Butylamine": "CCCCN",
    "Hexylamine": "CCCCCCN",
    "Ethylenediamine": "NCCN",
    # pyridines
    "Two_picoline": "Cc1ccccn1",
    "Three_picoline": "Cc1cccnc1",
    "Four_picoline": "Cc1ccncc1",
}

#: Master species of the database that are deliberately not treated as organic ligands.
SKIPPED_MASTER_SPECIES: dict[str, str] = {
    "Cyanide": "cyanide is an inorganic ligand in skmetalpka.chem",
    "Dom_a": "dissolved organic matter: no defined structure",
    "Dom_b": "dissolved organic matter: no defined structure",
    "Dom_c": "dissolved organic matter: no defined structure",
}
