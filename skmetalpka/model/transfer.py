"""Deprecated location: moved to :mod:`skmetalpka.pipelines.transfer` (it composes a pipeline).

Kept so that ``from skmetalpka.model.transfer import ProtonTransferRegressor`` and model files
pickled by skmetalpka 0.1 keep working; it will be removed in 0.3.
"""

from __future__ import annotations

from ..pipelines.transfer import (  # noqa: F401
    TRANSFER_MODES,
    ProtonTransferRegressor,
    exclude_ligands,
)

__all__ = ["ProtonTransferRegressor", "exclude_ligands", "TRANSFER_MODES"]
