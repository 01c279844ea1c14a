"""What the commands share: usage errors, parent parsers, model loading, number lists."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ..pipelines.registry import MODEL_NAMES

#: Help of ``--model`` for the commands that default to the packaged model.
MODEL_HELP = "model file from `fit` (default: the packaged pretrained model)"
#: Help of ``--trust-pickle``.
TRUST_HELP = (
    "also load a pickled model file (.joblib, skmetalpka 0.1): unpickling runs any code the "
    "file holds, so only for files from a source you trust"
)


class UsageError(Exception):
    """Arguments that do not fit together (exit status 2)."""


def add_model_arguments(
    p: argparse.ArgumentParser, *, required: bool = False, help: str = MODEL_HELP
) -> None:
    """``--model FILE`` and ``--trust-pickle`` of a command that loads a model."""
    p.add_argument("--model", required=required, metavar="FILE", help=help)
    p.add_argument("--trust-pickle", action="store_true", help=TRUST_HELP)


def parent_parsers() -> dict[str, argparse.ArgumentParser]:
    """Shared options: ``common`` (``--quiet``) and ``seeded`` (``--seed``)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bars or messages on stderr"
    )
    seeded = argparse.ArgumentParser(add_help=False)
    seeded.add_argument("--seed", type=int, default=0, help="random seed of the models (default 0)")
    return {"common": common, "seeded": seeded}


def model_list(text: str) -> list[str]:
    """``--model`` of ``cv``: one name, a comma-separated list, or ``all``."""
    if text.strip() == "all":
        return list(MODEL_NAMES)
    names = [t.strip() for t in text.split(",") if t.strip()]
    bad = [n for n in names if n not in MODEL_NAMES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"unknown model(s) {bad or [text]}; choose from {', '.join(MODEL_NAMES)} or all"
        )
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"model named twice in {text!r}")
    return names


def note(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr)


def fmt_table(df: Any) -> str:
    df = df.copy()
    df.index.name = None
    return df.to_string(float_format=lambda v: f"{v:.3f}", na_rep="-")


def report_dict(report: Any) -> dict[str, Any]:
    d = report.to_dict()
    d.pop("excluded", None)
    return d


def model_params(spec: str | None, names: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per-model parameters from --params (flat for one model, keyed by name for several)."""
    from ..pipelines import load_params

    params = load_params(spec)
    keyed = bool(params) and all(
        k in MODEL_NAMES and isinstance(v, dict) for k, v in params.items()
    )
    if keyed:
        unused = sorted(set(params) - set(names))
        if unused:
            raise UsageError(f"--params has parameters for {unused}, which are not being run")
        return {n: dict(params.get(n, {})) for n in names}
    if params and len(names) > 1:
        raise UsageError(
            "with several models --params must be keyed by model name, e.g. "
            '{"rf": {"n_estimators": 100}, "gnn": {"max_epochs": 50}}'
        )
    return {n: dict(params) for n in names}


def check_model_worked(path: str, meta: dict[str, Any], errors: list[str]) -> None:
    """Refuse a model that failed on every row it was given (a broken or stale model file)."""
    from ..exceptions import ModelFileError
    from ..inference import model_failure

    failure = model_failure(errors)
    if failure is not None:
        versions = ", ".join(
            f"{k.replace('_version', '')} {meta.get(k)}"
            for k in ("skmetalpka_version", "sklearn_version", "torch_version")
        )
        raise ModelFileError(
            f"the model in {path!r} failed on every row ({failure}); it was saved with "
            f"{versions} and may not work with the installed code: train it again with "
            "`skmetalpka fit`"
        )


def build(name: str, params: dict[str, Any], seed: int) -> Any:
    from ..selection import build_model

    try:
        return build_model(name, params, random_state=seed)
    except ValueError as exc:  # unknown parameter: an argument problem
        raise UsageError(f"--params: {exc}") from exc


def load_any_model(
    path: str | None, *, trust_pickle: bool = False
) -> tuple[Any, dict[str, Any], str]:
    """The model of ``--model`` or the packaged default; warnings about versions on stderr.

    A pickled file is refused unless ``trust_pickle`` (``--trust-pickle``).
    """
    import warnings

    from ..persistence import ModelVersionWarning, load_model

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ModelVersionWarning)
        if path is None:
            from ..pretrained import default_model_path, load_default_model

            est, meta = load_default_model(return_meta=True)
            where = str(default_model_path())
        else:
            est, meta = load_model(path, return_meta=True, trusted=trust_pickle)
            where = path
    for w in caught:
        print(f"skmetalpka: warning: {w.message}", file=sys.stderr)
    return est, meta, where


def floats(text: str | None, what: str) -> list[float] | None:
    if text is None:
        return None
    try:
        values = [float(t) for t in text.split(",") if t.strip()]
    except ValueError as exc:
        raise UsageError(f"{what} must be comma-separated numbers, got {text!r}") from exc
    if not values:
        raise UsageError(f"{what} is empty")
    return values


def ph_grid(text: str) -> Any:
    import numpy as np

    parts = text.split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError as exc:
        raise UsageError(f"--ph must be LO:HI[:STEP] or one number, got {text!r}") from exc
    if len(nums) == 1:
        return np.array(nums)
    if len(nums) not in (2, 3):
        raise UsageError(f"--ph must be LO:HI[:STEP] or one number, got {text!r}")
    lo, hi = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else 0.1
    if not (0 <= lo < hi <= 14) or step <= 0:
        raise UsageError(f"--ph needs 0 <= LO < HI <= 14 and STEP > 0, got {text!r}")
    n = int(round((hi - lo) / step)) + 1
    return np.linspace(lo, lo + step * (n - 1), n).clip(max=hi)
