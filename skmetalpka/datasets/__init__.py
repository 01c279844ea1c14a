"""Data loaders: each returns ``X, y`` (and optionally a :class:`DataReport`).

* :func:`load_minteq` - the embedded default data set (MINTEQA2 v4 organic-ligand complexes,
  shipped with the ``phreeqc`` package; no file needed).
* :func:`load_nist46` / :func:`fetch_nist46` - the NIST SRD 46 metal-ligand table.
* :func:`load_nist46_proton` - NIST SRD 46 ligand protonation constants.
* :func:`load_nist46_proton_sites` - NIST SRD 46 ionisable atoms (weak binding-site labels).
* :func:`load_logkpredict_nist` / :func:`load_logkpredict_iupac` - LOGKPREDICT log K1 tables
  (about 50 metal ions with curated donor atoms; the rare earths).
* :func:`load_corpus` - all of them in one table, one ligand identity; :func:`ligand_groups`
  for ligand-grouped cross-validation.
* :func:`ligand_id` - one ligand identity across sources; :func:`map_atom_indices` - atom
  indices carried through standardisation.
"""

from __future__ import annotations

from skmetalpka.datasets._home import get_data_home
from skmetalpka.datasets.corpus import CorpusReport, ligand_groups, load_corpus
from skmetalpka.datasets.files import (
    corpus_available,
    detect_layout,
    load_beta_table,
    load_proton_data,
    load_training_data,
)
from skmetalpka.datasets.identity import ligand_id, map_atom_indices
from skmetalpka.datasets.logkpredict import load_logkpredict_iupac, load_logkpredict_nist
from skmetalpka.datasets.minteq import load_minteq
from skmetalpka.datasets.nist46 import fetch_nist46, load_nist46
from skmetalpka.datasets.proton import load_nist46_proton
from skmetalpka.datasets.proton_sites import load_nist46_proton_sites
from skmetalpka.datasets.report import DataReport

__all__ = [
    "load_nist46",
    "fetch_nist46",
    "load_nist46_proton",
    "load_nist46_proton_sites",
    "load_minteq",
    "load_logkpredict_nist",
    "load_logkpredict_iupac",
    "ligand_id",
    "load_corpus",
    "ligand_groups",
    "CorpusReport",
    "map_atom_indices",
    "DataReport",
    "get_data_home",
    "load_training_data",
    "load_beta_table",
    "load_proton_data",
    "detect_layout",
    "corpus_available",
]
