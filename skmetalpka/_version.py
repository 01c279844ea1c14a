"""The version of skmetalpka: the one place it is written (``pyproject.toml`` reads it).

:func:`versions` also reports the libraries whose versions decide how a model behaves
(``skmetalpka --version`` prints them; model files record them).
"""

from __future__ import annotations

__version__ = "0.1.0"

#: Distribution name -> the name printed by ``skmetalpka --version``.
LIBRARIES = {
    "torch": "torch",
    "scikit-learn": "scikit-learn",
    "rdkit": "RDKit",
    "torch-geometric": "torch-geometric",
    "skorch": "skorch",
    "safetensors": "safetensors",
}


def library_version(dist: str) -> str | None:
    """Installed version of distribution ``dist`` (``"skmetalpka"`` is this package), or None."""
    if dist == "skmetalpka":
        return __version__
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Versions of skmetalpka and of :data:`LIBRARIES` (None when one is not installed)."""
    out: dict[str, str | None] = {"skmetalpka": __version__}
    for dist, name in LIBRARIES.items():
        out[name] = library_version(dist)
    return out
