"""Tests for skmetalpka.plots (Agg canvas, figures saved to tmp_path)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skmetalpka.metrics import per_step_report
from skmetalpka.plots import (
    parity_plot,
    per_group_bar,
    per_step_bar,
    residual_hist,
    save_figure,
)

nan = np.nan
Y_TRUE = np.array([[10.0, 18.0, nan], [5.0, nan, nan], [8.0, 14.0, 19.0], [6.0, 11.0, nan]])
Y_PRED = np.array([[11.0, 17.0, 25.0], [5.0, 7.0, 1.0], [8.0, 16.0, 19.0], [6.5, 11.0, 13.0]])
METALS = np.array(["Cu2+", "Zn2+", "Cu2+", "Ni2+"])
# beta errors: 1, -1 | 0 | 0, 2, 0 | 0.5, 0 -> SS_res = 6.25 over 8 entries


def _png_ok(path):
    data = path.read_bytes()
    return len(data) > 1000 and data[:8] == b"\x89PNG\r\n\x1a\n"


def test_parity_plot_groups_labels_and_annotation(tmp_path):
    from matplotlib.figure import Figure

    fig = parity_plot(Y_TRUE, Y_PRED, groups=METALS, title="test")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "measured log β_n"
    assert ax.get_ylabel() == "predicted log β_n"
    assert ax.get_title() == "test"
    assert len(ax.collections) == 3  # one scatter per metal
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Cu2+ (5)", "Ni2+ (2)", "Zn2+ (1)"]
    assert len(ax.lines) == 1  # y = x
    xs, ys = ax.lines[0].get_data()
    np.testing.assert_allclose(xs, ys)
    text = ax.texts[0].get_text()
    assert f"RMSE = {math.sqrt(6.25 / 8):.2f}" in text
    assert "R² = " in text and "n = 8" in text
    n_points = sum(len(c.get_offsets()) for c in ax.collections)
    assert n_points == 8
    out = save_figure(fig, tmp_path / "sub" / "parity.png")
    assert out.is_file() and _png_ok(out)


def test_parity_plot_one_step_into_given_axes(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    got = parity_plot(Y_TRUE, Y_PRED, step=2, kind="logk", ax=ax)
    assert got is fig
    assert ax.get_xlabel() == "measured log K_2"
    # logk step 2 measured for rows 0, 2, 3 (true 8, 6, 5; pred 6, 8, 4.5)
    assert len(ax.collections[0].get_offsets()) == 3
    assert ax.get_legend() is None
    assert _png_ok(save_figure(fig, tmp_path / "p2.png"))


def test_parity_plot_missing_predictions():
    pred = Y_PRED.copy()
    pred[2, 1] = nan
    with pytest.raises(ValueError, match="missing_pred"):
        parity_plot(Y_TRUE, pred)
    fig = parity_plot(Y_TRUE, pred, missing_pred="ignore")
    ax = fig.axes[0]
    assert len(ax.collections[0].get_offsets()) == 7
    assert "1 missing prediction(s) excluded" in ax.texts[0].get_text()
    with pytest.raises(ValueError, match="one label per row"):
        parity_plot(Y_TRUE, Y_PRED, groups=METALS[:3])


def test_per_step_bar(tmp_path):
    reports = {
        "model A": per_step_report(Y_TRUE, Y_PRED),
        "truth": per_step_report(Y_TRUE, Y_TRUE),
    }
    fig = per_step_bar(reports)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "step n (log β_n)"
    assert ax.get_ylabel() == "RMSE (log units)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    assert len(ax.patches) == 6  # 2 models x 3 steps
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["model A", "truth"]
    heights = [p.get_height() for p in ax.patches[:3]]
    # model A: step 1 errors 1, 0, 0, 0.5; step 2: -1, 2, 0; step 3: 0
    np.testing.assert_allclose(heights, [math.sqrt(1.25 / 4), math.sqrt(5 / 3), 0.0])
    assert _png_ok(save_figure(fig, tmp_path / "steps.png"))
    with pytest.raises(ValueError, match="empty"):
        per_step_bar({})


def test_per_group_bar(tmp_path):
    preds = {"A": Y_PRED, "B": Y_PRED + 1.0}
    fig = per_group_bar(Y_TRUE, preds, METALS)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "RMSE (log units)"
    assert ax.get_xlabel() == "metal ion"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Cu2+\n(5)", "Ni2+\n(2)", "Zn2+\n(1)"]
    assert len(ax.patches) == 6
    # model A per metal: Cu errors 1, -1, 0, 2, 0 -> sqrt(6/5); Ni 0.5, 0 -> sqrt(0.125); Zn 0
    np.testing.assert_allclose(
        [p.get_height() for p in ax.patches[:3]], [math.sqrt(1.2), math.sqrt(0.125), 0.0]
    )
    assert ax.patches[5].get_height() == pytest.approx(1.0)  # B on Zn2+: error +1
    assert _png_ok(save_figure(fig, tmp_path / "groups.png"))


def test_residual_hist(tmp_path):
    fig = residual_hist(Y_TRUE, Y_PRED, bins=5)
    ax = fig.axes[0]
    assert len(ax.patches) == 5
    assert sum(p.get_height() for p in ax.patches) == 8
    assert ax.get_ylabel() == "count"
    assert "predicted − measured" in ax.get_xlabel()
    assert "bias = +0.31" in ax.texts[0].get_text()  # 2.5 / 8
    fig1 = residual_hist(Y_TRUE, Y_PRED, step=1, bins=4)
    assert sum(p.get_height() for p in fig1.axes[0].patches) == 4
    assert _png_ok(save_figure(fig, tmp_path / "resid.png"))


def test_save_figure_requires_suffix(tmp_path):
    fig = residual_hist(Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match="suffix"):
        save_figure(fig, tmp_path / "noext")
    pdf = save_figure(fig, tmp_path / "r.pdf")
    assert pdf.read_bytes()[:4] == b"%PDF"


def test_plots_do_not_touch_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    parity_plot(Y_TRUE, Y_PRED, groups=METALS)
    per_step_bar({"a": per_step_report(Y_TRUE, Y_PRED)})
    assert plt.get_fignums() == before
