"""``MetalComplexRegressor``: the skorch estimator around :class:`MetalComplexModule`.

The regressor owns every training concern: target scaling (fitted in ``fit`` and undone before
anything is reported), the masked loss, validation on held-out *ligands*, per-step validation
RMSE in original units, early stopping, a learning-rate schedule with a floor, gradient clipping,
seeding. The module only maps tensors to tensors.
"""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetRegressor
from skorch.callbacks import EarlyStopping, GradientNormClipping, LRScheduler
from torch.utils.data import Dataset
from torch_geometric.loader import DataLoader

from .._base import TagsMixin, pad_steps
from ..conditions import IONIC_STRENGTH_MODELS, ionic_strength_shift
from ..featurize.graph import ComplexGraph
from ..metrics import MaskedR2ScoreMixin
from .data import (
    EpochProgress,
    GraphDataset,
    LigandGroupSplit,
    PerStepValidRMSE,
    TailWeightAveraging,
    _finite_stats,
    warmup_cosine,
)
from .losses import MaskedHuberLoss
from .module import DEFAULT_DROPOUT, MetalComplexModule

__all__ = [
    "MetalComplexRegressor",
    "GraphDataset",
    "LigandGroupSplit",
    "PerStepValidRMSE",
    "EpochProgress",
    "warmup_cosine",
]


def _metal_key(metal: str) -> str:
    """The canonical spelling of an ion (the raw string if it has none)."""
    from ..ions import canonical_or_none

    return canonical_or_none(metal) or metal


def _metal_slot(index: dict[str, int], metal: str) -> int:
    """Embedding row of a metal: canonical key first, then the raw spelling (models fitted before
    the keys were canonical), 0 (the shared unknown-metal row) otherwise."""
    return index.get(_metal_key(metal), index.get(metal, 0))


