"""scikit-learn conformance of every skmetalpka estimator and of the masked scorers.

No skmetalpka estimator takes scikit-learn's numeric 2-D arrays. The baselines, ``SmilesToGraph``
and the default pipeline take a DataFrame of (metal, ligand SMILES) strings; ``SitePredictor``,
``LigandCountExpander`` and ``MetalComplexRegressor`` take the list of ``ComplexGraph`` made by the
step before them (docs/architecture.md). No baseline has a numeric core estimator of its own (the
GP and the forests are plain scikit-learn estimators built inside ``fit``), so the numeric check
suite cannot run on any of them, and a test-only numeric adapter would test the adapter. The file
has four parts:

1. ``parametrize_with_checks`` on every estimator. scikit-learn reads the input tags and runs its
   suite only where they claim numeric input: every skmetalpka estimator is tagged with its real
   input (the default pipeline is a ``ComplexPipeline`` that passes on its first step's tags, and
   the ensemble copies them), so each gets the clone check and a ``SkipTestWarning`` (asserted in
   ``test_sklearn_skips_the_numeric_suite``). Every check that fails anywhere in this file is in
   :data:`EXPECTED_FAILED_CHECKS` with its reason (strict xfail: a check that starts passing
   fails here and must be removed from the list).
2. scikit-learn's check functions that need no numeric data, called one by one on every
   estimator.
3. The fit-dependent checks redone with each estimator's real input (the TINY table of
   ``conftest``); each test names the scikit-learn check it stands for. The GNN estimators are
   fitted once, as one tiny ensemble (``max_epochs=2``), and checked through it, its member
   pipeline and the member's ``MetalComplexRegressor``.
4. The masked scorers: sign, pickling, ``cross_validate`` with NaN targets.
"""

from __future__ import annotations

import inspect
import io
import math
import pickle
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sklearn.utils.estimator_checks as sk_checks
import torch
from conftest import TINY
from rdkit import Chem
from sklearn.base import BaseEstimator, RegressorMixin, clone, is_regressor
from sklearn.exceptions import NotFittedError, SkipTestWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import KFold, LeaveOneGroupOut, cross_validate
from sklearn.utils import InputTags, get_tags
from sklearn.utils.estimator_checks import estimator_checks_generator, parametrize_with_checks
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from skmetalpka.baselines import (
    DescriptorTreesRegressor,
    FingerprintForestRegressor,
    GPRBeta1Regressor,
    MetalMeanRegressor,
    SeriesInterpolationRegressor,
)
from skmetalpka.featurize import LigandCountExpander, SitePredictor, SmilesToGraph
from skmetalpka.metrics import SCORERS, make_masked_scorer
from skmetalpka.model import (
    BlendRegressor,
    EnsembleRegressor,
    MetalComplexRegressor,
    ProtonTransferRegressor,
    ResidualKriging,
)
from skmetalpka.pipelines import default_pipeline

# --------------------------------------------------------------------------------------
# expected failures: estimator class name -> {check name: reason}
# --------------------------------------------------------------------------------------
#: Every expected failure of this file. Keys of the inner dicts are scikit-learn check names
#: (parts 1 and 2) or the names of this file's own checks (parts 3, tags).
EXPECTED_FAILED_CHECKS: dict[str, dict[str, str]] = {
    "MetalComplexRegressor": {
        "check_no_attributes_set_in_init": "skorch's NeuralNet.__init__ sets history_, "
        "initialized_, virtual_params_ and the iterator_*__ kwargs (skorch design)",
        "check_set_params": "skorch lists its private _params_to_validate set as a parameter; "
        "the check's fuzz value (-inf) replaces it and the next set_params fails (skorch design)",
    },
    "SeriesInterpolationRegressor": {
        "nan_targets_allowed_inf_refused": "answers lanthanide/actinide rows only and TINY has "
        "none, so its predictions there are NaN by design (tests/test_series.py checks NaN and "
        "inf targets on a lanthanide table)",
    },
}


#: How each expected failure shows (regex on "ExceptionType: message"); a check that fails in
#: any other way is reported as a failure, not hidden behind its xfail. Default: the TypeError
#: of a non-DataFrame X.
_FAILS_WITH: dict[str, str] = {
    "check_no_attributes_set_in_init": "Found attributes .'history_', 'initialized_'",
    "check_set_params": "AttributeError: 'float' object has no attribute 'add'",
}
_FAILS_WITH_DEFAULT = "TypeError: X must be a pandas DataFrame"


