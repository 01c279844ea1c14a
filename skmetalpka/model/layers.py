"""Building blocks of the metal-complex network.

* :class:`LigandEncoder`: message passing over the ligand's own bonds (GINE, bond features).
* :class:`SiteReadout`: one vector per ligand copy from its binding atoms (soft attention over
  candidates with the site predictor's score as a prior, or fixed hard sites).
* :class:`BackboneReadout`: a gated summary of a copy's *own* non-binding atoms.
* :class:`StarBlock`: attention message passing on the metal + n ligands star.

All blocks work on a whole batch at once (scatter operations keyed by sample and copy); there is
no Python loop over samples.
"""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.nn import GINEConv, TransformerConv
from torch_geometric.utils import scatter, softmax

__all__ = ["mlp", "LigandEncoder", "SiteReadout", "BackboneReadout", "StarBlock"]


def mlp(in_dim: int, hidden: int, out_dim: int, dropout: float = 0.0) -> nn.Sequential:
    """Two-layer perceptron with SiLU and optional dropout."""
    return nn.Sequential(
        nn.Linear(in_dim, hidden), nn.SiLU(), nn.Dropout(dropout), nn.Linear(hidden, out_dim)
    )


class LigandEncoder(nn.Module):
    """Atom embeddings from message passing over ligand bonds.

    ``depth=0`` reproduces the old design: a per-atom projection that ignores the bonds.
    """

    def __init__(self, atom_dim: int, bond_dim: int, hidden: int, depth: int, dropout: float):
        super().__init__()
        self.depth = depth
        self.inp = nn.Sequential(nn.Linear(atom_dim, hidden), nn.SiLU(), nn.Linear(hidden, hidden))
        self.convs = nn.ModuleList(
            GINEConv(mlp(hidden, hidden, hidden), edge_dim=bond_dim, train_eps=True)
            for _ in range(depth)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(hidden) for _ in range(depth))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, edge_index, edge_attr):
        h = self.inp(x)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            h = norm(h + self.drop(torch.nn.functional.silu(conv(h, edge_index, edge_attr))))
        return h


def _pairs(mask: torch.Tensor, atom_batch: torch.Tensor, n_slots: int):
    """Flatten an (A, N) mask into (atom index, group index = sample * N + slot) pairs."""
    atom_idx, slot = mask.nonzero(as_tuple=True)
    return atom_idx, atom_batch[atom_idx] * n_slots + slot


class SiteReadout(nn.Module):
    """Binding-site vector per (sample, ligand slot).

    ``mode="soft"``: attention over the slot's candidate atoms, logits = learned score +
    ``prior_weight * log(prior score)``; a wrong upstream pick can be outweighed. ``mode="hard"``:
    mean over the slot's fixed site atoms. Either way a gated sum over the same atoms is
    concatenated, so the vector (width ``2 * hidden``) also knows how many donors there are.
    """

    def __init__(self, hidden: int, mode: str):
        super().__init__()
        self.mode = mode
        self.score = mlp(hidden, hidden, 1)
        self.prior_weight = nn.Parameter(torch.tensor(1.0))
        self.count_gate = nn.Linear(hidden, 1)

    def forward(self, h, site_mask, prior, atom_batch, n_samples):
        n_slots = site_mask.shape[1]
        atom_idx, group = _pairs(site_mask, atom_batch, n_slots)
        size = n_samples * n_slots
        if self.mode == "soft":
            logit = self.score(h).squeeze(-1) + self.prior_weight * torch.log(prior + 1e-3)
            alpha = softmax(logit[atom_idx], group, num_nodes=size)
        else:
            count = scatter(torch.ones_like(group, dtype=h.dtype), group, 0, size, "sum")
            alpha = 1.0 / count[group]
        hs = h[atom_idx]
        attended = scatter(alpha.unsqueeze(-1) * hs, group, 0, size, "sum")
        # A gated *sum* keeps the number of donor atoms (denticity), which a mean loses.
        gate = torch.sigmoid(self.count_gate(hs))
        counted = scatter(gate * hs, group, 0, size, "sum")
        out = torch.cat([attended, counted], dim=-1)
        return out.view(n_samples, n_slots, -1), (atom_idx, group, alpha)


class BackboneReadout(nn.Module):
    """Gated mean of non-binding atoms.

    ``mode="per_ligand"``: for every slot k, over that copy's own non-site atoms (so a star of n
    ligands only sees the copies it holds). ``mode="global"`` (old design): one average over the
    non-site atoms of all N copies, reused for every n. ``mode="none"``: zeros.
    """

    def __init__(self, hidden: int, mode: str):
        super().__init__()
        self.mode = mode
        self.gate = nn.Linear(hidden, 1)

    def forward(self, h, site_mask, atom_batch, n_samples):
        n_slots = site_mask.shape[1]
        if self.mode == "none":
            return h.new_zeros(n_samples, n_slots, h.shape[1])
        gate = torch.sigmoid(self.gate(h)).squeeze(-1)
        atom_idx, group = _pairs(~site_mask, atom_batch, n_slots)
        if self.mode == "global":
            group = atom_batch[atom_idx]
            size = n_samples
        else:
            size = n_samples * n_slots
        w = gate[atom_idx]
        num = scatter(w.unsqueeze(-1) * h[atom_idx], group, 0, size, "sum")
        den = scatter(w, group, 0, size, "sum").clamp_min(1e-6).unsqueeze(-1)
        out = num / den
        if self.mode == "global":
            return out.unsqueeze(1).expand(n_samples, n_slots, -1)
        return out.view(n_samples, n_slots, -1)


class StarBlock(nn.Module):
    """Stack of attention layers on star graphs (metal node + n ligand nodes)."""

    def __init__(self, hidden: int, layers: int, heads: int, dropout: float):
        super().__init__()
        if hidden % heads:
            raise ValueError(f"hidden_dim ({hidden}) must be divisible by heads ({heads})")
        self.convs = nn.ModuleList(
            TransformerConv(hidden, hidden // heads, heads=heads, dropout=dropout, root_weight=True)
            for _ in range(layers)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(hidden) for _ in range(layers))
        self.ffn = nn.ModuleList(mlp(hidden, 2 * hidden, hidden, dropout) for _ in range(layers))
        self.norms2 = nn.ModuleList(nn.LayerNorm(hidden) for _ in range(layers))

    def forward(self, h, edge_index):
        for conv, n1, ff, n2 in zip(self.convs, self.norms, self.ffn, self.norms2, strict=True):
            h = n1(h + conv(h, edge_index))
            h = n2(h + ff(h))
        return h
