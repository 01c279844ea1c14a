"""scikit-learn pieces of the baselines: decision trees (node arrays, checked before use) and
the consistency checks of forests, Gaussian processes and pipelines.

A fitted tree is a ``sklearn.tree._tree.Tree``, whose C code walks the node arrays without
bounds checks. It is stored as plain arrays (one per node field, and the node values) and
rebuilt through ``Tree.__setstate__`` only after the checks of :func:`check_tree_nodes`: every
child comes after its parent (so a walk always ends) and inside the tree, and every split tests
a feature the tree has. It is never unpickled.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .codec import Decoder, Encoder, FormatError
from .kind import Kind, first_line, is_int

__all__ = [
    "tree_params",
    "tree_export",
    "tree_restore",
    "check_tree_nodes",
    "check_decision_tree",
    "check_forest",
    "check_gp",
    "check_pipeline",
    "check_kriging",
    "check_blend",
    "split_params",
]


_TREE_OPTIONAL = {"missing_go_to_left": 0}


def tree_params(obj: Any) -> dict[str, Any]:
    """Constructor arguments of a fitted scikit-learn ``Tree``."""
    return {
        "n_features": int(obj.n_features),
        "n_classes": [int(c) for c in obj.n_classes],
        "n_outputs": int(obj.n_outputs),
    }


def tree_export(kind: Kind, obj: Any, enc: Encoder, where: str) -> dict[str, Any]:
    """A fitted ``Tree`` as plain arrays: one per node field, and the node values."""
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


def tree_restore(
    kind: Kind, cls: type, params: dict[str, Any], state: dict[str, Any], dec: Decoder, where: str
) -> Any:
    """Rebuild a ``Tree`` from its arrays after checking them (shapes, child indices,
    features), since its C code walks them without bounds checks.
    """
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
        is_int(n_features, 1)
        and is_int(n_outputs, 1)
        and isinstance(n_classes, list)
        and len(n_classes) == n_outputs
        and all(is_int(c, 1) for c in n_classes)
        and is_int(count, 1)
        and is_int(depth, 0)
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
    check_tree_nodes(nodes, n_features, where)
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
        raise FormatError(f"{where}: invalid tree ({first_line(exc)})") from exc
    return tree


def check_tree_nodes(nodes: np.ndarray, n_features: int, where: str) -> None:
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


def check_decision_tree(obj: Any, where: str) -> None:
    """Refuse a decision tree whose tree and ``n_features_in_`` disagree."""
    tree = getattr(obj, "tree_", None)
    if tree is not None and int(tree.n_features) != getattr(obj, "n_features_in_", None):
        raise FormatError(f"{where}: the tree's feature count does not match n_features_in_")


def check_forest(obj: Any, where: str) -> None:
    """Refuse a forest whose ``estimators_`` are not fitted trees of its own kind
    (``DecisionTreeRegressor`` in a random forest, ``ExtraTreeRegressor`` in extra trees)."""
    trees = getattr(obj, "estimators_", None)
    if trees is None:
        return
    if not isinstance(trees, list) or not trees:
        raise FormatError(f"{where}: estimators_ must be a non-empty list of trees")
    from sklearn.ensemble import ExtraTreesRegressor
    from sklearn.tree import DecisionTreeRegressor, ExtraTreeRegressor

    tree_class = (
        ExtraTreeRegressor if isinstance(obj, ExtraTreesRegressor) else DecisionTreeRegressor
    )
    for t in trees:
        if type(t) is not tree_class or not hasattr(t, "tree_"):
            raise FormatError(
                f"{where}: estimators_ must hold fitted {tree_class.__name__} "
                f"of {type(obj).__name__}"
            )
        if t.n_features_in_ != obj.n_features_in_ or t.n_outputs_ != obj.n_outputs_:
            raise FormatError(f"{where}: a tree does not match the forest's features or outputs")


def check_gp(obj: Any, where: str) -> None:
    """Refuse a Gaussian process whose training arrays have inconsistent shapes."""
    if not hasattr(obj, "X_train_"):
        return
    X, alpha, L = obj.X_train_, obj.alpha_, obj.L_
    if not all(isinstance(a, np.ndarray) for a in (X, alpha, L, obj.y_train_)):
        raise FormatError(f"{where}: X_train_, y_train_, alpha_ and L_ must be arrays")
    n = X.shape[0] if X.ndim == 2 else -1
    if n < 1 or alpha.shape[:1] != (n,) or L.shape != (n, n) or obj.y_train_.shape[:1] != (n,):
        raise FormatError(f"{where}: the Gaussian process arrays have inconsistent shapes")


def check_kriging(obj: Any, where: str) -> None:
    """Refuse residual kriging whose per-step arrays disagree or point outside its tables."""
    if not hasattr(obj, "theta_"):
        return
    n_lig, n_met = len(obj.ligands_), len(obj.kriging_metals_)
    theta, pairs, weights = obj.theta_, obj.pairs_, obj.weights_
    n = int(obj.n_steps_)
    feats = obj.metal_features_
    ok = (
        isinstance(theta, np.ndarray)
        and theta.shape == (n, 4)
        and len(pairs) == n
        and len(weights) == n
        and np.shape(obj.offset_) == (n,)
        and isinstance(feats, np.ndarray)
        and feats.ndim == 2
        and feats.shape[0] == n_met
        and np.shape(obj.descriptor_mean_) == (feats.shape[1],)
        and np.shape(obj.descriptor_scale_) == (feats.shape[1],)
    )
    if not ok:
        raise FormatError(f"{where}: the residual-kriging arrays have inconsistent shapes")
    for k, (pr, w) in enumerate(zip(pairs, weights, strict=True)):
        pr = np.asarray(pr)
        if pr.ndim != 2 or pr.shape[1:] != (2,) or np.shape(w) != (len(pr),):
            raise FormatError(f"{where}: pairs_/weights_ of step {k} have inconsistent shapes")
        if len(pr) and (pr.min() < 0 or pr[:, 0].max() >= n_lig or pr[:, 1].max() >= n_met):
            raise FormatError(f"{where}: pairs_ of step {k} point outside the ligand/metal tables")


def check_blend(obj: Any, where: str) -> None:
    """Refuse a blend whose fitted members and weights disagree with its member list."""
    if not hasattr(obj, "estimators_"):
        return
    n = len(obj.estimators or [])
    w = obj.weights_
    ok = (
        isinstance(obj.estimators_, list)
        and len(obj.estimators_) == n
        and isinstance(w, np.ndarray)
        and w.shape == (n,)
        and bool(np.all(np.isfinite(w)))
        and bool(np.all(w >= 0))
        and abs(float(w.sum()) - 1.0) < 1e-6
    )
    unseen = getattr(obj, "unseen_metal_weights_", None)
    if unseen is not None:
        ok = ok and (
            isinstance(unseen, np.ndarray)
            and unseen.shape == (n,)
            and bool(np.all(np.isfinite(unseen)))
            and bool(np.all(unseen >= 0))
            and abs(float(unseen.sum()) - 1.0) < 1e-6
        )
    if not ok:
        raise FormatError(
            f"{where}: a blend needs one fitted member and one weight (>= 0, summing to 1) per "
            f"entry of estimators"
        )


def check_series(obj: Any, where: str) -> None:
    """Refuse series interpolation whose value rows do not match its series of ions."""
    if not hasattr(obj, "values_"):
        return
    series = obj.series_
    ok = isinstance(series, list) and all(
        isinstance(s, list) and all(isinstance(i, str) for i in s) for s in series
    )
    ions = [i for s in series for i in s] if ok else []
    anchors = getattr(obj, "anchors_", None)
    if anchors is None and ok:  # files saved before the profile fallback: no anchors
        anchors = [[] for _ in series]
    ok = ok and (
        isinstance(anchors, list)
        and len(anchors) == len(series)
        and all(isinstance(a, list) and all(isinstance(i, str) for i in a) for a in anchors)
    )
    ions += [i for a in anchors for i in a] if ok else []
    profile = getattr(obj, "profile_", {})
    ok = (
        ok
        and isinstance(obj.atomic_numbers_, dict)
        and set(obj.atomic_numbers_) == set(ions)
        and isinstance(obj.values_, dict)
        and all(
            isinstance(k, str) and isinstance(v, np.ndarray) and v.shape == (len(ions),)
            for k, v in obj.values_.items()
        )
        and isinstance(profile, dict)
        and all(k in ions and isinstance(v, float) for k, v in profile.items())
    )
    if not ok:
        raise FormatError(
            f"{where}: the series interpolation needs one value per series and anchor ion for "
            "every ligand, and profile offsets of those ions only"
        )


def check_pipeline(params: dict[str, Any], where: str) -> None:
    """A pipeline may not name a cache folder (its cache would be unpickled by a later fit)."""
    if params.get("memory") is not None:
        raise FormatError(f"{where}: a pipeline in a model file cannot name a cache folder")


def split_params(obj: Any) -> dict[str, Any]:
    """Constructor arguments of a validation split (``fraction``, ``random_state``)."""
    return {"fraction": obj.fraction, "random_state": obj.random_state}