def _expected_failed(estimator: Any) -> dict[str, str]:
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


# --------------------------------------------------------------------------------------
# estimators and data
# --------------------------------------------------------------------------------------
#: Small GNN settings: every GNN fit in this file uses max_epochs=2.
SMALL = dict(hidden_dim=16, encoder_depth=1, star_layers=1, heads=2, batch_size=32, max_epochs=2)


def _all_estimators() -> list[Any]:
    return [
        GPRBeta1Regressor(),
        FingerprintForestRegressor(n_estimators=10, n_bits=128, random_state=0),
        DescriptorTreesRegressor(n_estimators=10, random_state=0),
        MetalMeanRegressor(),
        SeriesInterpolationRegressor(),
        SmilesToGraph(),
        SitePredictor(),
        LigandCountExpander(),
        MetalComplexRegressor(**SMALL),
        default_pipeline(**SMALL),
        EnsembleRegressor(default_pipeline(**SMALL), n_members=2),
        ProtonTransferRegressor(default_pipeline(**SMALL)),
        ResidualKriging(MetalMeanRegressor()),
        BlendRegressor([("mean", MetalMeanRegressor()), ("gpr", GPRBeta1Regressor())]),
    ]


def _est_id(est: Any) -> str:
    return type(est).__name__


_ESTIMATORS = _all_estimators()
_ESTIMATOR_IDS = [_est_id(e) for e in _ESTIMATORS]
_TINY = pd.read_csv(io.StringIO(TINY))


def tiny() -> tuple[pd.DataFrame, np.ndarray]:
    """Fresh copies of the TINY table: X (metal, smiles), y (6, 2) with two NaN beta_2."""
    X = _TINY[["metal", "smiles"]].copy()
    y = _TINY[["log_beta_1", "log_beta_2"]].to_numpy(dtype=np.float64)
    return X, y


def _graphs() -> list:
    X, _ = tiny()
    return SmilesToGraph().fit_transform(X)


def _site_graphs() -> list:
    return SitePredictor().fit_transform(_graphs())


def _xfail(name: str, check: str, raises: type[BaseException] = AssertionError) -> list:
    """Strict xfail mark (only for ``raises``) if ``check`` is expected to fail on ``name``."""
    reason = EXPECTED_FAILED_CHECKS.get(name, {}).get(check)
    return [pytest.mark.xfail(reason=reason, strict=True, raises=raises)] if reason else []


@pytest.fixture(autouse=True)
def _one_blas_thread():
    with threadpool_limits(1):
        yield


# --------------------------------------------------------------------------------------
# part 1: scikit-learn's generated suite, as far as the tags allow
# --------------------------------------------------------------------------------------
def _check_name(check: Any) -> str:
    return check.func.__name__ if isinstance(check, partial) else check.__name__


def _short_id(obj: Any) -> str:
    """Test ids: class name of the estimator, check name with its keyword arguments."""
    if isinstance(obj, BaseEstimator):
        return type(obj).__name__
    kwargs = getattr(obj, "keywords", {})
    args = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return _check_name(obj) + (f"({args})" if args else "")


class UnexpectedFailure(Exception):
    """An expected-to-fail check failed, but not in the documented way (not xfail-able)."""


def _run_check(check: Callable[..., Any], *args: Any, expected_to_fail: bool) -> None:
    """Run a scikit-learn check. An expected failure must match :data:`_FAILS_WITH`.

    A matching failure is re-raised as a bare AssertionError (the xfail marks accept only
    that), without its traceback: pytest would otherwise re-parse estimator_checks.py for
    every frame of every xfail, about half a second each.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # e.g. check_set_params on fuzz values
        if not expected_to_fail:
            check(*args)
            return
        try:
            check(*args)
        except Exception as exc:
            text = f"{type(exc).__name__}: {exc}"
            pattern = _FAILS_WITH.get(_check_name(check), _FAILS_WITH_DEFAULT)
            if re.search(pattern, text):
                raise AssertionError(text) from None
            raise UnexpectedFailure(f"expected /{pattern}/, got {text}") from exc


with warnings.catch_warnings():
    warnings.simplefilter("ignore", SkipTestWarning)  # asserted in the next test
    _suite = parametrize_with_checks(
        _all_estimators(), expected_failed_checks=_expected_failed, xfail_strict=True
    )


def _with_strict_raises(param: Any) -> Any:
    """scikit-learn's parameter, its xfail mark restricted to the documented failure."""
    if not hasattr(param, "marks"):  # a plain (estimator, check) tuple: expected to pass
        return param
    est, check = param.values
    return pytest.param(est, check, marks=_xfail(_est_id(est), _check_name(check)))


