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
  then the module's ``state_dict`` and, unless the file is compact, the optimiser's state and
  the training history (:mod:`.torch_kinds`);
* ``AtomSiteClassifier``: its network, then its ``state_dict``;
* ``sklearn.tree.Tree``: node arrays checked (children after their parent, features in range,
  shapes) and set through ``Tree.__setstate__`` with plain arrays, never unpickled.
"""

from __future__ import annotations

from typing import Any

from .codec import Decoder, Encoder, FormatError
from .kind import Kind, fs, generic_export, generic_restore, resolve
from .sklearn_kinds import (
    check_blend,
    check_decision_tree,
    check_forest,
    check_gp,
    check_kriging,
    check_pipeline,
    check_series,
    split_params,
    tree_export,
    tree_params,
    tree_restore,
)
from .torch_kinds import (
    NET_DERIVED,
    NET_STATE,
    NET_TRAINING,
    net_export,
    net_params,
    net_restore,
    site_net_export,
    site_net_restore,
)

__all__ = ["KINDS", "CALLABLES", "export_object", "restore_object", "callable_name", "make_codec"]


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


# --------------------------------------------------------------------------------------------
# the registry
# --------------------------------------------------------------------------------------------
_BASELINE = (
    "n_invalid_fit_",
    "n_steps_",
    "n_features_in_",
    "feature_names_in_",
    "metal_descriptor_names_",
    "ligand_descriptor_names_",
)
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


def _forest_kind(name: str, cls: str) -> Kind:
    """The kind of a scikit-learn tree ensemble (random forest, extra trees): its trees are
    stored as their own kinds, checked by :func:`~.sklearn_kinds.check_forest`."""
    return Kind(
        name,
        ("sklearn.ensemble", cls),
        fs(
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
        derived=fs("estimator", "estimator_params", "class_weight"),
        check=check_forest,
    )


_ALL: list[Kind] = [
    # skmetalpka
    Kind("ComplexPipeline", ("skmetalpka.pipelines", "ComplexPipeline")),
    Kind(
        "SmilesToGraph",
        ("skmetalpka.featurize", "SmilesToGraph"),
        fs(
            "n_metal_features_",
            "n_atom_features_",
            "n_bond_features_",
            "n_ligand_features_",
            "n_features_in_",
            "feature_names_in_",
            "metal_descriptor_names_",
        ),
    ),
    Kind("SitePredictor", ("skmetalpka.sites", "SitePredictor"), fs("method_", "site_model_")),
    Kind(
        "AtomSiteClassifier",
        ("skmetalpka.sites", "AtomSiteClassifier"),
        fs("pos_weight_", "n_molecules_", "n_atoms_", "loss_curve_", "fit_time_"),
        export=site_net_export,
        restore=site_net_restore,
    ),
    Kind("LigandCountExpander", ("skmetalpka.featurize", "LigandCountExpander"), fs("n_steps_")),
    Kind(
        "MetalComplexRegressor",
        ("skmetalpka.model", "MetalComplexRegressor"),
        NET_STATE | NET_TRAINING | {"module_", "optimizer_"},
        NET_DERIVED,
        params=net_params,
        export=net_export,
        restore=net_restore,
    ),
    Kind("LigandGroupSplit", ("skmetalpka.model", "LigandGroupSplit"), params=split_params),
    Kind(
        "EnsembleRegressor",
        ("skmetalpka.model", "EnsembleRegressor"),
        fs("estimators_", "metals_", "n_steps_"),
    ),
    Kind(
        "BlendRegressor",
        ("skmetalpka.model", "BlendRegressor"),
        fs(
            "estimators_",
            "weights_",
            "unseen_metal_weights_",
            "fit_metals_",
            "n_steps_",
            "metals_",
            "n_features_in_",
            "feature_names_in_",
        ),
        check=check_blend,
    ),
    Kind(
        "ResidualKriging",
        ("skmetalpka.model", "ResidualKriging"),
        fs(
            "estimator_",
            "n_steps_",
            "metals_",
            "ligands_",
            "kriging_metals_",
            "metal_features_",
            "descriptor_mean_",
            "descriptor_scale_",
            "theta_",
            "offset_",
            "pairs_",
            "weights_",
            "residual_rmse_",
        ),
        check=check_kriging,
    ),
    Kind(
        "ProtonTransferRegressor",
        ("skmetalpka.pipelines", "ProtonTransferRegressor"),
        fs("estimator_", "n_steps_", "metals_", "n_proton_rows_"),
    ),
    Kind(
        "GPRBeta1Regressor",
        ("skmetalpka.baselines", "GPRBeta1Regressor"),
        fs(*_BASELINE, "feature_mask_", "feature_names_", "scaler_", "gps_"),
    ),
    Kind(
        "FingerprintForestRegressor",
        ("skmetalpka.baselines", "FingerprintForestRegressor"),
        fs(*_BASELINE, "feature_names_", "forests_"),
    ),
    Kind(
        "DescriptorTreesRegressor",
        ("skmetalpka.baselines", "DescriptorTreesRegressor"),
        fs(*_BASELINE, "feature_names_", "forests_"),
    ),
    Kind(
        "MetalMeanRegressor",
        ("skmetalpka.baselines", "MetalMeanRegressor"),
        fs(*_BASELINE, "global_mean_", "metal_means_"),
    ),
    Kind(
        "SeriesInterpolationRegressor",
        ("skmetalpka.baselines", "SeriesInterpolationRegressor"),
        fs(*_BASELINE, "series_", "anchors_", "atomic_numbers_", "values_", "profile_"),
        check=check_series,
    ),
    # scikit-learn
    Kind("sklearn.Pipeline", ("sklearn.pipeline", "Pipeline")),
    Kind("sklearn.FrozenEstimator", ("sklearn.frozen", "FrozenEstimator")),
    Kind(
        "sklearn.StandardScaler",
        ("sklearn.preprocessing", "StandardScaler"),
        fs("n_features_in_", "n_samples_seen_", "mean_", "var_", "scale_", "feature_names_in_"),
    ),
    Kind(
        "sklearn.GaussianProcessRegressor",
        ("sklearn.gaussian_process", "GaussianProcessRegressor"),
        fs(
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
        check=check_gp,
    ),
    _forest_kind("sklearn.RandomForestRegressor", "RandomForestRegressor"),
    _forest_kind("sklearn.ExtraTreesRegressor", "ExtraTreesRegressor"),
    *(
        Kind(
            f"sklearn.{cls}",
            ("sklearn.tree", cls),
            fs("n_features_in_", "feature_names_in_", "n_outputs_", "max_features_", "tree_"),
            derived=fs("class_weight"),
            check=check_decision_tree,
        )
        for cls in ("DecisionTreeRegressor", "ExtraTreeRegressor")
    ),
    Kind(
        "sklearn.tree.Tree",
        ("sklearn.tree._tree", "Tree"),
        params=tree_params,
        export=tree_export,
        restore=tree_restore,
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
            if resolve(where) is obj:
                return name
        except (ImportError, AttributeError):  # pragma: no cover - optional library missing
            continue
    return None


def _resolve_callable(name: str) -> Any:
    where = CALLABLES.get(name)
    return None if where is None else resolve(where)


def export_object(obj: Any, enc: Encoder, where: str) -> dict[str, Any] | None:
    """The ``{"kind", "params", "state"}`` node of ``obj``, or None for an unregistered class."""
    kind = _kind_of(obj)
    if kind is None:
        return None
    params = kind.get_params(obj)
    node_params = {k: enc.value(v, f"{where}/{k}") for k, v in params.items()}
    state = (kind.export or generic_export)(kind, obj, enc, where)
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
    if kind.name in ("ComplexPipeline", "sklearn.Pipeline"):
        check_pipeline(params, where)
    if kind.restore is tree_restore:
        decoded = params  # plain JSON numbers, checked by the tree's own restore
    else:
        decoded = {k: dec.value(v, f"{where}/{k}") for k, v in params.items()}
    obj = (kind.restore or generic_restore)(kind, kind.cls(), decoded, state, dec, where)
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
