"""Screen inputs: ligand tables (CSV, Parquet) and metal lists."""

from __future__ import annotations

import pandas as pd
import pytest

from skmetalpka.exceptions import InputError
from skmetalpka.scale import iter_ligands, parse_metals, read_metals_file


def test_csv_ligands_keep_every_row_with_index_and_id(tmp_path):
    p = tmp_path / "lig.csv"
    p.write_text("Name,SMILES,other\nen,NCCN,x\ngly,NCC(=O)O,y\nbad,C1CC,z\nempty,,w\nen2,NCCN,v\n")
    chunks = list(iter_ligands(p, chunksize=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    table = pd.concat(chunks, ignore_index=True)
    assert list(table.columns) == ["ligand_index", "ligand_id", "smiles"]
    assert table["ligand_index"].tolist() == [0, 1, 2, 3, 4]
    assert table["ligand_id"].tolist() == ["en", "gly", "bad", "empty", "en2"]
    assert table["smiles"].tolist() == ["NCCN", "NCC(=O)O", "C1CC", "", "NCCN"]


def test_parquet_ligands_and_id_preference(tmp_path):
    p = tmp_path / "lig.parquet"
    pd.DataFrame(
        {"name": ["a", "b", "c"], "ID": [7, 8, 9], "smiles": ["NCCN", None, "CCO"]}
    ).to_parquet(p)
    table = pd.concat(iter_ligands(p, chunksize=2), ignore_index=True)
    assert table["ligand_id"].tolist() == ["7", "8", "9"]  # 'id' wins over 'name'
    assert table["smiles"].tolist() == ["NCCN", "", "CCO"]
    assert table["ligand_index"].tolist() == [0, 1, 2]


def test_ligand_table_without_id_or_smiles(tmp_path):
    p = tmp_path / "lig.csv"
    p.write_text("smiles\nNCCN\n")
    (chunk,) = iter_ligands(p)
    assert list(chunk.columns) == ["ligand_index", "smiles"]
    q = tmp_path / "nosmiles.csv"
    q.write_text("ligand,metal\nNCCN,Cu2+\n")
    with pytest.raises(InputError, match="no 'smiles' column"):
        list(iter_ligands(q))
    with pytest.raises(InputError, match="no file"):
        list(iter_ligands(tmp_path / "missing.csv"))
    bad = tmp_path / "broken.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        list(iter_ligands(bad))


def test_parse_metals():
    assert parse_metals(" Cu2+, Ni(II) ,Fe3+") == ["Cu2+", "Ni(II)", "Fe3+"]
    assert parse_metals(["Zn2+"]) == ["Zn2+"]
    with pytest.raises(InputError, match="given twice"):
        parse_metals("Cu2+,Cu(II)")
    with pytest.raises(InputError, match="'Xx' is not an element symbol"):
        parse_metals("Cu2+,Xx2+")
    with pytest.raises(InputError, match="no metal"):
        parse_metals(" , ")


def test_read_metals_file(tmp_path):
    p = tmp_path / "metals.txt"
    p.write_text("metal\nCu2+  # copper\nNi2+,Zn2+\n\n")
    assert read_metals_file(p) == ["Cu2+", "Ni2+", "Zn2+"]
    with pytest.raises(InputError, match="could not be read"):
        read_metals_file(tmp_path / "missing.txt")