# the same parameters and expected failures, with short ids instead of the estimators' reprs
_sklearn_suite = pytest.mark.parametrize(
    _suite.args[0], [_with_strict_raises(p) for p in _suite.args[1]], ids=_short_id
)


@_sklearn_suite
def test_sklearn_generated_checks(estimator, check):
    expected = _check_name(check) in _expected_failed(estimator)
    _run_check(check, estimator, expected_to_fail=expected)


@pytest.mark.parametrize(
    "est",
    [e for e in _ESTIMATORS if not get_tags(e).input_tags.two_d_array],
    ids=_est_id,
)
def test_sklearn_skips_the_numeric_suite(est):
    """Correctly tagged estimators are skipped by scikit-learn, loudly, after the clone check."""
    with pytest.warns(SkipTestWarning, match="Can't test estimator"):
        checks = [c.func.__name__ for _, c in estimator_checks_generator(est)]
    assert checks == ["check_estimator_cloneable"]


# --------------------------------------------------------------------------------------
# part 2: scikit-learn checks that need no numeric data
# --------------------------------------------------------------------------------------
_INPUT_FREE_CHECKS = (
    "check_estimator_cloneable",
    "check_estimator_tags_renamed",
    "check_valid_tag_types",
    "check_estimator_repr",
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
)


def _input_free_params() -> list:
    params = []
    for est in _ESTIMATORS:
        names = list(_INPUT_FREE_CHECKS)
        # Both raise before looking at X when the estimator checks its fitted state first.
        if hasattr(est, "predict"):
            names.append("check_estimators_unfitted")
        if hasattr(est, "transform") and not hasattr(est, "steps"):
            names.append("check_transformers_unfitted")
        for check in names:
            params.append(
                pytest.param(
                    est, check, id=f"{_est_id(est)}-{check}", marks=_xfail(_est_id(est), check)
                )
            )
    return params


@pytest.mark.parametrize("est, check", _input_free_params())
def test_sklearn_input_free_checks(est, check):
    expected = check in _expected_failed(est)
    _run_check(getattr(sk_checks, check), _est_id(est), est, expected_to_fail=expected)


def test_input_free_check_names_exist():
    """The hand-picked lists name real scikit-learn checks (a renamed check must not vanish)."""
    for name in (*_INPUT_FREE_CHECKS, *_FAILS_WITH):
        assert callable(getattr(sk_checks, name)), name


# --------------------------------------------------------------------------------------
# tags
# --------------------------------------------------------------------------------------
_STRINGS = dict(string=True, allow_nan=True)  # DataFrame of strings; NaN condition = default
_EXPECTED_INPUT_TAGS: dict[str, dict[str, bool]] = {
    "GPRBeta1Regressor": _STRINGS,
    "FingerprintForestRegressor": _STRINGS,
    "DescriptorTreesRegressor": _STRINGS,
    "MetalMeanRegressor": _STRINGS,
    "SeriesInterpolationRegressor": _STRINGS,
    "SmilesToGraph": _STRINGS,
    # lists of ComplexGraph: scikit-learn has no tag for them, so every input tag is False
    "SitePredictor": {},
    "LigandCountExpander": {},
    "MetalComplexRegressor": {},
    "ComplexPipeline": _STRINGS,
    "EnsembleRegressor": _STRINGS,
    "ProtonTransferRegressor": _STRINGS,
    "ResidualKriging": _STRINGS,
    "BlendRegressor": _STRINGS,
}


@pytest.mark.parametrize(
    "est",
    [pytest.param(e, marks=_xfail(_est_id(e), "input_tags")) for e in _ESTIMATORS],
    ids=_ESTIMATOR_IDS,
)
def test_input_tags(est):
    """``__sklearn_tags__`` declares the input kind (scikit-learn skips or runs checks on it)."""
    tags = get_tags(est)
    assert tags.input_tags == InputTags(two_d_array=False, **_EXPECTED_INPUT_TAGS[_est_id(est)])
    assert tags.requires_fit
    if hasattr(est, "predict"):
        assert is_regressor(est) and tags.estimator_type == "regressor"
        assert tags.target_tags.multi_output  # y is (n_samples, N)
    else:
        assert tags.estimator_type is None and tags.transformer_tags is not None


