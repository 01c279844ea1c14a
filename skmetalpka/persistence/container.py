"""The model file: a zip archive of the JSON model document and its arrays (safetensors).

A ``.skmodel`` file is a standard zip archive (deflate compression) with exactly two members:

``model.json``
    The model document (:mod:`.codec`): format, format version, metadata and the estimator's
    parameters and fitted state, arrays named by reference.
``arrays.safetensors``
    Every array of the model (weights, scalers, tree nodes, Gaussian-process factors ...) in
    the safetensors layout (https://huggingface.co/docs/safetensors): a JSON index of dtypes,
    shapes and byte ranges, then raw bytes.

Reading it parses JSON and copies bytes into numpy arrays; nothing in it is executed. The zip
layer adds compression (about 10 % on float16 weights) and a CRC-32 per member, so a damaged
file is detected rather than loaded with wrong weights. ``unzip -p model.skmodel model.json``
shows the document.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from .codec import FormatError

__all__ = [
    "write_file",
    "read_file",
    "sniff",
    "NewerFormatError",
    "MODEL_FORMAT",
    "FORMAT_VERSION",
    "DOCUMENT",
    "ARRAYS",
]

#: ``format`` of every skmetalpka model file.
MODEL_FORMAT = "skmetalpka-model"
#: Version of the file layout written by this code (1 was the joblib pickle of skmetalpka 0.1).
FORMAT_VERSION = 2
#: Names of the two members of the archive.
DOCUMENT, ARRAYS = "model.json", "arrays.safetensors"
_MAX_DOCUMENT = 100_000_000  # bytes of model.json (uncompressed)
_MAX_ARRAYS = 16 * 2**30  # bytes of arrays.safetensors (uncompressed)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member times: the same model gives the same bytes

# first bytes of pickles and of the compressed files joblib writes
_PICKLE_HEADS = (
    b"\x80",  # pickle protocol 2+
    b"\x78",  # zlib
    b"\x1f\x8b",  # gzip
    b"BZh",  # bz2
    b"\xfd7zXZ",  # xz
    b"\x5d\x00\x00",  # lzma
    b"\x04\x22\x4d\x18",  # lz4
    b"ZF",  # joblib's old zlib container
)


class NewerFormatError(FormatError):
    """A model file written by a newer format version."""


def sniff(path: Path) -> str:
    """``"skmodel"`` (a zip archive), ``"pickle"`` or ``"unknown"``, from the first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "skmodel"
    if head.startswith(_PICKLE_HEADS):
        return "pickle"
    return "unknown"


def write_file(
    path: str | os.PathLike[str], document: dict[str, Any], arrays: dict[str, np.ndarray]
) -> None:
    """Write ``document`` and ``arrays`` as a model file, atomically.

    Raises
    ------
    OSError
        When the file cannot be written.
    """
    from safetensors.numpy import save

    from .._files import atomic_open

    text = json.dumps(document, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    blob = save(arrays, metadata={"format": MODEL_FORMAT, "format_version": str(FORMAT_VERSION)})
    with atomic_open(path, "wb") as fh, zipfile.ZipFile(fh, "w") as archive:
        for name, data in ((DOCUMENT, text.encode("utf-8")), (ARRAYS, blob)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)


def read_file(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The model document and the arrays of a model file.

    Raises
    ------
    FormatError
        The file is not a complete skmetalpka model file (truncated, damaged, other members),
        or it was written by a newer format version (:class:`NewerFormatError`).
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load

    try:
        with zipfile.ZipFile(path) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            if sorted(infos) != sorted((DOCUMENT, ARRAYS)) or len(archive.infolist()) != 2:
                raise FormatError(
                    f"a model file holds exactly {DOCUMENT} and {ARRAYS}, this one "
                    f"{sorted(infos)[:5]}"
                )
            if infos[DOCUMENT].file_size > _MAX_DOCUMENT or infos[ARRAYS].file_size > _MAX_ARRAYS:
                raise FormatError("a member of the archive is too large")
            text = archive.read(DOCUMENT)
            document = _parse_document(text)
            blob = archive.read(ARRAYS)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
    ) as exc:
        raise FormatError(f"not a complete zip archive: {_first(exc)}") from exc
    try:
        arrays = load(blob)
    except SafetensorError as exc:
        raise FormatError(f"{ARRAYS}: {_first(exc)}") from exc
    return document, arrays


def _parse_document(raw: bytes) -> dict[str, Any]:
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"{DOCUMENT} is not valid JSON ({_first(exc)})") from exc
    if not isinstance(document, dict):
        raise FormatError(f"{DOCUMENT} is not a JSON object")
    if document.get("format") != MODEL_FORMAT:
        raise FormatError(f"{DOCUMENT} is not a skmetalpka model document")
    _check_version(document.get("format_version"))
    return document


def _check_version(version: Any) -> None:
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormatError(f"invalid format version {version!r}")
    if version > FORMAT_VERSION:
        raise NewerFormatError(
            f"has format version {version}, newer than this skmetalpka reads "
            f"({FORMAT_VERSION}); upgrade skmetalpka (pip install -U skmetalpka)"
        )
    if version < FORMAT_VERSION:
        raise FormatError(f"format version {version} is not a zip model file")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _first(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
