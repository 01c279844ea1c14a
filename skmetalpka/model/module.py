"""The torch module: ligand graph -> ligand copies -> star graphs for n = 1..N -> log K_n.

It takes a ready :class:`torch_geometric.data.Batch` of
:class:`~skmetalpka.featurize.graph.ComplexGraph` (featurisation lives in the transformers) and
returns standardised stepwise constants ``z`` of shape ``(B, N)``; the regressor maps them to
original units (``log K_n = mean_n + std_n * z_n``) and sums them into cumulative log beta_n.
"""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.utils import scatter

from .layers import BackboneReadout, LigandEncoder, SiteReadout, StarBlock, mlp

__all__ = ["MetalComplexModule", "SITE_MODES", "BACKBONE_MODES", "N_ENCODINGS"]

#: Dropout of the network (the regressor's default too).
DEFAULT_DROPOUT = 0.2

SITE_MODES = ("soft", "hard")
BACKBONE_MODES = ("per_ligand", "global", "none")
N_ENCODINGS = ("embedding", "none")


class MetalComplexModule(nn.Module):
    """Star-graph network for stepwise metal-ligand stability constants.

    Parameters
    ----------
    atom_dim, bond_dim, metal_dim : int
        Input feature sizes.
    lig_dim : int
        Width of the whole-ligand descriptor vector ``lig_x`` (0: not used).
    n_steps : int
        N, the number of ligand counts (stars) per sample.
    hidden_dim : int
        Width of every embedding.
    encoder_depth : int
        Message-passing layers over ligand bonds (0: per-atom projection only).
    site_mode : {"soft", "hard"}
    backbone : {"per_ligand", "global", "none"}
    star_layers, heads : int
        Attention layers and heads on the star graph.
    n_encoding : {"embedding", "none"}
        ``"embedding"``: a learned embedding of n enters every star node and the readout, and
        the readout adds a sum over ligands; ``"none"`` (old design): mean pooling only, which
        cannot tell n apart for identical ligand copies.
    n_metals : int
        Size of the optional learned metal embedding (0 disables it; index 0 = unseen metal).
    dropout : float
    """

    def __init__(
        self,
        atom_dim: int,
        bond_dim: int,
        metal_dim: int,
        n_steps: int,
        lig_dim: int = 0,
        hidden_dim: int = 128,
        encoder_depth: int = 3,
        site_mode: str = "soft",
        backbone: str = "per_ligand",
        star_layers: int = 2,
        heads: int = 4,
        n_encoding: str = "embedding",
        n_metals: int = 0,
        dropout: float = DEFAULT_DROPOUT,
    ) -> None:
        super().__init__()
        if site_mode not in SITE_MODES:
            raise ValueError(f"site_mode must be one of {SITE_MODES}, got {site_mode!r}")
        if backbone not in BACKBONE_MODES:
            raise ValueError(f"backbone must be one of {BACKBONE_MODES}, got {backbone!r}")
        if n_encoding not in N_ENCODINGS:
            raise ValueError(f"n_encoding must be one of {N_ENCODINGS}, got {n_encoding!r}")
        h = hidden_dim
        self.n_steps = n_steps
        self.site_mode = site_mode
        self.n_encoding = n_encoding
        # Feature standardisation, filled by the regressor from training data.
        self.register_buffer("metal_mean", torch.zeros(metal_dim))
        self.register_buffer("metal_std", torch.ones(metal_dim))
        self.register_buffer("cond_mean", torch.zeros(2))
        self.register_buffer("cond_std", torch.ones(2))
        self.register_buffer("lig_mean", torch.zeros(lig_dim))
        self.register_buffer("lig_std", torch.ones(lig_dim))
        self.lig_context = mlp(lig_dim, h, h, dropout) if lig_dim > 0 else None

        self.encoder = LigandEncoder(atom_dim + 1, bond_dim, h, encoder_depth, dropout)
        self.sites = SiteReadout(h, site_mode)
        self.backbone = BackboneReadout(h, backbone)
        self.ligand_node = mlp(3 * h, h, h, dropout)
        self.metal_node = mlp(metal_dim + 2, h, h, dropout)
        self.metal_embedding = nn.Embedding(n_metals, h) if n_metals > 0 else None
        self.n_embedding = nn.Embedding(n_steps + 1, h) if n_encoding == "embedding" else None
        self.slot_embedding = nn.Embedding(2, h)  # 0 metal, 1 ligand
        self.star = StarBlock(h, star_layers, heads, dropout)
        readout_dim = 3 * h if n_encoding == "embedding" else 2 * h
        self.head = mlp(readout_dim, h, 1, dropout)

    # ------------------------------------------------------------------------------------
    def ligand_copies(self, batch):
        """Per-copy ligand vectors ``(B, N, H)`` and the site attention ``(atom, group, alpha)``."""
        n_samples = batch.num_graphs
        x = torch.cat([batch.x, batch.site_score.unsqueeze(-1)], dim=-1)
        h = self.encoder(x, batch.edge_index, batch.edge_attr)
        if self.site_mode == "hard":
            site_mask = batch.slot_sites
        else:
            site_mask = batch.site_cand.unsqueeze(-1).expand(-1, self.n_steps)
        site_vec, attention = self.sites(h, site_mask, batch.site_score, batch.batch, n_samples)
        back_vec = self.backbone(h, site_mask, batch.batch, n_samples)
        lig = self.ligand_node(torch.cat([site_vec, back_vec], dim=-1))
        if self.lig_context is not None:
            context = self.lig_context((batch.lig_x - self.lig_mean) / self.lig_std)
            lig = lig + context.unsqueeze(1)
        return lig, attention

    def forward(self, batch, metal_index: torch.Tensor | None = None) -> torch.Tensor:
        n_samples = batch.num_graphs
        n_steps = self.n_steps
        lig, _ = self.ligand_copies(batch)

        metal_in = torch.cat(
            [
                (batch.metal_x - self.metal_mean) / self.metal_std,
                (batch.cond - self.cond_mean) / self.cond_std,
            ],
            dim=-1,
        )
        metal = self.metal_node(metal_in)
        if self.metal_embedding is not None and metal_index is not None:
            metal = metal + self.metal_embedding(metal_index)

        # Star nodes: gather metal or ligand-copy vectors; vectorised over the whole batch.
        star_id = batch.star_id  # global star index = sample * N + (n - 1)
        sample = torch.div(star_id, n_steps, rounding_mode="floor")
        slot = batch.star_slot
        is_metal = slot == 0
        lig_flat = lig.reshape(n_samples * n_steps, -1)
        lig_rows = sample * n_steps + (slot - 1).clamp_min(0)
        node = torch.where(is_metal.unsqueeze(-1), metal[sample], lig_flat[lig_rows])
        node = node + self.slot_embedding((~is_metal).long())
        if self.n_embedding is not None:
            node = node + self.n_embedding(batch.star_n)
        node = self.star(node, batch.star_edge_index)

        n_stars = n_samples * n_steps
        metal_state = scatter(node[is_metal], star_id[is_metal], 0, n_stars, "sum")
        lig_mean = scatter(node[~is_metal], star_id[~is_metal], 0, n_stars, "mean")
        parts = [metal_state, lig_mean]
        if self.n_embedding is not None:
            lig_sum = scatter(node[~is_metal], star_id[~is_metal], 0, n_stars, "sum")
            n_of_star = torch.arange(n_stars, device=node.device) % n_steps + 1
            parts.append(lig_sum / n_steps + self.n_embedding(n_of_star))
        z = self.head(torch.cat(parts, dim=-1)).view(n_samples, n_steps)
        return z
