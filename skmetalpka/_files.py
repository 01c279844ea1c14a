"""Files that people share: written atomically, with the permissions the user's umask gives.

Every output file of skmetalpka (predictions, reports, figures, exported parameters, model
files) goes through :func:`atomic_open` (or :func:`write_text` / :func:`write_bytes`): the data
goes into a temporary file next to the target, which is renamed over the target only when
everything was written. An interrupted or failed write therefore never leaves a truncated file,
and a reader never sees a half-written one.

The temporary file is created with mode ``0o666`` filtered by the process umask (what ``open``
gives any new file), not with ``0o600`` as :func:`tempfile.mkstemp` would: with the usual umask
022 an output is readable by the group and others, as users expect of a file they share.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "write_text", "write_bytes"]

_ATTEMPTS = 100


def _create_temporary(target: Path) -> tuple[int, Path]:
    """Create a new empty file next to ``target``; the umask sets its permissions."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file next to {str(target)!r}")


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open ``path`` for writing through a temporary file that replaces it on success.

    The folder of ``path`` is created. When the ``with`` block ends normally the data is
    flushed to disk and the temporary file is renamed over ``path`` (the rename is flushed
    too, where the platform allows); when it raises, the
    temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The file to write.
    mode : {"w", "wb"}, default="w"
        Text or binary.
    encoding : str, default="utf-8"
        Text mode only.
    newline : str, optional
        Text mode only, as for :func:`open` (``""`` writes line ends unchanged).

    Yields
    ------
    file object

    Raises
    ------
    OSError
        When the folder or the file cannot be written.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temporary(target)
    try:
        if mode == "wb":
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline=newline)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    try:
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every platform opens folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (:func:`atomic_open`); return the path."""
    with atomic_open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text)
    return Path(path).expanduser()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (:func:`atomic_open`); return the path."""
    with atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path).expanduser()
