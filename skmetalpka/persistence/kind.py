"""One kind of estimator in a model file: how it is saved and rebuilt (:class:`Kind`).

The generic way, used by most kinds: the constructor's parameters (``get_params(deep=False)``)
and the fitted attributes that the kind lists in ``state``, each value written by the
:class:`~.codec.Encoder`; rebuilding calls the constructor with the parameters and sets the
attributes. Kinds that hold more than plain data (networks, trees) bring their own ``export`` and
``restore`` (:mod:`.torch_kinds`, :mod:`.sklearn_kinds`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .codec import Decoder, Encoder, FormatError, UnsupportedValueError

__all__ = [
    "Kind",
    "generic_export",
    "generic_restore",
    "construct",
    "resolve",
    "fs",
    "is_int",
    "first_line",
]


def resolve(where: tuple[str, str]) -> Any:
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
            self._cls.append(resolve(self.where))
        return self._cls[0]

    def get_params(self, obj: Any) -> dict[str, Any]:
        return dict(self.params(obj) if self.params else obj.get_params(deep=False))


def fs(*names: str) -> frozenset[str]:
    return frozenset(names)


# --------------------------------------------------------------------------------------------
# default export / restore
# --------------------------------------------------------------------------------------------
def generic_export(
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


def generic_restore(
    kind: Kind, cls: type, params: dict[str, Any], state: dict[str, Any], dec: Decoder, where: str
) -> Any:
    obj = construct(cls, params, where)
    for name, value in state.items():
        if name not in kind.state:
            raise FormatError(f"{where}: {kind.name} has no stored attribute {name!r}")
        setattr(obj, name, dec.value(value, f"{where}/{name}"))
    return obj


def construct(cls: type, params: dict[str, Any], where: str) -> Any:
    try:
        return cls(**params)
    except (TypeError, ValueError) as exc:
        raise FormatError(
            f"{where}: cannot build {cls.__name__} from its parameters ({exc})"
        ) from exc


def is_int(v: Any, minimum: int) -> bool:
    """True for an int (not a bool) at least ``minimum``."""
    return isinstance(v, int) and not isinstance(v, bool) and v >= minimum


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
