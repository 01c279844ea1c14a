"""Thread budget of one parallel fit, decided where the fit runs.

joblib runs the (model, fold) fits of :func:`skmetalpka.selection.grouped_cv` and the members
of :class:`~skmetalpka.model.EnsembleRegressor` in parallel. Each fit must not use more torch
/ BLAS threads than its share of the cores, or the parallel fits fight over them:

* with the local backends (``loky``, ``threading``) the share is computed by the caller from
  its own cores (``cores // parallel jobs``) and applied in the job;
* under ``joblib.parallel_config(backend="dask")`` the job runs on a Dask worker, on another
  machine maybe: the caller's cores mean nothing there. The job then takes the worker's
  budget, :func:`dask_worker_threads`: ``OMP_NUM_THREADS`` of the worker process (the Dask
  nanny sets it to 1 by default, one thread per task), else the worker machine's cores divided
  by the worker's task threads.
"""

from __future__ import annotations

import os
import sys

__all__ = ["dask_worker_threads", "job_threads", "limit_threads"]


def dask_worker_threads() -> int | None:
    """Threads one task may use on this Dask worker, or ``None`` outside a Dask worker."""
    if "distributed" not in sys.modules:  # a Dask worker has imported it long ago
        return None
    from distributed import get_worker

    try:
        worker = get_worker()
    except ValueError:  # not running in a worker's task
        return None
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isdigit() and int(env) >= 1:
        return int(env)
    nthreads = getattr(getattr(worker, "state", None), "nthreads", None) or 1
    return max(1, (os.cpu_count() or 1) // int(nthreads))


def job_threads(planned: int | None) -> int | None:
    """Threads for a parallel job: the Dask worker's budget there, else ``planned``.

    Parameters
    ----------
    planned : int or None
        The share computed by the caller for local parallelism (``None``: leave the thread
        settings alone).
    """
    on_dask = dask_worker_threads()
    return on_dask if on_dask is not None else planned


def limit_threads(n: int) -> None:
    """Limit torch and the BLAS / OpenMP pools of this process to ``n`` threads."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(int(n))
    threadpool_limits(limits=int(n))
