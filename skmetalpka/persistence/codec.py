"""Values of a model document: plain JSON plus named arrays, and nothing that runs code.

A fitted estimator is written as a JSON document and a set of named arrays (stored as
safetensors). :class:`Encoder` turns Python values into JSON values, moving every numeric array
into the array set; :class:`Decoder` turns them back. A JSON value is one of

=========================================  ==================================================
JSON                                       Python value
=========================================  ==================================================
``null``, ``true``, a number, a string     the same
``[v, ...]``                               list
``{"$float": "nan" | "inf" | "-inf"}``     a float that JSON cannot write
``{"$scalar": [dtype, v]}``                numpy scalar (numeric or bool dtypes only)
``{"$array": name}``                       numpy array ``name`` of the array set
``{"$strings": [s, ...]}``                 numpy array of str (object dtype)
``{"$tuple": [v, ...]}``                   tuple
``{"$dict": {key: v, ...}}``               dict with string keys
``{"$history": [v, ...]}``                 skorch ``History``
``{"$random_state": {...}}``               ``numpy.random.RandomState`` (its MT19937 state)
``{"$state_dict": {name: {"$array": n}}}``  torch ``state_dict`` (only inside a kind's state)
``{"$callable": name}``                    a class from :data:`~.kinds.CALLABLES`, by name
``{"$object": {"kind", "params", "state"}}``  an estimator of a registered kind (:mod:`.kinds`)
=========================================  ==================================================

Nothing else is accepted: a ``$`` tag that is not in this table, a class or callable that is
not registered, an array name that is not in the file, all stop the load with
:class:`FormatError` before any estimator is built.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["Encoder", "Decoder", "FormatError", "UnsupportedValueError", "SCALAR_DTYPES"]

#: numpy dtypes allowed for ``$scalar`` values.
SCALAR_DTYPES = (
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
)
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_ARRAY_KINDS = "biuf"  # bool, signed, unsigned, float: what safetensors stores
_NAME = re.compile(r"[^A-Za-z0-9_.\-/]")


class FormatError(ValueError):
    """A model document that does not follow the format (the loader names the file)."""


class UnsupportedValueError(TypeError):
    """A value that the safe model format cannot hold (raised when saving)."""


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------
class Encoder:
    """Turn Python values into JSON values, collecting arrays in :attr:`arrays`.

    Parameters
    ----------
    export_object : callable
        ``export_object(obj, encoder, where)`` returns the ``{"kind", "params", "state"}``
        node of an estimator, or None when ``obj`` is of no registered kind.
    callable_name : callable
        ``callable_name(obj)`` returns the registered name of a class, or None.
    compact : bool, default=False
        Leave out what only training needs (the kinds read it).
    half_precision : bool, default=False
        Store network weights as float16 (the kinds read it).
    """

    def __init__(
        self,
        export_object: Callable[[Any, Encoder, str], dict[str, Any] | None],
        callable_name: Callable[[Any], str | None],
        *,
        compact: bool = False,
        half_precision: bool = False,
    ) -> None:
        self.export_object = export_object
        self.callable_name = callable_name
        self.compact = compact
        self.half_precision = half_precision
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, value: Any, where: str) -> dict[str, str]:
        """Store a numeric array under a name derived from ``where``; return its reference."""
        arr = np.asarray(value)
        if arr.dtype.kind not in _ARRAY_KINDS or arr.dtype.byteorder == ">":
            raise UnsupportedValueError(f"{where}: arrays of dtype {arr.dtype} cannot be stored")
        base = _NAME.sub("_", where) or "array"
        name, i = base, 1
        while name in self.arrays:
            i += 1
            name = f"{base}#{i}"
        self.arrays[name] = arr if arr.flags.c_contiguous else arr.copy(order="C")  # keeps 0-d
        return {"$array": name}

    def state_dict(self, module: Any, where: str, *, half: bool = False) -> dict[str, Any]:
        """A torch module's ``state_dict``; with ``half`` its parameters (not buffers) in float16."""
        params = {name for name, _ in module.named_parameters()} if half else set()
        return self.tensors(module.state_dict(), where, half=params)

    def tensors(self, tensors: Any, where: str, *, half: Any = ()) -> dict[str, Any]:
        """``{"$state_dict": ...}`` of a mapping of names to torch tensors (``half``: float16)."""
        import torch

        out: dict[str, Any] = {}
        for name, tensor in tensors.items():
            t = tensor.detach().cpu()
            if name in half and t.is_floating_point():
                t = t.to(torch.float16)
            out[str(name)] = self.array(t.numpy(), f"{where}/{name}")
        return {"$state_dict": out}

    def value(self, v: Any, where: str) -> Any:
        """The JSON value of ``v`` (raises :class:`UnsupportedValueError`)."""
        if v is None or isinstance(v, bool | str):
            return v
        if isinstance(v, int) and not isinstance(v, np.generic):
            return int(v)
        if isinstance(v, float) and not isinstance(v, np.generic):
            return _float(v)
        if isinstance(v, np.generic):
            dtype = np.dtype(type(v)).name
            if dtype not in SCALAR_DTYPES:
                raise UnsupportedValueError(f"{where}: numpy scalar of dtype {dtype}")
            item = v.item()
            return {"$scalar": [dtype, _float(item) if isinstance(item, float) else item]}
        if isinstance(v, np.ndarray):
            if v.dtype.kind in _ARRAY_KINDS:
                return self.array(v, where)
            if v.ndim == 1 and all(isinstance(s, str) for s in v.tolist()):
                return {"$strings": [str(s) for s in v.tolist()]}
            raise UnsupportedValueError(f"{where}: arrays of dtype {v.dtype} cannot be stored")
        if _is_history(v):
            return {"$history": [self.value(row, f"{where}/{i}") for i, row in enumerate(v)]}
        if isinstance(v, list):
            return [self.value(x, f"{where}/{i}") for i, x in enumerate(v)]
        if isinstance(v, tuple):
            return {"$tuple": [self.value(x, f"{where}/{i}") for i, x in enumerate(v)]}
        if isinstance(v, dict):
            bad = [k for k in v if not isinstance(k, str)]
            if bad:
                raise UnsupportedValueError(f"{where}: dict keys must be strings, got {bad[0]!r}")
            return {"$dict": {k: self.value(x, f"{where}/{k}") for k, x in v.items()}}
        if isinstance(v, np.random.RandomState):
            name, key, pos, has_gauss, gauss = v.get_state(legacy=True)
            return {
                "$random_state": {
                    "bit_generator": str(name),
                    "key": self.array(np.asarray(key, dtype=np.uint32), f"{where}/key"),
                    "pos": int(pos),
                    "has_gauss": int(has_gauss),
                    "cached_gaussian": _float(float(gauss)),
                }
            }
        if isinstance(v, type) or callable(v) and not hasattr(v, "get_params"):
            name = self.callable_name(v)
            if name is not None:
                return {"$callable": name}
        node = self.export_object(v, self, where)
        if node is not None:
            return {"$object": node}
        raise UnsupportedValueError(
            f"{where}: a {type(v).__module__}.{type(v).__qualname__} cannot be stored in the "
            "safe model format"
        )