# --------------------------------------------------------------------------------------
# part 3: fit-dependent checks with the real input
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """An estimator, how to make its input from TINY, and its output method."""

    name: str
    make: Callable[[], Any]
    make_X: Callable[[], Any] | None  # None: built by the test (needs the expander's y)
    method: str


_BASELINES = [
    Case("GPRBeta1Regressor", GPRBeta1Regressor, lambda: tiny()[0], "predict"),
    Case(
        "FingerprintForestRegressor",
        lambda: FingerprintForestRegressor(n_estimators=10, n_bits=128, random_state=0),
        lambda: tiny()[0],
        "predict",
    ),
    Case(
        "DescriptorTreesRegressor",
        lambda: DescriptorTreesRegressor(n_estimators=10, random_state=0),
        lambda: tiny()[0],
        "predict",
    ),
    Case("MetalMeanRegressor", MetalMeanRegressor, lambda: tiny()[0], "predict"),
    Case(
        "SeriesInterpolationRegressor", SeriesInterpolationRegressor, lambda: tiny()[0], "predict"
    ),
    Case(
        "BlendRegressor",
        lambda: BlendRegressor(
            [("mean", MetalMeanRegressor()), ("gpr", GPRBeta1Regressor(random_state=0))],
            weights=[1.0, 2.0],
        ),
        lambda: tiny()[0],
        "predict",
    ),
]
_TRANSFORMERS = [
    Case("SmilesToGraph", SmilesToGraph, lambda: tiny()[0], "transform"),
    Case("SitePredictor", SitePredictor, _graphs, "transform"),
    Case("LigandCountExpander", LigandCountExpander, _site_graphs, "transform"),
]
FIT_CASES = _BASELINES + _TRANSFORMERS


def _case_params(
    cases: list[Case], check: str, raises: type[BaseException] = AssertionError
) -> list:
    return [pytest.param(c, id=c.name, marks=_xfail(c.name, check, raises)) for c in cases]


def _graph_state(g: Any) -> dict[str, Any]:
    """Every attribute of a graph as plain comparable values."""
    out: dict[str, Any] = {}
    for key in sorted(g.keys()):
        v = g[key]
        if isinstance(v, torch.Tensor):
            v = v.detach().numpy().copy()
        elif isinstance(v, Chem.Mol):
            v = Chem.MolToSmiles(v)
        out[key] = v
    return out


def _state(out: Any) -> Any:
    if isinstance(out, list):
        return [_graph_state(g) for g in out]
    if isinstance(out, pd.DataFrame):
        return out.copy(deep=True)
    return np.array(out, dtype=np.float64, copy=True)


