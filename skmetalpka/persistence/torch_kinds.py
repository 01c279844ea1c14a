"""Kinds that hold a torch network: :class:`~skmetalpka.model.MetalComplexRegressor` and
:class:`~skmetalpka.sites.AtomSiteClassifier`.

Their networks are stored as ``state_dict`` arrays and rebuilt from the estimator's parameters:
the regressor through skorch's ``initialize()`` (module, criterion, optimiser, callbacks), the
site classifier by constructing its network. Unless the file is ``compact``, the regressor's
training history and optimiser state (AdamW moments, learning rates) are stored too, so that
``partial_fit`` after loading continues the training; a compact file starts afresh.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .codec import Decoder, Encoder, FormatError, UnsupportedValueError
from .kind import Kind, construct, first_line, fs, generic_export, generic_restore

__all__ = [
    "NET_STATE",
    "NET_TRAINING",
    "NET_DERIVED",
    "net_params",
    "net_export",
    "net_restore",
    "site_net_export",
    "site_net_restore",
]


NET_STATE = fs(
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
NET_TRAINING = fs("history_", "pretrain_history_")
# skorch's own bookkeeping, recreated by initialize(); optimiser and callback state are dropped
NET_DERIVED = fs(
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


def net_params(obj: Any) -> dict[str, Any]:
    """skorch's ``get_params`` plus every named constructor argument, with its effective value.

    skorch lists the attributes an object has, so a network unpickled from a version before a
    parameter existed does not list it; rebuilt with the new default it would behave
    differently. The value it behaves as (the class-level default kept for such files, e.g.
    ``ionic_strength_model="learned"``) is stored instead.
    """
    import inspect

    params = obj.get_params(deep=False)
    params.pop("_params_to_validate", None)
    named = [
        p.name
        for p in inspect.signature(type(obj).__init__).parameters.values()
        if p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "self"
    ]
    for name in named:  # a class-level default stands for the value before the parameter
        if name not in params and hasattr(obj, name):
            params[name] = getattr(obj, name)
    missing = [name for name in named if name not in params]
    if missing:
        raise UnsupportedValueError(
            f"{type(obj).__name__} has no value for its parameter(s) {missing} (unpickled from "
            "an older version?); set them with set_params before saving"
        )
    return params


def net_export(kind: Kind, obj: Any, enc: Encoder, where: str) -> dict[str, Any]:
    params = net_params(obj)
    out: dict[str, Any] = {}
    for name, value in vars(obj).items():
        if name in params or name in NET_DERIVED or name == "module_":
            continue
        if name in NET_TRAINING:
            if not enc.compact and "module_" in vars(obj):
                out[name] = enc.value(value, f"{where}/{name}")
            continue
        if name not in NET_STATE:
            raise UnsupportedValueError(
                f"{where}: MetalComplexRegressor has the attribute {name!r}, which the model "
                "format does not know; add it to NET_STATE in skmetalpka/persistence/kinds.py"
            )
        out[name] = enc.value(value, f"{where}/{name}")
    if "module_" in vars(obj) and hasattr(obj, "n_steps_"):
        half = enc.half_precision or bool(getattr(obj, "half_storage_", False))
        if half:
            out["half_storage_"] = True
        out["module_"] = enc.state_dict(obj.module_, f"{where}/module_", half=half)
        optimizer = getattr(obj, "optimizer_", None)
        if not enc.compact and optimizer is not None:
            out["optimizer_"] = _optimizer_export(optimizer, enc, f"{where}/optimizer_")
    return out


def _optimizer_export(optimizer: Any, enc: Encoder, where: str) -> dict[str, Any]:
    """``{"param_groups": [...], "state": {"<index>": {"$state_dict": ...}}}``."""
    state = optimizer.state_dict()
    return {
        "param_groups": enc.value(state["param_groups"], f"{where}/param_groups"),
        "state": {str(i): enc.tensors(s, f"{where}/{i}") for i, s in state["state"].items()},
    }


def _optimizer_restore(obj: Any, value: Any, dec: Decoder, where: str) -> None:
    if not (isinstance(value, dict) and set(value) == {"param_groups", "state"}):
        raise FormatError(f"{where}: optimizer_ needs exactly 'param_groups' and 'state'")
    if not isinstance(value["state"], dict) or not all(k.isdigit() for k in value["state"]):
        raise FormatError(f"{where}: optimizer_ state must be keyed by parameter index")
    groups = dec.value(value["param_groups"], f"{where}/param_groups")
    state = {int(k): dict(dec.state_dict(v, f"{where}/{k}")) for k, v in value["state"].items()}
    try:
        obj.optimizer_.load_state_dict({"state": state, "param_groups": groups})
    except (RuntimeError, TypeError, ValueError, KeyError, IndexError) as exc:
        raise FormatError(f"{where}: the optimiser state does not fit ({first_line(exc)})") from exc


def net_restore(
    kind: Kind, cls: type, params: dict[str, Any], state: dict[str, Any], dec: Decoder, where: str
) -> Any:
    import torch

    obj = construct(cls, params, where)
    state = dict(state)
    module_state = state.pop("module_", None)
    optimizer_state = state.pop("optimizer_", None)
    training = {k: state.pop(k) for k in list(state) if k in NET_TRAINING}
    for name, value in state.items():
        if name not in NET_STATE:
            raise FormatError(f"{where}: MetalComplexRegressor has no stored attribute {name!r}")
        setattr(obj, name, dec.value(value, f"{where}/{name}"))
    if module_state is None:
        if state or training or optimizer_state is not None:
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
            f"{where}: the network does not match its weights ({first_line(exc)})"
        ) from exc
    if optimizer_state is not None:
        _optimizer_restore(obj, optimizer_state, dec, f"{where}/optimizer_")
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


def site_net_export(kind: Kind, obj: Any, enc: Encoder, where: str) -> dict[str, Any]:
    out = generic_export(kind, obj, enc, where, skip=("module_",))
    if "module_" in vars(obj):
        out["module_"] = enc.state_dict(obj.module_, f"{where}/module_")
    return out


def site_net_restore(
    kind: Kind, cls: type, params: dict[str, Any], state: dict[str, Any], dec: Decoder, where: str
) -> Any:
    import torch

    from ..featurize.graph import N_ATOM_FEATURES, N_BOND_FEATURES
    from ..sites.classifier import _AtomSiteNet

    state = dict(state)
    module_state = state.pop("module_", None)
    obj = generic_restore(kind, cls, params, state, dec, where)
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
            f"{where}: the site network does not match its weights ({first_line(exc)})"
        ) from exc
    obj.module_ = module.eval()
    return obj
