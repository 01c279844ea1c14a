"""``skmetalpka screen``: the command over skmetalpka.scale.screen."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from scale_helpers import save_mean_model

from skmetalpka.cli import main


def _ligands(tmp_path):
    p = tmp_path / "ligands.parquet"
    pd.DataFrame(
        {
            "name": ["en", "gly", "oxalate", "broken"],
            "smiles": ["NCCN", "NCC(=O)O", "OC(=O)C(=O)O", "C1CC"],
        }
    ).to_parquet(p)
    return p


def test_screen_with_the_packaged_model_on_a_running_scheduler(
    dask_threads_client, tmp_path, capsys
):
    lig = _ligands(tmp_path)
    out = tmp_path / "out"
    args = [
        "screen",
        "--ligands",
        str(lig),
        "--metals",
        "Cu2+,Zn2+",
        "--out",
        str(out),
        "--scheduler",
        dask_threads_client.scheduler.address,
        "--ph",
        "7",
        "--csv",
        "--top-k",
        "2",
        "--selectivity",
        "Cu2+,Zn2+",
        "--partition-size",
        "3",
    ]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "8 pairs (4 ligands x 2 metals) in 2 partitions: 2 computed, 0 already done" in printed
    assert "2 rows with an error" in printed
    table = pd.read_parquet(out / "pairs")
    assert len(table) == 8 and not table.duplicated(["ligand_index", "metal"]).any()
    assert (
        table["ligand_id"].tolist()
        == ["en", "en", "gly", "gly", "oxalate", "oxalate"] + ["broken"] * 2
    )
    ok = table["error"] == ""
    assert ok.tolist() == [True] * 6 + [False] * 2
    assert (table.loc[ok, "log_beta_1_std"] > 0).all()  # the packaged ensemble's spread
    cond = table.loc[ok, "conditional_log_beta_1_pH7"]
    assert (cond < table.loc[ok, "log_beta_1"]).all()  # protonation competes at pH 7
    csv = pd.read_csv(out / "pairs.csv")
    assert len(csv) == 8
    top = pd.read_csv(out / "top_k.csv")
    assert top["metal"].tolist() == ["Cu2+", "Cu2+", "Zn2+", "Zn2+"]
    sel = pd.read_csv(out / "selectivity_Cu2+_over_Zn2+.csv")
    assert len(sel) == 2 and sel["selectivity"].is_monotonic_decreasing

    # the same command again: everything is there already
    assert main(args) == 0
    assert "0 computed, 2 already done" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra, code, message",
    [
        (["--metals", "Cu2+,Qq2+"], 2, "'Qq' is not an element symbol"),
        (["--metals", "Cu2+", "--workers", "0"], 2, "--workers must be at least 1"),
        (["--metals", "Cu2+,Ni2+", "--selectivity", "Cu2+"], 2, "two metals A,B"),
        (["--metals", "Cu2+", "--ph", "7"], 1, "not trained on H\\+ rows"),
    ],
)
def test_screen_refusals(tmp_path, capsys, extra, code, message):
    model = save_mean_model(tmp_path / "mean.skmodel")
    lig = _ligands(tmp_path)
    argv = ["screen", "--ligands", str(lig), "--out", str(tmp_path / "o"), "--model", str(model)]
    argv.append("--trust-pickle")
    assert main(argv + extra) == code
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("skmetalpka screen: error:")
    assert re.search(message, last)
