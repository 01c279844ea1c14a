"""Dask clusters for screening: a local one or a running scheduler, and the model on every worker.

:func:`dask_client` gives a :class:`distributed.Client`: connected to a running scheduler
(``tcp://host:8786``), or to a :class:`distributed.LocalCluster` of worker *processes* with
one thread each, started for the duration of the ``with`` block.

:class:`ModelPlugin` carries a model file's bytes to every worker (including workers that
join or are restarted later) and loads it once per worker process, with torch limited to
one thread; tasks get it with :func:`worker_model`. The model file therefore does not need
to exist on the worker machines, but skmetalpka (the same version) must be installed there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:
    from distributed import Client, LocalCluster
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError as exc:  # pragma: no cover - the scale extra is not installed
    raise ImportError(
        "screening on a cluster needs dask[distributed] and pyarrow: "
        'pip install "skmetalpka[scale]"'
    ) from exc

from .._threads import limit_threads
from ..exceptions import InputError

__all__ = ["ModelPlugin", "dask_client", "register_model", "worker_model"]


@contextmanager
def dask_client(
    scheduler: str | None = None,
    *,
    n_workers: int | None = None,
    timeout: float = 30.0,
) -> Iterator[Client]:
    """A Dask client for the duration of a ``with`` block.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``, from ``dask scheduler``); the
        cluster is left running at the end. ``None`` starts a
        :class:`~distributed.LocalCluster` of ``n_workers`` processes with one thread each
        (dashboard and HTTP endpoints on a free port) and closes it at the end.
    n_workers : int, optional
        Local worker processes (default: the number of CPU cores). Not allowed with
        ``scheduler``.
    timeout : float, default=30
        Seconds to wait for the scheduler.

    Yields
    ------
    distributed.Client

    Raises
    ------
    InputError
        The scheduler cannot be reached, or ``n_workers`` is not a positive integer.
    """
    if scheduler is not None:
        if n_workers is not None:
            raise InputError("give either a scheduler address or a number of local workers")
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"could not reach the Dask scheduler at {scheduler!r} ({exc}); start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS --nthreads 1`"
            ) from exc
        try:
            yield client
        finally:
            client.close()
        return
    n = (os.cpu_count() or 1) if n_workers is None else n_workers
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"the number of workers must be a positive integer, got {n_workers!r}")
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR,  # not the nanny's shutdown chatter
    )
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ModelPlugin(WorkerPlugin):
    """Load a model on every worker once, from the bytes of its model file.

    Parameters
    ----------
    data : bytes
        Content of a file written by :func:`skmetalpka.persistence.save_model`.
    threads : int, default=1
        torch / BLAS threads of each worker process (one task per thread).
    trusted : bool, default=False
        Also load a pickled model file (``load_model(trusted=True)``): unpickling runs any
        code the file holds, on every worker.

    Attributes
    ----------
    name : str
        ``skmetalpka-model-<sha256 prefix>``: the plugin's name on the workers.
    model, meta
        On a worker after setup: the estimator and its metadata.
    warnings : list of str
        On a worker after setup: warnings raised while loading (e.g. other versions).
    """

    #: A plugin of the same name is already on the workers: keep it (the name holds the
    #: file's digest, so it carries this very model, e.g. for a resumed screen).
    idempotent = True

    def __init__(self, data: bytes, threads: int = 1, trusted: bool = False) -> None:
        self.data = data
        self.threads = threads
        self.trusted = trusted
        self.name = f"skmetalpka-model-{_digest(data)[:16]}"
        self.model: Any = None
        self.meta: dict[str, Any] = {}
        self.warnings: list[str] = []

    def setup(self, worker: Any) -> None:
        from ..persistence import load_model

        limit_threads(self.threads)
        folder = getattr(worker, "local_directory", None) or tempfile.gettempdir()
        fd, path = tempfile.mkstemp(prefix="skmetalpka-model-", suffix=".model", dir=folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(self.data)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.model, self.meta = load_model(path, return_meta=True, trusted=self.trusted)
            self.warnings = [str(w.message) for w in caught]
        finally:
            os.unlink(path)
        self.data = b""  # loaded: the bytes are not needed on this worker any more

    def teardown(self, worker: Any) -> None:
        self.model = None


def register_model(client: Client, data: bytes, *, threads: int = 1, trusted: bool = False) -> str:
    """Send a model file's bytes to every worker of ``client`` and load it there once.

    Returns
    -------
    str
        The plugin name, for :func:`worker_model`.

    Raises
    ------
    RuntimeError
        A worker could not load the model (the message gives the worker's error).
    """
    plugin = ModelPlugin(data, threads=threads, trusted=trusted)
    try:
        client.register_plugin(plugin, name=plugin.name)
    except Exception as exc:  # the worker's own exception, re-raised by distributed
        raise RuntimeError(
            f"a Dask worker could not load the model ({type(exc).__name__}: {exc}); install "
            "the same skmetalpka version on every worker"
        ) from exc
    return plugin.name


def worker_model(name: str) -> tuple[Any, dict[str, Any]]:
    """The model and metadata loaded on this worker by the :class:`ModelPlugin` ``name``."""
    from distributed import get_worker

    plugin = get_worker().plugins.get(name)
    if plugin is None or getattr(plugin, "model", None) is None:
        raise RuntimeError(
            f"no model {name!r} on this worker; register it with skmetalpka.scale.register_model"
        )
    return plugin.model, plugin.meta