def _float(x: float) -> Any:
    if math.isfinite(x):
        return x
    return {"$float": "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _is_history(v: Any) -> bool:
    return type(v).__name__ == "History" and type(v).__module__.startswith("skorch")


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------
class Decoder:
    """Turn JSON values back into Python values (the inverse of :class:`Encoder`).

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        The file's arrays.
    restore_object : callable
        ``restore_object(node, decoder, where)`` builds an estimator from its node.
    resolve_callable : callable
        ``resolve_callable(name)`` returns the registered class of that name, or None.
    """

    def __init__(
        self,
        arrays: Mapping[str, np.ndarray],
        restore_object: Callable[[Any, Decoder, str], Any],
        resolve_callable: Callable[[str], Any],
    ) -> None:
        self.arrays = arrays
        self.restore_object = restore_object
        self.resolve_callable = resolve_callable
        self.used: set[str] = set()

    def array(self, ref: Any, where: str) -> np.ndarray:
        """The array that ``{"$array": name}`` names (a writable copy)."""
        if not (
            isinstance(ref, dict) and set(ref) == {"$array"} and isinstance(ref["$array"], str)
        ):
            raise FormatError(f"{where}: expected an array reference, got {_short(ref)}")
        name = ref["$array"]
        if name not in self.arrays:
            raise FormatError(f"{where}: the array {name!r} is not in the file")
        self.used.add(name)
        return np.array(self.arrays[name], copy=True)

    def state_dict(self, value: Any, where: str) -> OrderedDict[str, Any]:
        """A torch ``state_dict`` from ``{"$state_dict": {...}}``."""
        import torch

        body = _tagged(value, "$state_dict", where)
        if not isinstance(body, dict):
            raise FormatError(f"{where}: $state_dict must be an object")
        out: OrderedDict[str, Any] = OrderedDict()
        for name, ref in body.items():
            out[name] = torch.from_numpy(self.array(ref, f"{where}/{name}"))
        return out

    def value(self, v: Any, where: str) -> Any:
        """The Python value of JSON value ``v`` (raises :class:`FormatError`)."""
        if v is None or isinstance(v, bool | int | float | str):
            return v
        if isinstance(v, list):
            return [self.value(x, f"{where}/{i}") for i, x in enumerate(v)]
        if not isinstance(v, dict) or len(v) != 1:
            raise FormatError(f"{where}: expected one tagged value, got {_short(v)}")
        ((tag, body),) = v.items()
        if tag == "$float":
            if body not in _NONFINITE:
                raise FormatError(f"{where}: $float must be 'nan', 'inf' or '-inf'")
            return _NONFINITE[body]
        if tag == "$scalar":
            if not (isinstance(body, list) and len(body) == 2 and body[0] in SCALAR_DTYPES):
                raise FormatError(f"{where}: $scalar must be [dtype, value] of a numeric dtype")
            x = self.value(body[1], where)
            if not isinstance(x, bool | int | float):
                raise FormatError(f"{where}: $scalar value must be a number")
            return np.dtype(body[0]).type(x)
        if tag == "$array":
            return self.array(v, where)
        if tag == "$strings":
            if not (isinstance(body, list) and all(isinstance(s, str) for s in body)):
                raise FormatError(f"{where}: $strings must be a list of strings")
            return np.asarray(body, dtype=object)
        if tag == "$tuple":
            if not isinstance(body, list):
                raise FormatError(f"{where}: $tuple must be a list")
            return tuple(self.value(x, f"{where}/{i}") for i, x in enumerate(body))
        if tag == "$dict":
            if not isinstance(body, dict):
                raise FormatError(f"{where}: $dict must be an object")
            return {k: self.value(x, f"{where}/{k}") for k, x in body.items()}
        if tag == "$history":
            from skorch.history import History

            if not isinstance(body, list):
                raise FormatError(f"{where}: $history must be a list")
            return History(self.value(body, where))
        if tag == "$random_state":
            return self._random_state(body, where)
        if tag == "$callable":
            target = self.resolve_callable(body) if isinstance(body, str) else None
            if target is None:
                raise FormatError(
                    f"{where}: {_short(body)} is not one of the classes a model file may name"
                )
            return target
        if tag == "$object":
            return self.restore_object(body, self, where)
        raise FormatError(f"{where}: unknown tag {tag!r}")

    def _random_state(self, body: Any, where: str) -> np.random.RandomState:
        keys = {"bit_generator", "key", "pos", "has_gauss", "cached_gaussian"}
        if not (isinstance(body, dict) and set(body) == keys):
            raise FormatError(f"{where}: $random_state needs exactly {sorted(keys)}")
        key = self.array(body["key"], f"{where}/key")
        pos, has_gauss = body["pos"], body["has_gauss"]
        gauss = self.value(body["cached_gaussian"], where)
        if (
            body["bit_generator"] != "MT19937"
            or key.shape != (624,)
            or key.dtype != np.uint32
            or not isinstance(pos, int)
            or not 0 <= pos <= 624
            or has_gauss not in (0, 1)
            or not isinstance(gauss, float)
        ):
            raise FormatError(f"{where}: not a valid MT19937 random state")
        rs = np.random.RandomState()
        rs.set_state(("MT19937", key, pos, has_gauss, gauss))
        return rs


def _tagged(v: Any, tag: str, where: str) -> Any:
    if not (isinstance(v, dict) and set(v) == {tag}):
        raise FormatError(f"{where}: expected {tag}, got {_short(v)}")
    return v[tag]


def _short(v: Any, limit: int = 60) -> str:
    text = repr(v)
    return text if len(text) <= limit else text[: limit - 3] + "..."
