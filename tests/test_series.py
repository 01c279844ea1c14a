"""SeriesInterpolationRegressor: log beta_1 interpolated along the lanthanide series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from skmetalpka.baselines import METAL_SERIES, SeriesInterpolationRegressor
from skmetalpka.model import BlendRegressor
from skmetalpka.pipelines import build_model, default_recipe, make_model
from skmetalpka.pipelines.recipes import BLEND_WEIGHTS

GLY = "NCC(=O)O"  # glycine
IDA = "OC(=O)CNCC(=O)O"  # iminodiacetic acid


def frame(metals, smiles):
    if isinstance(smiles, str):
        smiles = [smiles] * len(metals)
    return pd.DataFrame({"metal": list(metals), "smiles": list(smiles)})


def line(z):
    """A ligand whose log K1 rises by 0.1 per element from La (Z=57): 3.0 at La."""
    return 3.0 + 0.1 * (np.asarray(z, dtype=float) - 57)


# La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu = 57..71
Z = {m: 57 + k for k, m in enumerate(METAL_SERIES["lanthanides"])}


def fitted(metals=("La3+", "Ce3+", "Nd3+", "Sm3+", "Gd3+", "Dy3+", "Er3+"), **params):
    X = frame(metals, IDA)
    y = line([Z[m] for m in metals]).reshape(-1, 1)
    return SeriesInterpolationRegressor(**params).fit(X, y)


def test_series_are_ordered_trivalent_ions():
    ln = METAL_SERIES["lanthanides"]
    assert ln[0] == "La3+" and ln[-1] == "Lu3+" and len(ln) == 15
    assert "Y3+" not in ln and "Sc3+" not in ln
    assert METAL_SERIES["actinides"][0] == "Ac3+" and "Am3+" in METAL_SERIES["actinides"]


def test_interpolates_a_linear_series_exactly():
    m = fitted()
    query = frame(["Pr3+", "Eu3+", "Tb3+", "Ho3+", "Tm3+"], IDA)
    pred = m.predict(query)
    assert pred.shape == (5, 1)
    np.testing.assert_allclose(pred[:, 0], line([59, 63, 65, 67, 69]))


def test_hand_checked_line_through_nearest_neighbours():
    # Pr3+ (59) from La 2.2, Ce 2.3, Nd 2.5, Sm 2.6 (4 nearest, n_neighbors=4):
    # least squares on z = -2, -1, 1, 3 -> intercept 2.3797 (checked by hand)
    X = frame(["La3+", "Ce3+", "Nd3+", "Sm3+", "Lu3+"], GLY)
    y = np.array([2.2, 2.3, 2.5, 2.6, 9.0])
    m = SeriesInterpolationRegressor(n_neighbors=4).fit(X, y)
    z = np.array([-2.0, -1.0, 1.0, 3.0])
    v = np.array([2.2, 2.3, 2.5, 2.6])
    slope = np.sum((z - z.mean()) * (v - v.mean())) / np.sum((z - z.mean()) ** 2)
    expected = v.mean() - slope * z.mean()
    assert m.predict(frame(["Pr3+"], GLY))[0, 0] == pytest.approx(expected)
    assert expected == pytest.approx(2.3797, abs=1e-4)  # Lu3+ (far away) was not used


def test_own_metal_left_out_and_repeats_combined_by_median():
    X = frame(["La3+", "Ce3+", "Ce3+", "Ce3+", "Pr3+", "Nd3+"], IDA)
    y = np.array([3.0, 3.6, 3.6, 9.0, 3.2, 3.3])  # Ce off the line, one wild repeat
    m = SeriesInterpolationRegressor().fit(X, y)
    # Ce is predicted from La, Pr, Nd only (a line through them), not from its own values
    assert m.predict(frame(["Ce3+"], IDA))[0, 0] == pytest.approx(3.1)
    # the Ce median (3.6), not the mean (5.4), is what its neighbours see
    assert m.values_[next(iter(m.values_))][1] == pytest.approx(3.6)


def test_ligand_matched_by_identity_not_spelling():
    m = fitted()
    # the dianion and a sodium salt are the same ligand as the neutral acid
    spellings = ["[O-]C(=O)CNCC([O-])=O", "[Na+].[Na+].[O-]C(=O)CNCC([O-])=O", "N(CC(O)=O)CC(O)=O"]
    pred = m.predict(frame(["Pr3+"] * 3, spellings))
    np.testing.assert_allclose(pred[:, 0], line([59] * 3))


def test_nan_where_nothing_to_interpolate():
    m = fitted(metals=("La3+", "Ce3+", "Nd3+"), profile=False)
    query = frame(
        ["Cu2+", "Y3+", "Pr3+", "Pr3+", "Am3+", "Lu3+"],
        [IDA, IDA, GLY, IDA, IDA, IDA],
    )
    pred = m.predict(query)[:, 0]
    # not a series metal; Y3+ is not a lanthanide; unseen ligand; Am3+ is in another series;
    # Lu3+ is 11 elements from the nearest measured one (max_distance=3)
    assert np.isnan(pred[[0, 1, 2, 4, 5]]).all()
    assert pred[3] == pytest.approx(line(59))
    # too few points: Pr has only La and Nd once Ce is dropped from the data
    m2 = fitted(metals=("La3+", "Nd3+"), profile=False)
    assert np.isnan(m2.predict(frame(["Pr3+"], IDA))).all()
    m3 = fitted(metals=("La3+", "Nd3+"), min_points=2, n_neighbors=2, profile=False)
    assert m3.predict(frame(["Pr3+"], IDA))[0, 0] == pytest.approx(line(59))


def test_profile_answers_where_the_line_cannot():
    # one ligand measured across the series gives the profile; others are shifted through it
    metals = ["La3+", "Ce3+", "Nd3+", "Sm3+", "Gd3+", "Y3+", "Nd3+", "Y3+"]
    smiles = [IDA] * 6 + [GLY, "OCC(=O)O"]
    values = [*line([57, 58, 60, 62, 64]), line(67) + 0.2, line(60) - 1.0, 5.0]
    m = SeriesInterpolationRegressor().fit(frame(metals, smiles), np.array(values))
    # offsets: 0.1 per element (mean 0 over the lanthanides measured), Y3+ 0.2 above Ho3+
    assert m.profile_["Ce3+"] - m.profile_["La3+"] == pytest.approx(0.1)
    assert m.profile_["Y3+"] - m.profile_["Gd3+"] == pytest.approx(0.5)
    assert "Pr3+" not in m.profile_ and "Y3+" in m.anchors_[0]
    pred = m.predict(
        frame(["Pr3+", "Lu3+", "Gd3+", "Y3+", "Cu2+"], [GLY, IDA, "OCC(=O)O", GLY, GLY])
    )
    # glycine, measured with Nd3+ alone: its Nd value shifted along the profile to Pr3+
    assert pred[0, 0] == pytest.approx(line(59) - 1.0)
    # IDA at Lu3+, 7 elements past Gd3+ (max_distance=3): the profile extrapolated in Z
    assert pred[1, 0] == pytest.approx(line(71))
    # glycolic acid, measured with Y3+ alone: 5.0 - (offset Y3+ - offset Gd3+)
    assert pred[2, 0] == pytest.approx(4.5)
    # Y3+ and Cu2+ are in no series
    assert np.isnan(pred[3:, 0]).all()
    assert m.interpolates(frame(["Pr3+", "Cu2+"], GLY)).tolist() == [True, False]
    off = clone(m).set_params(profile=False).fit(frame(metals, smiles), np.array(values))
    assert off.profile_ == {}
    assert np.isnan(off.predict(frame(["Pr3+", "Lu3+"], [GLY, IDA]))[:, 0]).all()
    # a model from before the profile (no anchors_/profile_) answers as profile=False did
    old = clone(off).fit(frame(metals[:5], smiles[:5]), np.array(values[:5]))
    del old.anchors_, old.profile_
    n_series_ions = sum(len(s) for s in old.series_)  # values_ then had no anchor columns
    old.values_ = {k: v[:n_series_ions] for k, v in old.values_.items()}
    series_ions = {i for s in old.series_ for i in s}
    old.atomic_numbers_ = {k: v for k, v in old.atomic_numbers_.items() if k in series_ions}
    assert np.isnan(old.predict(frame(["Lu3+"], IDA))[0, 0])


def test_profile_saved_and_loaded(tmp_path):
    from skmetalpka.persistence import load_model, save_model

    metals = ["La3+", "Ce3+", "Nd3+", "Sm3+", "Y3+", "Nd3+"]
    smiles = [IDA] * 5 + [GLY]
    m = SeriesInterpolationRegressor().fit(frame(metals, smiles), np.arange(6.0))
    save_model(m, tmp_path / "s.skmodel", model="series", trained_on="test")
    back = load_model(tmp_path / "s.skmodel")
    assert back.profile_ == pytest.approx(m.profile_) and back.anchors_ == m.anchors_
    query = frame(["Pr3+", "Gd3+", "Lu3+"], [GLY, GLY, IDA])
    np.testing.assert_array_equal(back.predict(query), m.predict(query))


def test_max_distance_none_allows_extrapolation():
    m = fitted(metals=("La3+", "Ce3+", "Pr3+"), max_distance=None)
    assert m.predict(frame(["Lu3+"], IDA))[0, 0] == pytest.approx(line(71))


def test_only_log_beta_1_is_answered():
    X = frame(["La3+", "Ce3+", "Nd3+", "Sm3+"], IDA)
    y = np.column_stack([line([57, 58, 60, 62]), line([57, 58, 60, 62]) * 2])
    m = SeriesInterpolationRegressor().fit(X, y)
    pred = m.predict(frame(["Pr3+"], IDA))
    assert pred.shape == (1, 2) and np.isnan(pred[0, 1]) and np.isfinite(pred[0, 0])
    assert m.n_steps_ == 2


def test_custom_series_and_actinides():
    X = frame(["Am3+", "Cm3+", "Cf3+", "La3+", "Ce3+", "Nd3+"], IDA)
    y = np.array([5.0, 5.2, 5.6, 1.0, 1.0, 1.0])
    m = SeriesInterpolationRegressor().fit(X, y)
    assert m.predict(frame(["Bk3+"], IDA))[0, 0] == pytest.approx(5.4)
    custom = SeriesInterpolationRegressor(series=[["Cm(III)", "Am3+", "Cf+3", "Bk3+"]]).fit(X, y)
    assert custom.series_ == [["Am3+", "Cm3+", "Bk3+", "Cf3+"]]
    assert custom.predict(frame(["Bk3+"], IDA))[0, 0] == pytest.approx(5.4)
    assert np.isnan(custom.predict(frame(["Pr3+"], IDA))[0, 0])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"n_neighbors": 1}, "n_neighbors must be an integer >= 2"),
        ({"min_points": 5, "n_neighbors": 4}, "cannot exceed n_neighbors"),
        ({"max_distance": 0}, "max_distance must be a positive integer"),
        ({"series": "lanthanides"}, "series must be a non-empty list"),
        ({"profile": "yes"}, "profile must be True or False"),
        ({"series": ["transition metals"]}, "unknown series 'transition metals'"),
        ({"series": [["Fe2+", "Fe3+"]]}, "two or more ions of one charge"),
        ({"series": ["lanthanides", ["La3+", "Ce3+"]]}, "in more than one series"),
    ],
)
def test_invalid_parameters_are_explained(params, message):
    X = frame(["La3+", "Ce3+"], IDA)
    with pytest.raises(ValueError, match=message):
        SeriesInterpolationRegressor(**params).fit(X, [1.0, 2.0])


def test_invalid_rows_raise_or_are_flagged():
    X = frame(["La3+", "Ce3+", "Nd3+", "Sm3+", "Pr3+"], [IDA] * 4 + ["not a smiles"])
    y = line([57, 58, 60, 62, 59])
    with pytest.raises(ValueError, match="invalid rows"):
        SeriesInterpolationRegressor().fit(X, y)
    with pytest.warns(UserWarning, match="1 invalid row"):
        m = SeriesInterpolationRegressor(on_error="flag").fit(X, y)
    assert m.n_invalid_fit_ == 1
    pred = m.predict(X)
    assert np.isnan(pred[4, 0]) and np.isfinite(pred[:4, 0]).all()


def test_nan_targets_skipped_inf_refused():
    X = frame(["La3+", "Ce3+", "Nd3+", "Sm3+", "Pr3+"], IDA)
    y = np.array([[3.0, 5.0], [3.1, np.nan], [np.nan, 5.5], [3.5, np.nan], [3.2, 5.2]])
    m = SeriesInterpolationRegressor().fit(X, y)
    # Nd's log beta_1 was not measured: it is interpolated, not taken as 0 or dropped silently
    assert m.predict(frame(["Nd3+"], IDA))[0, 0] == pytest.approx(3.3)
    with pytest.raises(ValueError, match="inf"):
        SeriesInterpolationRegressor().fit(X, np.where(np.isnan(y), np.inf, y))


def test_clone_and_params():
    m = SeriesInterpolationRegressor(n_neighbors=4, series=("lanthanides",))
    c = clone(m)
    assert c.get_params() == m.get_params() and not hasattr(c, "values_")
    assert isinstance(build_model("series"), SeriesInterpolationRegressor)
    with pytest.raises(ValueError, match="valid parameters"):
        build_model("series", {"radius": 2})


def test_blend_member_answers_only_its_rows():
    """In a blend the series model averages in where it interpolates and is silent elsewhere,
    for a lanthanide the training rows lack too."""
    metals = ["La3+", "Ce3+", "Nd3+", "Sm3+", "Cu2+", "Ni2+"]
    X = frame(metals, IDA)
    y = np.array([3.0, 3.1, 3.3, 3.5, 10.0, 8.0])
    blend = make_model("mean", blend="series").fit(X, y)
    assert isinstance(blend, BlendRegressor)
    mean = blend.named_estimators_["mean"]
    query = frame(["Pr3+", "Cu2+", "Pr3+"], [IDA, IDA, GLY])
    pred = blend.predict(query)[:, 0]
    mean_pred = mean.predict(query)[:, 0]
    assert pred[0] == pytest.approx((3.2 + mean_pred[0]) / 2)  # Pr3+ is unseen by the mean
    assert pred[1] == pytest.approx(mean_pred[1])  # not a series metal
    assert pred[2] == pytest.approx(mean_pred[2])  # glycine was never measured


def test_default_recipe_blend_has_the_series_for_unseen_metals():
    recipe = default_recipe(blend=True, n_members=2, max_epochs=1)
    names = [n for n, _ in recipe.estimators]
    assert names == ["gnn", "gpr", "kriged_mean", "series"]
    # the series member keeps its weight for unseen metals (it is made for them)
    assert recipe.unseen_metal_weights == [1.0, 1.0, 0.0, BLEND_WEIGHTS["series"]]


def test_interpolates_flags_rows_and_never_raises():
    m = fitted()
    X = frame(["Pr3+", "Cu2+", "Pr3+", "Xx9+"], [IDA, IDA, GLY, IDA])
    np.testing.assert_array_equal(m.interpolates(X), [True, False, False, False])
    with pytest.raises(ValueError, match="invalid rows"):
        m.predict(X)  # on_error="raise": predict refuses the unknown metal


def test_prediction_warning_says_when_the_series_interpolated():
    from skmetalpka.inference import predict_frame

    metals = ["La3+", "Ce3+", "Nd3+", "Sm3+", "Cu2+", "Ni2+"]
    blend = make_model("mean", blend="series").fit(frame(metals, IDA), np.arange(6.0))
    X = frame(["Pr3+", "Pr3+", "Cu2+", "Zn2+"], [IDA, GLY, IDA, IDA])
    np.testing.assert_array_equal(blend.interpolates(X), [True, False, False, False])
    # a series member with weight 0 for unseen metals does not answer Pr3+ there
    muted = make_model("mean", blend="series", blend_unseen_metal_weights=[1.0, 0.0]).fit(
        frame(metals, IDA), np.arange(6.0)
    )
    assert not muted.interpolates(X).any()
    warn = predict_frame(blend, X)["warning"].tolist()
    assert "interpolated along its series" in warn[0]
    assert warn[1].endswith("predicted from its descriptors (extrapolation)")
    assert "interpolated" not in warn[1] and warn[2] == ""
    assert warn[3].startswith("metal Zn2+ was not in the training data")
