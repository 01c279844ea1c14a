"""Where skmetalpka keeps data files, and shared file helpers for the loaders."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

__all__ = ["get_data_home", "DATA_HOME_ENV"]

#: Environment variable that overrides the default data folder.
DATA_HOME_ENV = "SKMETALPKA_DATA_HOME"

_DEFAULT_HOME = "~/skmetalpka_data"


def get_data_home(data_home: str | os.PathLike[str] | None = None) -> Path:
    """Folder where skmetalpka looks for and stores data files.

    Parameters
    ----------
    data_home : str or path-like, optional
        Folder to use. When omitted, ``$SKMETALPKA_DATA_HOME`` is used if set, else
        ``~/skmetalpka_data``.

    Returns
    -------
    pathlib.Path
        The folder (``~`` expanded). It is not created here; functions that write into it
        (:func:`skmetalpka.datasets.fetch_nist46`) create it when needed.
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or _DEFAULT_HOME
    return Path(data_home).expanduser()


def resolve_data_file(
    path: str | os.PathLike[str] | None,
    names: Iterable[str],
    *,
    what: str,
    hint: str = "",
) -> Path:
    """Find a data file.

    Order: ``path`` (a file, or a folder holding one of ``names``), else the data home
    (``$SKMETALPKA_DATA_HOME`` if set, else ``~/skmetalpka_data``) holding one of ``names``.
    """
    names = list(names)
    if path is not None:
        p = Path(path).expanduser()
        if p.is_file():
            return p
        if p.is_dir():
            for name in names:
                if (p / name).is_file():
                    return p / name
            raise FileNotFoundError(
                f"the folder {str(p)!r} holds none of {names}; pass the file itself or a folder "
                f"that holds the {what}"
            )
        raise FileNotFoundError(f"{what}: no file or folder at {str(p)!r}")
    home = get_data_home()
    for name in names:
        if (home / name).is_file():
            return home / name
    env = os.environ.get(DATA_HOME_ENV)
    where = f"${DATA_HOME_ENV}={env!r}" if env else f"the default data home {str(home)!r}"
    raise FileNotFoundError(
        f"could not find the {what}: looked for {names} in {where}. Either (1) pass "
        f"path='/folder/or/{names[0]}', or (2) set {DATA_HOME_ENV} to the folder that holds "
        f"{names[0]}, or (3) {hint or 'put the file into ' + str(home)}"
    )


def read_csv_table(path: Path, required: Iterable[str], *, what: str) -> pd.DataFrame:
    """Read a CSV as strings (BOM and CRLF tolerated) and check the required columns."""
    try:
        df = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding="utf-8-sig", skipinitialspace=False
        )
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"{what} {str(path)!r} is empty") from exc
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what} {str(path)!r} lacks the required column(s) {missing}; it has "
            f"{list(df.columns)}. Check that this is the right file."
        )
    return df.reset_index(drop=True)