def _assert_same(a: Any, b: Any, rtol: float = 0.0) -> None:
    """Outputs (arrays, DataFrames or graph lists) equal, NaN equal to NaN."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, list):
        assert len(a) == len(b)
        for ga, gb in zip(a, b, strict=True):
            assert ga.keys() == gb.keys()
            for key in ga:
                if isinstance(ga[key], np.ndarray):
                    np.testing.assert_allclose(ga[key], gb[key], rtol=rtol, err_msg=key)
                else:
                    assert ga[key] == gb[key], key
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=0.0)


def _fit(case: Case) -> tuple[Any, Any]:
    """(fitted estimator, its input)."""
    X = case.make_X()
    _, y = tiny()
    return case.make().fit(X, y), X


def _out(est: Any, case_method: str, X: Any) -> Any:
    return _state(getattr(est, case_method)(X))


def _take(X: Any, rows: list[int]) -> Any:
    return X.iloc[rows] if isinstance(X, pd.DataFrame) else [X[i] for i in rows]


@pytest.fixture(scope="module")
def gnn() -> dict[str, Any]:
    """The one GNN fit of this file: a 2-member ensemble of tiny default pipelines on TINY.

    Records what the fit changed, for the fit-behaviour checks.
    """
    X, y = tiny()
    X_before, y_before = X.copy(deep=True), y.copy()
    ens = EnsembleRegressor(default_pipeline(**SMALL), n_members=2, random_state=0)
    params_before = pickle.dumps(ens.get_params(deep=True))
    public_before = {k: v for k, v in vars(ens).items() if not k.startswith("_")}
    returned = ens.fit(X, y)
    member = ens.estimators_[0]
    stars = member[:-1].transform(X)
    return dict(
        ens=ens,
        returned=returned,
        params_before=params_before,
        public_before=public_before,
        X=X,
        X_before=X_before,
        y=y,
        y_before=y_before,
        member=member,
        model=member[-1],
        stars=stars,
    )


def _gnn_fitted(gnn: dict[str, Any], which: str) -> tuple[Any, Any]:
    """(fitted GNN estimator, its input) for ``which`` in ens / member / model."""
    est = gnn[which]
    return est, gnn["stars"] if which == "model" else tiny()[0]


_GNN_FITTED = ["ens", "member", "model"]


# ---- fit behaviour --------------------------------------------------------------------
@pytest.mark.parametrize("case", _case_params(FIT_CASES, "fit_returns_self_keeps_params"))
def test_fit_returns_self_keeps_params(case):
    """check_estimators_fit_returns_self + check_estimators_overwrite_params, real input.

    Also the input is not modified (check_inplace_ensure_writeable's concern): neither X nor y.
    """
    est = case.make()
    X = case.make_X()
    _, y = tiny()
    X_before, y_before = _state(X), y.copy()
    params_before = pickle.dumps(est.get_params(deep=True))
    assert est.fit(X, y) is est
    assert pickle.dumps(est.get_params(deep=True)) == params_before
    _assert_same(_state(X), X_before)
    np.testing.assert_array_equal(y, y_before)  # NaN positions included
    getattr(est, case.method)(X)
    _assert_same(_state(X), X_before)


def test_gnn_fit_returns_self_keeps_params(gnn):
    """Same for the ensemble fit: its ``estimator`` is cloned, never fitted in place."""
    ens = gnn["ens"]
    assert gnn["returned"] is ens
    assert pickle.dumps(ens.get_params(deep=True)) == gnn["params_before"]
    with pytest.raises(NotFittedError):
        check_is_fitted(ens.estimator)
    assert all(m is not ens.estimator for m in ens.estimators_)
    pd.testing.assert_frame_equal(gnn["X"], gnn["X_before"])
    np.testing.assert_array_equal(gnn["y"], gnn["y_before"])


def _assert_only_underscore_attrs_added(public_before: dict, est: Any) -> None:
    after = {k: v for k, v in vars(est).items() if not k.startswith("_")}
    added = set(after) - set(public_before)
    assert all(k.endswith("_") for k in added), sorted(k for k in added if not k.endswith("_"))
    for k, v in public_before.items():
        assert after[k] is v, f"fit replaced public attribute {k!r}"


@pytest.mark.parametrize("case", _case_params(FIT_CASES, "fit_sets_only_underscore_attrs"))
def test_fit_sets_only_underscore_attrs(case):
    """check_dont_overwrite_parameters with real input: fit adds only ``*_`` attributes."""
    est = case.make()
    public_before = {k: v for k, v in vars(est).items() if not k.startswith("_")}
    est.fit(case.make_X(), tiny()[1])
    _assert_only_underscore_attrs_added(public_before, est)


def test_gnn_fit_sets_only_underscore_attrs(gnn):
    _assert_only_underscore_attrs_added(gnn["public_before"], gnn["ens"])


# ---- fitted state -----------------------------------------------------------------------
_NOT_FITTED_CASES = [
    *FIT_CASES,
    Case("MetalComplexRegressor", lambda: MetalComplexRegressor(**SMALL), None, "predict"),
    Case("ComplexPipeline", lambda: default_pipeline(**SMALL), lambda: tiny()[0], "predict"),
    Case(
        "EnsembleRegressor",
        lambda: EnsembleRegressor(default_pipeline(**SMALL), n_members=2),
        lambda: tiny()[0],
        "predict",
    ),
]


def _star_graphs() -> list:
    return LigandCountExpander().fit_transform(_site_graphs(), tiny()[1])


@pytest.mark.parametrize(
    "case", _case_params(_NOT_FITTED_CASES, "not_fitted_before_fit", raises=AttributeError)
)
def test_not_fitted_before_fit(case):
    """check_estimators_unfitted / check_transformers_unfitted with the estimator's own input."""
    est = case.make()
    X = case.make_X() if case.make_X is not None else _star_graphs()
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    with pytest.raises(NotFittedError):
        getattr(est, case.method)(X)
    if hasattr(est, "score"):
        with pytest.raises(NotFittedError):
            est.score(X, tiny()[1])


@pytest.mark.parametrize("case", _case_params(FIT_CASES, "check_is_fitted_after_fit"))
def test_check_is_fitted_after_fit(case):
    """check_fit_check_is_fitted: unfitted -> NotFittedError; fitted -> passes; clone unfits."""
    est = case.make()
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    fitted, _ = _fit(case)
    check_is_fitted(fitted)
    with pytest.raises(NotFittedError):
        check_is_fitted(clone(fitted))


@pytest.mark.parametrize("which", _GNN_FITTED)
def test_gnn_check_is_fitted_after_fit(gnn, which):
    est, _ = _gnn_fitted(gnn, which)
    check_is_fitted(est)
    with pytest.raises(NotFittedError):
        check_is_fitted(clone(est))


# ---- fitted behaviour -----------------------------------------------------------------
def _fitted_params() -> list:
    return [
        *(pytest.param(c, id=c.name) for c in FIT_CASES),
        *(pytest.param(w, id=f"gnn-{w}") for w in _GNN_FITTED),
    ]


def _fitted(case_or_which: Any, request: pytest.FixtureRequest) -> tuple[Any, Any, str]:
    """(fitted estimator, its input, output method) for a Case or a GNN name."""
    if isinstance(case_or_which, Case):
        est, X = _fit(case_or_which)
        return est, X, case_or_which.method
    est, X = _gnn_fitted(request.getfixturevalue("gnn"), case_or_which)
    return est, X, "predict"


@pytest.mark.parametrize("case", _fitted_params())
def test_pickle_round_trip(case, request):
    """check_estimators_pickle: the unpickled estimator gives identical output."""
    est, X, method = _fitted(case, request)
    again = pickle.loads(pickle.dumps(est))
    _assert_same(_out(again, method, X), _out(est, method, X))


@pytest.mark.parametrize("case", _fitted_params())
def test_subset_and_order_invariance(case, request):
    """check_methods_subset_invariance + check_methods_sample_order_invariance."""
    est, X, method = _fitted(case, request)
    full = _out(est, method, X)
    rtol = 1e-5 if not isinstance(case, Case) else 1e-7  # float32 network
    perm = [3, 0, 5, 1, 4, 2]
    got = _out(est, method, _take(X, perm))
    _assert_same(got, [full[i] for i in perm] if isinstance(full, list) else full[perm], rtol)
    got = _out(est, method, _take(X, [4, 1]))
    _assert_same(got, [full[4], full[1]] if isinstance(full, list) else full[[4, 1]], rtol)


@pytest.mark.parametrize("case", _fitted_params())
def test_predict_leaves_state_unchanged(case, request):
    """check_dict_unchanged: predict / transform never change the estimator."""
    est, X, method = _fitted(case, request)
    before = pickle.dumps(est.__dict__)
    getattr(est, method)(X)
    assert pickle.dumps(est.__dict__) == before


@pytest.mark.parametrize("case", _case_params(FIT_CASES, "fit_idempotent"))
def test_fit_idempotent(case):
    """check_fit_idempotent: refitting the same (seeded) estimator gives the same output."""
    est, X = _fit(case)
    first = _out(est, case.method, X)
    est.fit(X, tiny()[1])
    _assert_same(_out(est, case.method, X), first)


# ---- input and target handling ----------------------------------------------------------
_FRAME_CASES = [*_BASELINES, _TRANSFORMERS[0]]  # the estimators that take the DataFrame


@pytest.mark.parametrize("case", _case_params(_FRAME_CASES, "n_features_in_and_names"))
def test_n_features_in_and_names(case):
    """check_n_features_in / check_dataframe_column_names_consistency for DataFrame input.

    The columns are recorded as scikit-learn does; predict/transform select the columns by
    name, so (unlike scikit-learn) extra or reordered columns are accepted, not refused.
    """
    X, y = tiny()
    X = X.assign(temperature=[25.0, np.nan, 25.0, 37.0, 25.0, 25.0])
    est = case.make().fit(X, y)
    assert est.n_features_in_ == 3
    assert est.feature_names_in_.dtype == object
    np.testing.assert_array_equal(est.feature_names_in_, ["metal", "smiles", "temperature"])
    out = _out(est, case.method, X)
    _assert_same(_out(est, case.method, X[["temperature", "smiles", "metal"]]), out)


@pytest.mark.parametrize("case", _case_params(_NOT_FITTED_CASES, "fit_and_score_take_y"))
def test_fit_and_score_take_y(case):
    """check_fit_score_takes_y: ``y`` is the second argument of fit and score (Pipelines)."""
    est = case.make()
    for method in ("fit", "score", "fit_transform"):
        if hasattr(est, method):
            params = list(inspect.signature(getattr(est, method)).parameters)
            assert params[1] == "y", (method, params)


@pytest.mark.parametrize("case", _case_params(_BASELINES, "requires_y"))
def test_requires_y(case):
    """check_requires_y_none: fitting without y says that y is needed."""
    X, _ = tiny()
    with pytest.raises(ValueError, match="y is required"):
        case.make().fit(X, None)


def test_expander_requires_y_or_max_ligands():
    with pytest.raises(ValueError, match="needs y"):
        LigandCountExpander().fit(_site_graphs(), None)
    assert LigandCountExpander(max_ligands=3).fit(_site_graphs(), None).n_steps_ == 3


@pytest.mark.parametrize("case", _case_params(_BASELINES, "empty_input_is_refused"))
def test_empty_input_is_refused(case):
    """check_estimators_empty_data_messages with an empty DataFrame: a ValueError."""
    X, y = tiny()
    with pytest.raises(ValueError, match="no valid row"):
        case.make().fit(X.iloc[:0], y[:0])


@pytest.mark.parametrize("case", _case_params(_BASELINES, "one_column_y_same_as_1d_y"))
def test_one_column_y_same_as_1d_y(case):
    """check_supervised_y_2d, adapted: 1-D y is one step, same model as a (n, 1) y.

    Unlike scikit-learn, the prediction stays 2-D (n, 1): every model returns (n, N) by the
    data contract, so per-step code never has to special-case N = 1.
    """
    X, y = tiny()
    a = case.make().fit(X, y[:, 0]).predict(X)
    b = case.make().fit(X, y[:, :1]).predict(X)
    assert a.shape == (6, 1)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("case", _case_params(_BASELINES, "nan_targets_allowed_inf_refused"))
def test_nan_targets_allowed_inf_refused(case):
    """check_supervised_y_no_nan, inverted on purpose: NaN y = not measured; inf is refused."""
    X, y = tiny()
    assert np.isnan(y).sum() == 2
    assert np.isfinite(case.make().fit(X, y).predict(X)[:, 0]).all()
    with pytest.raises(ValueError, match="inf"):
        case.make().fit(X, np.where(np.isnan(y), np.inf, y))


def test_predict_shape_and_score():
    """check_regressor_multioutput + RegressorMixin.score: (n, N) output, masked R^2 score.

    Per-metal means on TINY: Cu (9, 17), Ni (6, 13), Zn (5, 11). beta_1 residuals are +-1
    (SS_res 6) around mean 20/3 (SS_tot 70/3); beta_2 residuals 2, -2, 0, 0 (SS_res 8), mean
    14.5 (SS_tot 35). Score = mean of the step R^2 = (1 - 18/70 + 1 - 8/35) / 2 = 53/70.
    """
    X, y = tiny()
    m = MetalMeanRegressor().fit(X, y)
    pred = m.predict(X)
    assert pred.shape == (6, 2) and pred.dtype == np.float64
    np.testing.assert_array_equal(pred[:, 0], [9, 9, 6, 6, 5, 5])
    assert m.score(X, y) == pytest.approx(53 / 70)
    for case in _BASELINES[:2]:
        assert case.make().fit(X, y).predict(X).shape == (6, 2)


def test_gnn_predict_shape_and_score(gnn):
    ens, member, model = gnn["ens"], gnn["member"], gnn["model"]
    X, y = tiny()
    assert ens.predict(X).shape == member.predict(X).shape == (6, 2)
    assert model.predict(gnn["stars"]).shape == (6, 2)
    assert ens.n_steps_ == model.n_steps_ == 2
    for est, inp in ((ens, X), (member, X), (model, gnn["stars"])):
        assert math.isfinite(est.score(inp, y))


# --------------------------------------------------------------------------------------
# part 4: the masked scorers
# --------------------------------------------------------------------------------------
class _ColumnMeanRegressor(RegressorMixin, BaseEstimator):
    """Numeric test double: predicts the training NaN-mean of every column of y."""

    def fit(self, X: Any, y: Any) -> _ColumnMeanRegressor:
        self.means_ = np.nanmean(np.asarray(y, dtype=float), axis=0)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.tile(self.means_, (len(X), 1))


def test_scorer_signs():
    """Errors are negated (greater is better), R^2 is not; names follow scikit-learn."""
    assert len(SCORERS) == 3 * 2 * 5
    for name, scorer in SCORERS.items():
        assert scorer._sign == (1 if name.startswith("r2_") else -1), name
        assert name.startswith("neg_") == (scorer._sign == -1), name
        assert scorer._response_method == "predict"
    for metric, sign in (("rmse", -1), ("mae", -1), ("r2", 1)):
        assert make_masked_scorer(metric)._sign == sign


def test_scorers_pickle_and_pass_check_scoring():
    X = np.arange(4.0).reshape(-1, 1)
    y = np.array([[1.0, np.nan], [3.0, 5.0], [6.0, 10.0], [9.0, np.nan]])
    est = _ColumnMeanRegressor().fit(X, y)
    for name in ("neg_rmse_beta", "neg_mae_logk", "r2_beta", "neg_rmse_beta2", "r2_logk1"):
        scorer = SCORERS[name]
        again = pickle.loads(pickle.dumps(scorer))
        assert again._sign == scorer._sign and repr(again) == repr(scorer)
        assert again(est, X, y) == scorer(est, X, y)
        assert check_scoring(est, scoring=scorer) is scorer


def test_scorers_in_cross_validate_with_nan_targets():
    """KFold(2) on the column-mean double, hand-computed.

    Fold 1 tests rows 0, 1 with train means (7.5, 10): errors 6.5, 4.5 | 5 -> MSE 87.5/3.
    Fold 2 tests rows 2, 3 with train means (2, 5): errors 4, 7 | 5 -> MSE 90/3; its measured
    values 6, 10, 9 have mean 25/3 and SS_tot 26/3, so R^2 = 1 - 90/(26/3).
    """
    X = np.arange(4.0).reshape(-1, 1)
    y = np.array([[1.0, np.nan], [3.0, 5.0], [6.0, 10.0], [9.0, np.nan]])
    names = ("neg_rmse_beta", "neg_mae_beta", "neg_rmse_beta2", "r2_beta")
    res = cross_validate(
        _ColumnMeanRegressor(),
        X,
        y,
        cv=KFold(2),
        scoring={n: SCORERS[n] for n in names},
        error_score="raise",
    )
    np.testing.assert_allclose(res["test_neg_rmse_beta"], [-math.sqrt(87.5 / 3), -math.sqrt(30)])
    np.testing.assert_allclose(res["test_neg_mae_beta"], [-16 / 3, -16 / 3])
    np.testing.assert_allclose(res["test_neg_rmse_beta2"], [-5.0, -5.0])
    # fold 1: values 1, 3, 5 (mean 3, SS_tot 8), SS_res 87.5
    np.testing.assert_allclose(res["test_r2_beta"], [1 - 87.5 / 8, 1 - 90 / (26 / 3)])


def test_scorers_in_cross_validate_with_a_real_estimator():
    """MetalMeanRegressor on TINY, one metal left out per fold (unseen metal -> global mean).

    Test Cu: train means (5.5, 12), errors 4.5, 2.5 | 7, 3.
    Test Ni: train means (7, 15), errors 0, -2 | -2.
    Test Zn: train means (7.5, 47/3), errors -1.5, -3.5 | -14/3.
    """
    X, y = tiny()
    res = cross_validate(
        MetalMeanRegressor(),
        X,
        y,
        groups=X["metal"],
        cv=LeaveOneGroupOut(),
        scoring={n: SCORERS[n] for n in ("neg_rmse_beta1", "neg_rmse_beta2", "neg_mae_beta")},
        error_score="raise",
    )
    np.testing.assert_allclose(
        res["test_neg_rmse_beta1"], [-math.sqrt(13.25), -math.sqrt(2.0), -math.sqrt(7.25)]
    )
    np.testing.assert_allclose(res["test_neg_rmse_beta2"], [-math.sqrt(29.0), -2.0, -14 / 3])
    np.testing.assert_allclose(
        res["test_neg_mae_beta"], [-17 / 4, -4 / 3, -(1.5 + 3.5 + 14 / 3) / 3]
    )
