"""The estimators a model file may hold, by stable name, and how each one is saved and rebuilt.

A model file names every estimator by its *kind* (``"MetalComplexRegressor"``,
``"sklearn.RandomForestRegressor"`` ...), never by a module path: the classes are looked up here,
through the package namespaces they are exported from, so a model file keeps loading after a
module is renamed or moved. Only the kinds of :data:`KINDS` and the classes of
:data:`CALLABLES` can appear in a file.

Each kind lists the fitted attributes it stores (``state``) and those that its constructor or
its rebuild recreates (``derived``). Saving an estimator with an attribute in neither list
fails (:class:`~.codec.UnsupportedValueError`), so that a new fitted attribute can never be
lost silently. Rebuilding calls the constructor with the stored parameters, sets the stored
attributes, and for the kinds that need it rebuilds what is not plain data:

* ``MetalComplexRegressor``: skorch ``initialize()`` (module, criterion, optimiser, callbacks)
  then the module's ``state_dict``; optimiser moments and callback state are not stored, so
  ``partial_fit`` after loading starts with a fresh optimiser (``fit`` is unaffected);
* ``AtomSiteClassifier``: its network, then its ``state_dict``;
* ``sklearn.tree.Tree``: node arrays checked (children after their parent, features in range,
  shapes) and set through ``Tree.__setstate__`` with plain arrays, never unpickled.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .codec import Decoder, Encoder, FormatError, UnsupportedValueError

__all__ = ["KINDS", "CALLABLES", "Kind", "export_object", "restore_object", "callable_name"]


# --------------------------------------------------------------------------------------------
# registries
# --------------------------------------------------------------------------------------------
#: Classes that estimator parameters may name (skorch's module, criterion, optimiser, loaders).
CALLABLES: dict[str, tuple[str, str]] = {
    "MetalComplexModule": ("skmetalpka.model", "MetalComplexModule"),
    "MaskedHuberLoss": ("skmetalpka.model", "MaskedHuberLoss"),
    "GraphDataset": ("skmetalpka.model", "GraphDataset"),
    "torch_geometric.loader.DataLoader": ("torch_geometric.loader", "DataLoader"),
    "torch.utils.data.DataLoader": ("torch.utils.data", "DataLoader"),
    "torch.optim.AdamW": ("torch.optim", "AdamW"),
    "torch.optim.Adam": ("torch.optim", "Adam"),
    "torch.optim.SGD": ("torch.optim", "SGD"),
}


def _resolve(where: tuple[str, str]) -> Any:
    return getattr(importlib.import_module(where[0]), where[1])


@dataclass(frozen=True)
class Kind:
    """How one estimator class is saved and rebuilt.

    Parameters
    ----------
    name : str
        The stable name written into files.
    where : (str, str)
        Package namespace and attribute of the class (resolved when first needed).
    state : frozenset of str
        Fitted attributes stored.
    derived : frozenset of str
        Attributes not stored: the constructor or :attr:`restore` makes them.
    params : callable, optional
        ``params(obj) -> dict`` of constructor arguments (default ``get_params(deep=False)``).
    export : callable, optional
        ``export(kind, obj, encoder, where) -> dict`` of the stored state (default: every
        attribute of ``state`` present on the object).
    restore : callable, optional
        ``restore(kind, cls, params, state, decoder, where) -> obj``.
    check : callable, optional
        ``check(obj, where)`` raises :class:`FormatError` for an inconsistent estimator.
    """

    name: str
    where: tuple[str, str]
    state: frozenset[str] = frozenset()
    derived: frozenset[str] = frozenset()
    params: Callable[[Any], dict[str, Any]] | None = None
    export: Callable[..., dict[str, Any]] | None = None
    restore: Callable[..., Any] | None = None
    check: Callable[[Any, str], None] | None = None
    _cls: list[Any] = field(default_factory=list, compare=False, repr=False)

    def cls(self) -> type:
        if not self._cls:
            self._cls.append(_resolve(self.where))
        return self._cls[0]

    def get_params(self, obj: Any) -> dict[str, Any]:
        return dict(self.params(obj) if self.params else obj.get_params(deep=False))


def _fs(*names: str) -> frozenset[str]:
    return frozenset(names)


# --------------------------------------------------------------------------------------------
# default export / restore
# --------------------------------------------------------------------------------------------
def _generic_export(
    kind: Kind, obj: Any, enc: Encoder, where: str, skip: tuple[str, ...] = ()
) -> dict[str, Any]:
    params = kind.get_params(obj)
    out = {}
    for name, value in vars(obj).items():
        if name in params or name in kind.derived or name in skip:
            continue
        if name not in kind.state:
            raise UnsupportedValueError(
                f"{where}: {kind.name} has the attribute {name!r}, which the model format does "
                "not know; add it to the kind's state in skmetalpka/persistence/kinds.py"
            )
        out[name] = enc.value(value, f"{where}/{name}")
    return out


def _generic_restore(
    kind: Kind, cls: type, params: dict[str, Any], state: dict[str, Any], dec: Decoder, where: str
) -> Any:
    obj = _construct(cls, params, where)
    for name, value in state.items():
        if name not in kind.state:
            raise FormatError(f"{where}: {kind.name} has no stored attribute {name!r}")
        setattr(obj, name, dec.value(value, f"{where}/{name}"))
    return obj


def _construct(cls: type, params: dict[str, Any], where: str) -> Any:
    try:
        return cls(**params)
    except (TypeError, ValueError) as exc:
        raise FormatError(
            f"{where}: cannot build {cls.__name__} from its parameters ({exc})"
        ) from exc


# --------------------------------------------------------------------------------------------
# networks
# --------------------------------------------------------------------------------------------
_NET_STATE = _fs(
    "n_steps_",
    "atom_dim_",
    "bond_dim_",
    "metal_dim_",
    "lig_dim_",
    "metal_mean_",
    "metal_std_",
    "cond_mean_",
    "cond_std_",
    "lig_mean_",
    "lig_std_",
    "logk_mean_",
    "logk_std_",
    "beta_std_",
    "metals_",
    "metal_index_",
    "n_invalid_fit_",
    "n_unlabelled_fit_",
    "half_storage_",
)
_NET_TRAINING = _fs("history_", "pretrain_history_")
# skorch's own bookkeeping, recreated by initialize(); optimiser and callback state are dropped
_NET_DERIVED = _fs(
    "_params_to_validate",
    "initialized_",
    "virtual_params_",
    "init_context_",
    "_modules",
    "_criteria",
    "_optimizers",
    "callbacks_",
    "criterion_",
    "optimizer_",
    "cuda_dependent_attributes_",
    "prefixes_",
)


def _net_params(obj: Any) -> dict[str, Any]:
    params = obj.get_params(deep=False)
    params.pop("_params_to_validate", None)
    return params


def _net_export(kind: Kind, obj: Any, enc: Encoder, where: str) -> dict[str, Any]:
    params = _net_params(obj)
    out: dict[str, Any] = {}
    for name, value in vars(obj).items():
        if name in params or name in _NET_DERIVED or name == "module_":
            continue
        if name in _NET_TRAINING:
            if not enc.compact and "module_" in vars(obj):
                out[name] = enc.value(value, f"{where}/{name}")
            continue
        if name not in _NET_STATE:
            raise UnsupportedValueError(
                f"{where}: MetalComplexRegressor has the attribute {name!r}, which the model "
                "format does not know; add it to _NET_STATE in skmetalpka/persistence/kinds.py"
            )
        out[name] = enc.value(value, f"{where}/{name}")
    if "module_" in vars(obj) and hasattr(obj, "n_steps_"):
        half = enc.half_precision or bool(getattr(obj, "half_storage_", False))
        if half:
            out["half_storage_"] = True
        out["module_"] = enc.state_dict(obj.module_, f"{where}/module_", half=half)
    return out


def _net_restore(
    kind: Kind, cls: type, params: dict[str, Any], state: dict[str, Any], dec: Decoder, where: str
) -> Any:
    import torch

    obj = _construct(cls, params, where)
    state = dict(state)
    module_state = state.pop("module_", None)
    training = {k: state.pop(k) for k in list(state) if k in _NET_TRAINING}
    for name, value in state.items():
        if name not in _NET_STATE:
            raise FormatError(f"{where}: MetalComplexRegressor has no stored attribute {name!r}")
        setattr(obj, name, dec.value(value, f"{where}/{name}"))
    if module_state is None:
        if state or training:
            raise FormatError(f"{where}: fitted attributes without the network weights")
        return obj
    weights = dec.state_dict(module_state, f"{where}/module_")
    _check_net(obj, where)
    try:
        with torch.random.fork_rng(devices=[]):  # initialize() draws weights we overwrite
            obj.initialize()
        obj.module_.load_state_dict(weights, strict=True)
    except (RuntimeError, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise FormatError(
            f"{where}: the network does not match its weights ({_first(exc)})"
        ) from exc
    for name, value in training.items():
        setattr(obj, name, dec.value(value, f"{where}/{name}"))
    return obj


def _check_net(obj: Any, where: str) -> None:
    metals = getattr(obj, "metals_", None)
    index = getattr(obj, "metal_index_", None)
    if not (isinstance(metals, list) and all(isinstance(m, str) for m in metals)):
        raise FormatError(f"{where}: metals_ must be a list of strings")
    if index != {m: i + 1 for i, m in enumerate(metals)}:
        raise FormatError(f"{where}: metal_index_ does not match metals_")
    for name in ("n_steps_", "atom_dim_", "bond_dim_", "metal_dim_", "lig_dim_"):
        value = getattr(obj, name, None)
        if not isinstance(value, int) or value < 0 or (name == "n_steps_" and value < 1):
            raise FormatError(f"{where}: {name} must be a non-negative integer")
    n = obj.n_steps_
    for name in ("logk_mean_", "logk_std_", "beta_std_"):
        if np.shape(getattr(obj, name, None)) != (n,):
            raise FormatError(f"{where}: {name} must have shape ({n},)")


def _site_net_export(kind: Kind, obj: Any, enc: Encoder, where: str) -> dict[str, Any]:
    out = _generic_export(kind, obj, enc, where, skip=("module_",))
    if "module_" in vars(obj):
        out["module_"] = enc.state_dict(obj.module_, f"{where}/module_")
    return out


def _site_net_restore(
    kind: Kind, cls: type, params: dict[str, Any], state: dict[str, Any], dec: Decoder, where: str
) -> Any:
    import torch

    from ..featurize.graph import N_ATOM_FEATURES, N_BOND_FEATURES
    from ..sites.classifier import _AtomSiteNet

    state = dict(state)
    module_state = state.pop("module_", None)
    obj = _generic_restore(kind, cls, params, state, dec, where)
    if module_state is None:
        return obj
    weights = dec.state_dict(module_state, f"{where}/module_")
    try:
        with torch.random.fork_rng(devices=[]):
            module = _AtomSiteNet(
                N_ATOM_FEATURES,
                N_BOND_FEATURES,
                int(obj.hidden_dim),
                int(obj.depth),
                float(obj.dropout),
            )
        module.load_state_dict(weights, strict=True)
    except (RuntimeError, TypeError, ValueError, KeyError) as exc:
        raise FormatError(
            f"{where}: the site network does not match its weights ({_first(exc)})"
        ) from exc
    obj.module_ = module.eval()
    return obj


# --------------------------------------------------------------------------------------------
# scikit-learn pieces
# --------------------------------------------------------------------------------------------
_TREE_FIELDS = {
    "left_child": np.int64,
    "right_child": np.int64,
    "feature": np.int64,
    "threshold": np.float64,
    "impurity": np.float64,
    "n_node_samples": np.int64,
    "weighted_n_node_samples": np.float64,
    "missing_go_to_left": np.uint8,
}
_TREE_OPTIONAL = {"missing_go_to_left": 0}


def _tree_params(obj: Any) -> dict[str, Any]:
    return {
        "n_features": int(obj.n_features),
        "n_classes": [int(c) for c in obj.n_classes],
        "n_outputs": int(obj.n_outputs),
    }


def _tree_export(kind: Kind, obj: Any, enc: Encoder, where: str) -> dict[str, Any]:
    state = obj.__getstate__()
    nodes = state["nodes"]
    return {
        "max_depth": int(state["max_depth"]),
        "node_count": int(state["node_count"]),
        "nodes": {
            "$dict": {
                name: enc.array(np.asarray(nodes[name]), f"{where}/{name}")
                for name in nodes.dtype.names
            }
        },
        "values": enc.array(np.asarray(state["values"], dtype=np.float64), f"{where}/values"),
    }


def _tree_restore(
    kind: Kind, cls: type, params: dict[str, Any], state: dict[str, Any], dec: Decoder, where: str
) -> Any:
    from sklearn.tree._tree import NODE_DTYPE

    if set(params) != {"n_features", "n_classes", "n_outputs"} or set(state) != {
        "max_depth",
        "node_count",
        "nodes",
        "values",
    }:
        raise FormatError(f"{where}: a tree needs n_features, n_classes, n_outputs and its nodes")
    n_features, n_outputs = params["n_features"], params["n_outputs"]
    n_classes = params["n_classes"]
    count, depth = state["node_count"], state["max_depth"]
    if not (
        _is_int(n_features, 1)
        and _is_int(n_outputs, 1)
        and isinstance(n_classes, list)
        and len(n_classes) == n_outputs
        and all(_is_int(c, 1) for c in n_classes)
        and _is_int(count, 1)
        and _is_int(depth, 0)
    ):
        raise FormatError(f"{where}: invalid tree sizes")
    fields = dec.value(state["nodes"], f"{where}/nodes")
    if not isinstance(fields, dict):
        raise FormatError(f"{where}: tree nodes must be a $dict of arrays")
    nodes = np.zeros(count, dtype=NODE_DTYPE)
    for name in NODE_DTYPE.names:
        if name not in fields:
            if name in _TREE_OPTIONAL:
                nodes[name] = _TREE_OPTIONAL[name]
                continue
            raise FormatError(f"{where}: tree nodes lack {name!r}")
        arr = fields[name]
        if not isinstance(arr, np.ndarray) or arr.shape != (count,) or arr.dtype.kind not in "biuf":
            raise FormatError(f"{where}: tree field {name!r} must be {count} numbers")
        nodes[name] = arr
    unknown = set(fields) - set(NODE_DTYPE.names)
    if unknown:
        raise FormatError(f"{where}: unknown tree fields {sorted(unknown)}")
    values = dec.value(state["values"], f"{where}/values")
    width = max(n_classes)
    if not isinstance(values, np.ndarray) or values.shape != (count, n_outputs, width):
        raise FormatError(f"{where}: tree values must have shape ({count}, {n_outputs}, {width})")
    _check_tree_nodes(nodes, n_features, where)
    tree = cls(n_features, np.asarray(n_classes, dtype=np.intp), n_outputs)
    try:
        tree.__setstate__(
            {
                "max_depth": depth,
                "node_count": count,
                "nodes": nodes,
                "values": np.ascontiguousarray(values, dtype=np.float64),
            }
        )
    except (ValueError, TypeError) as exc:
        raise FormatError(f"{where}: invalid tree ({_first(exc)})") from exc
    return tree


def _check_tree_nodes(nodes: np.ndarray, n_features: int, where: str) -> None:
    """Children come after their parent (no cycle) and inside the tree; features in range."""
    count = len(nodes)
    left, right, feature = nodes["left_child"], nodes["right_child"], nodes["feature"]
    leaf = left == -1
    if not np.array_equal(leaf, right == -1):
        raise FormatError(f"{where}: a tree node has one child")
    idx = np.arange(count)
    inner = ~leaf
    if np.any(left[inner] <= idx[inner]) or np.any(right[inner] <= idx[inner]):
        raise FormatError(f"{where}: a tree node points back to an earlier node")
    if np.any(left[inner] >= count) or np.any(right[inner] >= count):
        raise FormatError(f"{where}: a tree node points past the last node")
    if np.any(feature[inner] < 0) or np.any(feature[inner] >= n_features):
        raise FormatError(f"{where}: a tree node tests a feature out of range")


def _check_decision_tree(obj: Any, where: str) -> None:
    tree = getattr(obj, "tree_", None)
    if tree is not None and int(tree.n_features) != getattr(obj, "n_features_in_", None):
        raise FormatError(f"{where}: the tree's feature count does not match n_features_in_")


def _check_forest(obj: Any, where: str) -> None:
    trees = getattr(obj, "estimators_", None)
    if trees is None:
        return
    if not isinstance(trees, list) or not trees:
        raise FormatError(f"{where}: estimators_ must be a non-empty list of trees")
    from sklearn.tree import DecisionTreeRegressor

    for t in trees:
        if type(t) is not DecisionTreeRegressor or not hasattr(t, "tree_"):
            raise FormatError(f"{where}: estimators_ must hold fitted DecisionTreeRegressor")
        if t.n_features_in_ != obj.n_features_in_ or t.n_outputs_ != obj.n_outputs_:
            raise FormatError(f"{where}: a tree does not match the forest's features or outputs")


def _check_gp(obj: Any, where: str) -> None:
    if not hasattr(obj, "X_train_"):
        return
    X, alpha, L = obj.X_train_, obj.alpha_, obj.L_
    if not all(isinstance(a, np.ndarray) for a in (X, alpha, L, obj.y_train_)):
        raise FormatError(f"{where}: X_train_, y_train_, alpha_ and L_ must be arrays")
    n = X.shape[0] if X.ndim == 2 else -1
    if n < 1 or alpha.shape[:1] != (n,) or L.shape != (n, n) or obj.y_train_.shape[:1] != (n,):
        raise FormatError(f"{where}: the Gaussian process arrays have inconsistent shapes")


def _check_pipeline(params: dict[str, Any], where: str) -> None:
    if params.get("memory") is not None:
        raise FormatError(f"{where}: a pipeline in a model file cannot name a cache folder")


def _split_params(obj: Any) -> dict[str, Any]:
    return {"fraction": obj.fraction, "random_state": obj.random_state}


# --------------------------------------------------------------------------------------------
# the registry
# --------------------------------------------------------------------------------------------
_BASELINE = ("n_invalid_fit_", "n_steps_", "n_features_in_", "feature_names_in_")
_SK_KERNELS = (
    "Sum",
    "Product",
    "Exponentiation",
    "ConstantKernel",
    "Matern",
    "RBF",
    "WhiteKernel",
    "RationalQuadratic",
    "DotProduct",
    "ExpSineSquared",
)

_ALL: list[Kind] = [
    # skmetalpka
    Kind("ComplexPipeline", ("skmetalpka.pipelines", "ComplexPipeline")),
    Kind(
        "SmilesToGraph",
        ("skmetalpka.featurize", "SmilesToGraph"),
        _fs(
            "n_metal_features_",
            "n_atom_features_",
            "n_bond_features_",
            "n_ligand_features_",
            "n_features_in_",
            "feature_names_in_",
        ),
    ),
    Kind("SitePredictor", ("skmetalpka.sites", "SitePredictor"), _fs("method_", "site_model_")),
    Kind(
        "AtomSiteClassifier",
        ("skmetalpka.sites", "AtomSiteClassifier"),
        _fs("pos_weight_", "n_molecules_", "n_atoms_", "loss_curve_", "fit_time_"),
        export=_site_net_export,
        restore=_site_net_restore,
    ),
    Kind("LigandCountExpander", ("skmetalpka.featurize", "LigandCountExpander"), _fs("n_steps_")),
    Kind(
        "MetalComplexRegressor",
        ("skmetalpka.model", "MetalComplexRegressor"),
        _NET_STATE | _NET_TRAINING,
        _NET_DERIVED,
        params=_net_params,
        export=_net_export,
        restore=_net_restore,
    ),
    Kind("LigandGroupSplit", ("skmetalpka.model", "LigandGroupSplit"), params=_split_params),
    Kind(
        "EnsembleRegressor",
        ("skmetalpka.model", "EnsembleRegressor"),
        _fs("estimators_", "metals_", "n_steps_"),
    ),
    Kind(
        "ProtonTransferRegressor",
        ("skmetalpka.pipelines", "ProtonTransferRegressor"),
        _fs("estimator_", "n_steps_", "metals_", "n_proton_rows_"),
    ),
    Kind(
        "GPRBeta1Regressor",
        ("skmetalpka.baselines", "GPRBeta1Regressor"),
        _fs(*_BASELINE, "feature_mask_", "feature_names_", "scaler_", "gps_"),
    ),
    Kind(
        "FingerprintForestRegressor",
        ("skmetalpka.baselines", "FingerprintForestRegressor"),
        _fs(*_BASELINE, "feature_names_", "forests_"),
    ),
    Kind(
        "MetalMeanRegressor",
        ("skmetalpka.baselines", "MetalMeanRegressor"),
        _fs(*_BASELINE, "global_mean_", "metal_means_"),
    ),
    # scikit-learn
    Kind("sklearn.Pipeline", ("sklearn.pipeline", "Pipeline")),
    Kind("sklearn.FrozenEstimator", ("sklearn.frozen", "FrozenEstimator")),
    Kind(
        "sklearn.StandardScaler",
        ("sklearn.preprocessing", "StandardScaler"),
        _fs("n_features_in_", "n_samples_seen_", "mean_", "var_", "scale_", "feature_names_in_"),
    ),
    Kind(
        "sklearn.GaussianProcessRegressor",
        ("sklearn.gaussian_process", "GaussianProcessRegressor"),
        _fs(
            "kernel_",
            "X_train_",
            "y_train_",
            "_y_train_mean",
            "_y_train_std",
            "alpha_",
            "L_",
            "log_marginal_likelihood_value_",
            "n_features_in_",
            "feature_names_in_",
            "_rng",
        ),
        check=_check_gp,
    ),
    Kind(
        "sklearn.RandomForestRegressor",
        ("sklearn.ensemble", "RandomForestRegressor"),
        _fs(
            "estimator_",
            "estimators_",
            "n_features_in_",
            "feature_names_in_",
            "n_outputs_",
            "_n_samples",
            "_n_samples_bootstrap",
            "_sample_weight",
            "oob_score_",
            "oob_prediction_",
        ),
        derived=_fs("estimator", "estimator_params", "class_weight"),
        check=_check_forest,
    ),
    Kind(
        "sklearn.DecisionTreeRegressor",
        ("sklearn.tree", "DecisionTreeRegressor"),
        _fs("n_features_in_", "feature_names_in_", "n_outputs_", "max_features_", "tree_"),
        derived=_fs("class_weight"),
        check=_check_decision_tree,
    ),
    Kind(
        "sklearn.tree.Tree",
        ("sklearn.tree._tree", "Tree"),
        params=_tree_params,
        export=_tree_export,
        restore=_tree_restore,
    ),
    *(Kind(f"sklearn.kernels.{k}", ("sklearn.gaussian_process.kernels", k)) for k in _SK_KERNELS),
]

#: Every kind a model file may hold, by its stable name.
KINDS: dict[str, Kind] = {k.name: k for k in _ALL}
_BY_CLASS: dict[type, Kind] = {}


def _kind_of(obj: Any) -> Kind | None:
    if not _BY_CLASS:
        for kind in KINDS.values():
            try:
                _BY_CLASS[kind.cls()] = kind
            except (ImportError, AttributeError):  # pragma: no cover - e.g. an older sklearn
                continue
    return _BY_CLASS.get(type(obj))


def callable_name(obj: Any) -> str | None:
    """The registered name of a class that parameters may name, or None."""
    for name, where in CALLABLES.items():
        try:
            if _resolve(where) is obj:
                return name
        except (ImportError, AttributeError):  # pragma: no cover - optional library missing
            continue
    return None


def _resolve_callable(name: str) -> Any:
    where = CALLABLES.get(name)
    return None if where is None else _resolve(where)


def export_object(obj: Any, enc: Encoder, where: str) -> dict[str, Any] | None:
    """The ``{"kind", "params", "state"}`` node of ``obj``, or None for an unregistered class."""
    kind = _kind_of(obj)
    if kind is None:
        return None
    params = kind.get_params(obj)
    node_params = {k: enc.value(v, f"{where}/{k}") for k, v in params.items()}
    state = (kind.export or _generic_export)(kind, obj, enc, where)
    return {"kind": kind.name, "params": node_params, "state": state}


def restore_object(node: Any, dec: Decoder, where: str) -> Any:
    """Build the estimator of a ``{"kind", "params", "state"}`` node."""
    if not (isinstance(node, dict) and set(node) == {"kind", "params", "state"}):
        raise FormatError(f"{where}: an object needs exactly 'kind', 'params' and 'state'")
    name, params, state = node["kind"], node["params"], node["state"]
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise FormatError(f"{where}: {name!r} is not one of the estimators a model file may hold")
    if not isinstance(params, dict) or not isinstance(state, dict):
        raise FormatError(f"{where}: 'params' and 'state' of {name} must be objects")
    where = f"{where}/{name}"
    if kind.restore is _tree_restore:
        decoded = params  # plain JSON numbers, checked by the tree's own restore
    else:
        decoded = {k: dec.value(v, f"{where}/{k}") for k, v in params.items()}
    if kind.name in ("ComplexPipeline", "sklearn.Pipeline"):
        _check_pipeline(decoded, where)
    obj = (kind.restore or _generic_restore)(kind, kind.cls(), decoded, state, dec, where)
    if kind.check is not None:
        kind.check(obj, where)
    return obj


def make_codec(
    arrays: Any = None, *, compact: bool = False, half_precision: bool = False
) -> Encoder | Decoder:
    """An :class:`Encoder` (``arrays`` None) or a :class:`Decoder` over ``arrays``."""
    if arrays is None:
        return Encoder(export_object, callable_name, compact=compact, half_precision=half_precision)
    return Decoder(arrays, restore_object, _resolve_callable)


def _is_int(v: Any, minimum: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= minimum


def _first(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