class MetalComplexRegressor(TagsMixin, MaskedR2ScoreMixin, NeuralNetRegressor):
    """Graph neural network for cumulative stability constants log beta_1..log beta_N.

    Input is the list of graphs produced by ``SmilesToGraph -> SitePredictor ->
    LigandCountExpander`` (use :func:`skmetalpka.default_pipeline` for the whole chain); ``y``
    is ``(n, N)`` cumulative log beta with NaN for unmeasured steps. ``predict`` returns
    ``(n, N)`` cumulative log beta in original units (NaN rows for flagged inputs).

    Parameters
    ----------
    hidden_dim : int, default=128
    encoder_depth : int, default=3
        GINE layers over ligand bonds; 0 = per-atom projection only (old design).
    site_mode : {"soft", "hard"}, default="soft"
    backbone : {"per_ligand", "global", "none"}, default="per_ligand"
    star_layers : int, default=2
    heads : int, default=4
    n_encoding : {"embedding", "none"}, default="embedding"
    metal_embedding : bool, default=False
        Add a learned embedding for metals seen in training (unseen metals use descriptors only).
    dropout : float, default=0.2
    huber_delta : float, default=1.0
        Huber threshold in per-step standard deviations.
    ordering_penalty : float, default=0.0
        Soft penalty weight on log K_{n+1} > log K_n (off by default).
    lr : float, default=3e-4
    weight_decay : float, default=1e-3
        AdamW weight decay.
    batch_size : int, default=64
    max_epochs : int, default=200
    patience : int, default=40
        Early-stopping patience on validation RMSE (best weights restored).
    warmup_epochs : int, default=5
    min_lr_ratio : float, default=0.05
        The cosine schedule ends at ``lr * min_lr_ratio``; it never decays to zero.
    weight_averaging : float, default=0.0
        Average the weights over this share of the last epochs and keep the average (the
        ``TailWeightAveraging`` callback of ``skmetalpka.model.data``); 0 keeps the final
        (or, with early stopping, the best) epoch's weights. With averaging, early stopping
        still stops training but does not restore the best epoch.
    grad_clip : float, default=5.0
    train_split : "ligand", None or a skorch split callable, default="ligand"
        ``"ligand"`` holds out ``valid_fraction`` of the ligands for validation and early
        stopping; None trains on everything for ``max_epochs``.
    valid_fraction : float, default=0.15
    ionic_strength_model : {"davies", "learned"}, default="davies"
        ``"davies"``: the network learns thermodynamic constants (I = 0): targets measured at
        ionic strength I are moved to I = 0 with the Davies equation from the reaction's
        charges (metal charge, the ligand's binding-form charge, n;
        :func:`skmetalpka.conditions.ionic_strength_shift`), the network sees I = 0, and
        predictions are moved back to the requested I. ``"learned"``: I is one more network
        input (the network must learn its effect from data).
    pretrain_epochs : int, default=60
        Epochs of the pre-training phase when ``fit`` gets ``pretrain_X``/``pretrain_y``
        (for example protonation constants, see :class:`ProtonTransferRegressor`).
    random_state : int, default=0
        Seeds weight initialisation, shuffling and the validation split.
    on_error : {"raise", "flag"}, default="raise"
        Flagged (invalid) rows in ``fit``: raise, or leave them out (counted in
        ``n_invalid_fit_``). In ``predict`` flagged rows always get NaN.
    progress : bool, default=False
        Show a progress bar over epochs (stderr) with the latest validation RMSE.
    verbose : int, default=0
        skorch's per-epoch table (1) or silence (0).
    **kwargs
        Any further skorch argument (``module__*``, ``iterator_train__*``, ``callbacks``,
        ``device`` ...).

    Attributes
    ----------
    n_steps_ : int
    metals_ : list of str
        Metals seen in training.
    logk_mean_, logk_std_ : ndarray of shape (N,)
        Stepwise target scaling fitted in ``fit``.
    beta_std_ : ndarray of shape (N,)
        Per-step scale of the loss.
    n_invalid_fit_, n_unlabelled_fit_ : int
        Rows left out of training because they were flagged or had no measured step.
    pretrain_history_ : skorch History or None
        History of the pre-training phase (``fit(..., pretrain_X=, pretrain_y=)``).
    history_ : skorch History (also ``history``)
    """

    _input_kind = "graphs"
    _target_kind = "steps"
    #: For models pickled by skmetalpka 0.1 (no such parameter): they learned I as an input.
    ionic_strength_model = "learned"
    #: For models written before weight averaging existed.
    weight_averaging = 0.0

    def __init__(
        self,
        hidden_dim: int = 128,
        encoder_depth: int = 3,
        site_mode: str = "soft",
        backbone: str = "per_ligand",
        star_layers: int = 2,
        heads: int = 4,
        n_encoding: str = "embedding",
        metal_embedding: bool = False,
        dropout: float = DEFAULT_DROPOUT,
        huber_delta: float = 1.0,
        ordering_penalty: float = 0.0,
        lr: float = 3e-4,
        weight_decay: float = 1e-3,
        batch_size: int = 64,
        max_epochs: int = 200,
        patience: int = 40,
        warmup_epochs: int = 5,
        min_lr_ratio: float = 0.05,
        weight_averaging: float = 0.0,
        grad_clip: float = 5.0,
        train_split: Any = "ligand",
        valid_fraction: float = 0.15,
        ionic_strength_model: str = "davies",
        pretrain_epochs: int = 60,
        random_state: int | None = 0,
        on_error: str = "raise",
        progress: bool = False,
        verbose: int = 0,
        module: Any = MetalComplexModule,
        criterion: Any = MaskedHuberLoss,
        optimizer: Any = torch.optim.AdamW,
        iterator_train: Any = DataLoader,
        iterator_valid: Any = DataLoader,
        dataset: Any = GraphDataset,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("iterator_train__shuffle", True)
        # Evaluation has no gradient: larger batches are faster and give identical results.
        kwargs.setdefault("iterator_valid__batch_size", 512)
        super().__init__(
            module=module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            iterator_train=iterator_train,
            iterator_valid=iterator_valid,
            dataset=dataset,
            train_split=train_split,
            verbose=verbose,
            **kwargs,
        )
        self.hidden_dim = hidden_dim
        self.encoder_depth = encoder_depth
        self.site_mode = site_mode
        self.backbone = backbone
        self.star_layers = star_layers
        self.heads = heads
        self.n_encoding = n_encoding
        self.metal_embedding = metal_embedding
        self.dropout = dropout
        self.huber_delta = huber_delta
        self.ordering_penalty = ordering_penalty
        self.weight_decay = weight_decay
        self.patience = patience
        self.warmup_epochs = warmup_epochs
        self.min_lr_ratio = min_lr_ratio
        self.weight_averaging = weight_averaging
        self.grad_clip = grad_clip
        self.valid_fraction = valid_fraction
        self.ionic_strength_model = ionic_strength_model
        self.pretrain_epochs = pretrain_epochs
        self.random_state = random_state
        self.on_error = on_error
        self.progress = progress

    # ---------------------------------------------------------------- validation & stats
    @staticmethod
    def _check_graphs(X: Any) -> list[ComplexGraph]:
        if isinstance(X, Dataset) and not isinstance(X, list):
            raise TypeError("pass the list of graphs, not a Dataset")
        if not isinstance(X, list | tuple) or not all(isinstance(g, ComplexGraph) for g in X):
            raise TypeError(
                "MetalComplexRegressor expects the list of graphs made by SmilesToGraph -> "
                "SitePredictor -> LigandCountExpander; use skmetalpka.default_pipeline() to "
                "predict straight from a DataFrame of (metal, smiles)"
            )
        if X and not hasattr(X[0], "star_n"):
            raise ValueError(
                "graphs carry no star structure; put LigandCountExpander before the regressor"
            )
        return list(X)

    def _clean_set(
        self, X: Any, y: Any, n_steps: int | None, what: str
    ) -> tuple[list[ComplexGraph], np.ndarray, np.ndarray, int, int]:
        """Check graphs and targets; drop flagged and unlabelled rows.

        Returns the kept graphs, their float64 targets padded to N, the kept positions, the
        number of flagged rows and the number of rows without a measured step.
        """
        graphs = self._check_graphs(X)
        if y is None:
            raise ValueError(f"{what}: y is required, cumulative log beta of shape (n_samples, N)")
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1:
            y = y[:, None]
        if y.ndim != 2 or len(y) != len(graphs):
            raise ValueError(
                f"{what}: y must have shape (n_samples, N) with n_samples={len(graphs)}, got "
                f"{y.shape}"
            )
        if n_steps is None:
            n_steps = int(graphs[0].num_stars) if graphs else y.shape[1]
        if graphs and int(graphs[0].num_stars) != n_steps:
            raise ValueError(
                f"{what}: graphs were expanded for N={int(graphs[0].num_stars)} steps, the "
                f"training graphs for N={n_steps}; expand both with the same LigandCountExpander"
            )
        if y.shape[1] > n_steps:
            raise ValueError(
                f"{what}: y has {y.shape[1]} steps but the graphs were expanded for N={n_steps}; "
                "raise LigandCountExpander(max_ligands=...)"
            )
        if y.shape[1] < n_steps:
            y = pad_steps(y, n_steps)
        valid = np.array([bool(g.valid.item()) for g in graphs], dtype=bool)
        if not valid.all() and self.on_error == "raise":
            bad = np.flatnonzero(~valid)[:5]
            reasons = "; ".join(f"row {i}: {graphs[i].error}" for i in bad)
            raise ValueError(
                f"{what}: {int((~valid).sum())} row(s) could not be featurised ({reasons}). "
                "Clean them, or set on_error='flag' to leave them out of training"
            )
        labelled = ~np.all(np.isnan(y), axis=1)
        keep = valid & labelled
        if not keep.any():
            raise ValueError(f"{what}: no valid row with a measured step to train on")
        kept = [g for g, k in zip(graphs, keep, strict=True) if k]
        return (
            kept,
            y[keep],
            np.flatnonzero(keep),
            int((~valid).sum()),
            int((valid & ~labelled).sum()),
        )

    def _prepare_fit(
        self,
        X: Any,
        y: Any,
        sample_weight: Any = None,
        pretrain_X: Any = None,
        pretrain_y: Any = None,
    ) -> tuple[list[ComplexGraph], np.ndarray, tuple[list[ComplexGraph], np.ndarray] | None]:
        if self.on_error not in ("raise", "flag"):
            raise ValueError(f"on_error must be 'raise' or 'flag', got {self.on_error!r}")
        if self.ionic_strength_model not in IONIC_STRENGTH_MODELS:
            raise ValueError(
                f"ionic_strength_model must be one of {IONIC_STRENGTH_MODELS}, got "
                f"{self.ionic_strength_model!r}"
            )
        graphs, y, kept, n_bad, n_unlabelled = self._clean_set(X, y, None, "training data")
        n_steps = int(graphs[0].num_stars)
        y = y - self._ionic_shift(graphs, n_steps)
        graphs = self._network_view(graphs)
        self.n_invalid_fit_ = n_bad
        self.n_unlabelled_fit_ = n_unlabelled
        if sample_weight is not None:
            w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
            n_rows = len(X)  # already checked to be a list of graphs by _clean_set
            if len(w) != n_rows:
                raise ValueError(f"sample_weight has {len(w)} values for {n_rows} rows")
            if not np.all(np.isfinite(w)) or np.any(w < 0) or not np.any(w[kept] > 0):
                raise ValueError("sample_weight must be finite, >= 0 and not all 0")
            graphs = [_with_weight(g, float(wi)) for g, wi in zip(graphs, w[kept], strict=True)]
        pre = None
        if (pretrain_X is None) != (pretrain_y is None):
            raise ValueError("give both pretrain_X and pretrain_y, or neither")
        if pretrain_X is not None:
            pg, py, _, _, _ = self._clean_set(pretrain_X, pretrain_y, n_steps, "pre-training data")
            py = py - self._ionic_shift(pg, n_steps)
            pg = self._network_view(pg)
            if sample_weight is not None:
                pg = [_with_weight(g, 1.0) for g in pg]
            pre = (pg, py.astype(np.float32))
            self._fit_stats(graphs + pg, np.vstack([y, py]))  # one scaling for both phases
        else:
            self._fit_stats(graphs, y)
        self.n_steps_ = n_steps
        return graphs, y.astype(np.float32), pre

    def _ionic_shift(self, graphs: list[ComplexGraph], n_steps: int) -> np.ndarray:
        """``log beta(I) - log beta(0)`` per row and step (zeros unless ``"davies"``)."""
        if self.ionic_strength_model != "davies" or not graphs:
            return np.zeros((len(graphs), n_steps))
        if not all(hasattr(g, "charges") for g in graphs):
            raise ValueError(
                "the graphs carry no charges (made by an older SmilesToGraph); featurise them "
                "again, or use ionic_strength_model='learned'"
            )
        charges = torch.cat([g.charges for g in graphs]).numpy().astype(np.float64)
        cond = torch.cat([g.cond for g in graphs]).numpy().astype(np.float64)
        shift = ionic_strength_shift(
            charges[:, 0],
            charges[:, 1],
            cond[:, 1],
            n_steps,
            temperature=cond[:, 0],
            proton=charges[:, 2] > 0.5,
        )
        valid = np.array([bool(g.valid.item()) for g in graphs], dtype=bool)
        shift[~valid] = 0.0
        return shift

    def _network_view(self, graphs: list[ComplexGraph]) -> list[ComplexGraph]:
        """The graphs the network sees: with ``"davies"``, at I = 0 (shallow copies)."""
        if self.ionic_strength_model != "davies":
            return graphs
        out = []
        for g in graphs:
            c = copy.copy(g)
            c.cond = g.cond.clone()
            c.cond[:, 1] = 0.0
            out.append(c)
        return out

    def _fit_stats(self, graphs: list[ComplexGraph], y: np.ndarray) -> None:
        g0 = graphs[0]
        self.atom_dim_ = int(g0.x.shape[1])
        self.bond_dim_ = int(g0.edge_attr.shape[1])
        self.metal_dim_ = int(g0.metal_x.shape[1])
        self.lig_dim_ = int(g0.lig_x.shape[1]) if hasattr(g0, "lig_x") else 0
        metal_x = torch.cat([g.metal_x for g in graphs]).numpy()
        cond = torch.cat([g.cond for g in graphs]).numpy()
        self.metal_mean_, self.metal_std_ = _finite_stats(metal_x)
        self.cond_mean_, self.cond_std_ = _finite_stats(cond)
        if self.lig_dim_:
            lig_x = torch.cat([g.lig_x for g in graphs]).numpy()
            self.lig_mean_, self.lig_std_ = _finite_stats(lig_x)
        else:
            self.lig_mean_, self.lig_std_ = np.zeros(0), np.ones(0)
        logk = np.diff(y, axis=1, prepend=0.0)
        self.logk_mean_, self.logk_std_ = _finite_stats(logk)
        _, self.beta_std_ = _finite_stats(y)
        # A step with no training value borrows the scaling of the step before it.
        for k in range(1, y.shape[1]):
            if np.all(np.isnan(logk[:, k])):
                self.logk_mean_[k] = self.logk_mean_[k - 1]
                self.logk_std_[k] = self.logk_std_[k - 1]
                self.beta_std_[k] = self.beta_std_[k - 1]
        # one key per ion however it is spelled ("Cu2+", "Cu+2", "Cu(II)")
        self.metals_ = sorted({_metal_key(g.metal) for g in graphs})
        self.metal_index_ = {m: i + 1 for i, m in enumerate(self.metals_)}

    # ---------------------------------------------------------------- skorch hooks
    def initialize_module(self):
        params = dict(
            atom_dim=self.atom_dim_,
            bond_dim=self.bond_dim_,
            metal_dim=self.metal_dim_,
            n_steps=self.n_steps_,
            lig_dim=self.lig_dim_,
            hidden_dim=self.hidden_dim,
            encoder_depth=self.encoder_depth,
            site_mode=self.site_mode,
            backbone=self.backbone,
            star_layers=self.star_layers,
            heads=self.heads,
            n_encoding=self.n_encoding,
            n_metals=len(self.metals_) + 1 if self.metal_embedding else 0,
            dropout=self.dropout,
        )
        params.update(self.get_params_for("module"))
        module = self.module(**params)
        with torch.no_grad():
            module.metal_mean.copy_(torch.as_tensor(self.metal_mean_, dtype=torch.float32))
            module.metal_std.copy_(torch.as_tensor(self.metal_std_, dtype=torch.float32))
            module.cond_mean.copy_(torch.as_tensor(self.cond_mean_, dtype=torch.float32))
            module.cond_std.copy_(torch.as_tensor(self.cond_std_, dtype=torch.float32))
            module.lig_mean.copy_(torch.as_tensor(self.lig_mean_, dtype=torch.float32))
            module.lig_std.copy_(torch.as_tensor(self.lig_std_, dtype=torch.float32))
        self.module_ = module.to(self.device)
        return self

    def initialize_criterion(self):
        params = dict(
            scale=self.beta_std_, delta=self.huber_delta, ordering_penalty=self.ordering_penalty
        )
        params.update(self.get_params_for("criterion"))
        self.criterion_ = self.criterion(**params).to(self.device)
        return self

    def get_params_for_optimizer(self, prefix, named_parameters):
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        kwargs.setdefault("weight_decay", self.weight_decay)
        return args, kwargs

    def get_default_callbacks(self):
        callbacks = list(super().get_default_callbacks())
        print_log = [c for c in callbacks if c[0] == "print_log"]
        callbacks = [c for c in callbacks if c[0] != "print_log"]
        schedule = partial(
            warmup_cosine,
            warmup=self.warmup_epochs,
            total=self.max_epochs,
            floor=self.min_lr_ratio,
        )
        callbacks.append(("valid_rmse", PerStepValidRMSE()))
        callbacks.append(
            (
                "lr_scheduler",
                LRScheduler(policy=torch.optim.lr_scheduler.LambdaLR, lr_lambda=schedule),
            )
        )
        if self.progress:
            callbacks.append(("progress", EpochProgress()))
        if self.grad_clip:
            callbacks.append(
                ("grad_clip", GradientNormClipping(gradient_clip_value=self.grad_clip))
            )
        averaging = bool(self.weight_averaging)
        if averaging:
            callbacks.append(("weight_averaging", TailWeightAveraging(self.weight_averaging)))
        if self.train_split is not None and self.patience:
            callbacks.append(
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_rmse",
                        patience=self.patience,
                        lower_is_better=True,
                        load_best=not averaging,
                        sink=_silent,
                    ),
                )
            )
        return callbacks + print_log

    def get_split_datasets(self, X, y=None, **fit_params):
        if isinstance(self.train_split, str):
            if self.train_split != "ligand":
                raise ValueError(
                    f"train_split must be 'ligand', None or a callable, got {self.train_split!r}"
                )
            dataset = self.get_dataset(X, y)
            return LigandGroupSplit(self.valid_fraction, self.random_state)(dataset)
        return super().get_split_datasets(X, y, **fit_params)

    def get_dataset(self, X, y=None):
        if isinstance(X, Dataset):
            return X
        return self.dataset(X, y, n_steps=getattr(self, "n_steps_", None))

    def infer(self, x, **fit_params):
        x = x.to(self.device)
        if self.metal_embedding:
            idx = torch.tensor(
                [_metal_slot(self.metal_index_, m) for m in x.metal],
                dtype=torch.long,
                device=self.device,
            )
            fit_params = {**fit_params, "metal_index": idx}
        return self.module_(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = y_true.to(y_pred.device)
        weight = getattr(X, "sample_weight", None) if X is not None else None
        if weight is not None:
            weight = weight.to(y_pred.device)
        return self.criterion_(self.to_beta(y_pred), y_true, weight)

    # ---------------------------------------------------------------- public API
    def to_beta(self, z: torch.Tensor) -> torch.Tensor:
        """Map standardised module output ``z`` (B, N) to cumulative log beta in original units."""
        mean = torch.as_tensor(self.logk_mean_, dtype=z.dtype, device=z.device)
        std = torch.as_tensor(self.logk_std_, dtype=z.dtype, device=z.device)
        return torch.cumsum(mean + std * z, dim=1)

    def fit(self, X, y, sample_weight=None, pretrain_X=None, pretrain_y=None, **fit_params):
        """Train on graphs ``X`` and cumulative log beta ``y`` (NaN = unmeasured).

        Parameters
        ----------
        X : list of ComplexGraph
        y : array-like of shape (n_samples, N)
        sample_weight : array-like of shape (n_samples,), optional
            Weight of each row in the loss (for example a lower weight for protonation rows
            trained jointly with metal rows).
        pretrain_X, pretrain_y : optional
            Graphs (expanded with the same N) and targets of a pre-training set. The network
            is first trained on them for ``pretrain_epochs`` epochs (with its own warm-up,
            cosine schedule and early stopping), then every weight is carried over and
            training continues on ``X``, ``y`` with a fresh optimiser and schedule. Feature
            and target scaling are fitted on both sets together. The pre-training history is
            kept in ``pretrain_history_``.
        """
        graphs, y32, pre = self._prepare_fit(X, y, sample_weight, pretrain_X, pretrain_y)
        if self.random_state is not None:
            torch.manual_seed(int(self.random_state))
        if pre is None:
            self.pretrain_history_ = None
            return super().fit(graphs, y32, **fit_params)
        epochs = self.max_epochs
        self.max_epochs = int(self.pretrain_epochs)  # the schedule of phase 1 spans its epochs
        try:
            self.initialize()
            self.partial_fit(pre[0], pre[1], **fit_params)
        finally:
            self.max_epochs = epochs
        state = {k: v.detach().clone() for k, v in self.module_.state_dict().items()}
        pretrain_history = self.history_
        self.history_ = None  # initialize() would clear the pre-training history in place
        self.initialize()
        self.module_.load_state_dict(state)
        self.pretrain_history_ = pretrain_history
        return self.partial_fit(graphs, y32, **fit_params)

    def predict(self, X) -> np.ndarray:
        """Cumulative log beta ``(n_samples, N)``; NaN rows for flagged (invalid) inputs."""
        check_is_fitted(self, "n_steps_")
        graphs = self._check_graphs(X)
        if not graphs:
            return np.zeros((0, self.n_steps_))
        n = int(graphs[0].num_stars)
        if n != self.n_steps_:
            raise ValueError(
                f"graphs were expanded for N={n} ligand steps but the model was trained for "
                f"N={self.n_steps_}; use the fitted pipeline's own expander"
            )
        z = torch.as_tensor(self.predict_proba(self._network_view(graphs)))
        beta = self.to_beta(z).numpy().astype(np.float64) + self._ionic_shift(graphs, n)
        valid = np.array([bool(g.valid.item()) for g in graphs], dtype=bool)
        beta[~valid] = np.nan
        return beta

    def explain_sites(self, X) -> list[np.ndarray]:
        """Per-atom binding-site weights the network uses for the first ligand copy.

        With ``site_mode="soft"`` these are the attention weights over the candidate atoms
        (they sum to 1 per ligand; the same for every copy, since every copy offers the same
        candidates); with ``"hard"`` the uniform weights over the fixed site atoms of copy 1.
        Atoms that are not candidates get 0.

        Parameters
        ----------
        X : list of ComplexGraph
            As for :meth:`predict` (use :func:`skmetalpka.explain.explain_sites` to start from
            a DataFrame).

        Returns
        -------
        list of numpy.ndarray
            One float array per graph, one value per ligand atom (the standardised ligand's
            atom order); all zeros for a flagged (invalid) row.
        """
        check_is_fitted(self, "n_steps_")
        graphs = self._check_graphs(X)
        out: list[np.ndarray] = []
        self.module_.eval()
        loader = DataLoader(self._network_view(graphs), batch_size=512, shuffle=False)
        with torch.no_grad():
            for batch in loader:
                batch = batch.to(self.device)
                _, (atom_idx, group, alpha) = self.module_.ligand_copies(batch)
                first = (group % self.n_steps_) == 0
                weights = torch.zeros(batch.num_nodes, dtype=alpha.dtype, device=alpha.device)
                weights[atom_idx[first]] = alpha[first]
                ptr = batch.ptr.cpu().numpy()
                w = weights.cpu().numpy().astype(np.float64)
                out.extend(w[ptr[i] : ptr[i + 1]] for i in range(len(ptr) - 1))
        for i, g in enumerate(graphs):
            if not bool(g.valid.item()):
                out[i] = np.zeros_like(out[i])
        return out

    def drop_training_state(self, half_precision: bool = False) -> MetalComplexRegressor:
        """Free what only training needs (optimiser moments, callback state); keep predicting.

        A fitted network carries its AdamW moments (twice its weights) and the callbacks'
        copies of the best weights and of the optimiser; a model that is shipped only to
        predict does not need them. Predictions are unchanged. Training it further needs
        ``fit`` (which starts afresh), not ``partial_fit``.

        Parameters
        ----------
        half_precision : bool, default=False
            Also round the weights to float16 and pickle them as float16 (half the file
            size; computation stays float32). Predictions change by the rounding (about 1e-3
            log units for the packaged model) and are then the same before and after a save
            and load.

        Returns
        -------
        self
        """
        check_is_fitted(self, "n_steps_")
        self.optimizer_ = None
        self.callbacks_ = []
        self.pretrain_history_ = None
        if half_precision:
            with torch.no_grad():
                for p in self.module_.parameters():
                    p.data = p.data.half().float()  # exact round trip through float16 from now on
            self.half_storage_ = True
        return self

    def __getstate__(self):
        module = self.__dict__.get("module_")
        if not getattr(self, "half_storage_", False) or module is None:
            return super().__getstate__()
        params = list(module.parameters())
        for p in params:  # pickle float16 weights; they were rounded, so nothing is lost
            p.data = p.data.half()
        try:
            return super().__getstate__()
        finally:
            for p in params:
                p.data = p.data.float()

    def __setstate__(self, state):
        super().__setstate__(state)
        module = getattr(self, "module_", None)
        if getattr(self, "half_storage_", False) and module is not None:
            for p in module.parameters():
                p.data = p.data.float()


def _with_weight(graph: ComplexGraph, weight: float) -> ComplexGraph:
    """A shallow copy of ``graph`` (tensors shared) carrying ``sample_weight``."""
    out = copy.copy(graph)
    out.sample_weight = torch.tensor([weight], dtype=torch.float32)
    return out


def _silent(*args: Any, **kwargs: Any) -> None:
    """Sink for EarlyStopping messages (kept quiet; the history records the stop)."""
