"""Where a study lives: storage URLs, database drivers, heartbeats of running trials.

:func:`make_storage` opens an :class:`optuna.storages.RDBStorage` for a URL: a local SQLite file
(several workers on one machine) or a PostgreSQL / MySQL database (workers on several machines;
``pip install skmetalpka[postgres]`` brings the PostgreSQL driver). :func:`check_storage` says
what is wrong with a URL, or which driver is missing, without connecting; :func:`display_url`
hides the password of a URL in messages.

With a heartbeat, a running trial writes a heartbeat every ``heartbeat`` seconds. When a worker
dies (killed, machine lost) its trial stays RUNNING; the next worker that starts a trial and
finds it without a heartbeat for ``2 * heartbeat`` seconds marks it FAIL and puts its
parameters back in the queue (at most ``retries`` times), so the study loses no trial.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

__all__ = ["DEFAULT_HEARTBEAT", "storage_url", "display_url", "check_storage", "make_storage"]

#: Seconds between two heartbeats of a running trial in :func:`tune`; a trial without one for
#: twice as long is taken for dead.
DEFAULT_HEARTBEAT = 60

#: ``pip`` extra that installs the driver of a storage URL's database.
_DRIVER_EXTRAS = {"postgresql": "skmetalpka[postgres]"}


def storage_url(url: str | None) -> str:
    """The storage URL as SQLAlchemy is given it.

    ``None`` gives ``sqlite:///skmetalpka_tune.db``. A PostgreSQL URL without a driver
    (``postgresql://`` or ``postgres://``) gets the psycopg 3 driver of the ``postgres`` extra
    (``postgresql+psycopg://``), whatever SQLAlchemy's own default; a URL that names a driver
    (``postgresql+psycopg2://``) is kept.

    Raises
    ------
    ValueError
        When ``url`` is not a database URL.
    """
    url = url or "sqlite:///skmetalpka_tune.db"
    if not isinstance(url, str) or "://" not in url:
        raise ValueError(
            f"storage must be a database URL such as sqlite:///tune.db or "
            f"postgresql://user:password@host/db, got {url!r}"
        )
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


def display_url(url: str | None) -> str:
    """``url`` with its password replaced by ``***`` (for messages and logs)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = url or "sqlite:///skmetalpka_tune.db"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def check_storage(url: str | None) -> str:
    """:func:`storage_url`, checked without connecting: a database URL whose driver is installed.

    Raises
    ------
    ValueError
        One line: not a database URL, or the database driver is missing (the message names
        the ``pip install`` that brings it, e.g. ``pip install skmetalpka[postgres]``).
        Passwords are shown as ``***``.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    target = storage_url(url)
    shown = display_url(url)
    try:
        parsed = make_url(target)
        dialect = parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ValueError(f"storage {shown!r} is not a URL SQLAlchemy knows: {exc}") from exc
    load = getattr(dialect, "import_dbapi", None) or getattr(dialect, "dbapi", None)
    if load is None:  # pragma: no cover - every SQLAlchemy dialect has one of the two
        return target
    try:
        load()
    except ImportError as exc:
        backend = parsed.get_backend_name()
        extra = _DRIVER_EXTRAS.get(backend)
        how = f"pip install {extra}" if extra else f"install a {backend} driver for SQLAlchemy"
        module = getattr(exc, "name", None) or str(exc)
        raise ValueError(
            f"storage {shown!r} needs the {backend} driver {module!r}, which is not "
            f"installed: {how}"
        ) from exc
    return target


def _retry_callback(retries: int) -> Any:
    """Optuna's callback that re-queues a stale trial (its name changed in Optuna 4.9)."""
    import warnings

    import optuna

    cls = getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None)
    if cls is None:  # optuna < 4.9
        cls = optuna.storages.RetryFailedTrialCallback
    with warnings.catch_warnings():  # marked experimental
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return cls(max_retry=retries)


def make_storage(
    url: str | None,
    *,
    heartbeat: int | None = None,
    grace_period: int | None = None,
    retries: int = 2,
) -> Any:
    """Optuna storage for a URL; ``None`` gives ``sqlite:///skmetalpka_tune.db``.

    SQLite connections wait up to 60 s for a lock (several local workers share one file);
    other URLs (``postgresql://...``, ``mysql://...``) go to :class:`optuna.storages.RDBStorage`
    after :func:`storage_url`. Workers that start at the same moment race to create the schema
    of a new database; the loser's error is retried (up to 5 times) once the winner has
    created it.

    Parameters
    ----------
    url : str or None
    heartbeat : int, optional
        Seconds between two heartbeats of a running trial; ``None`` or 0: no heartbeat (a
        worker that dies leaves its trial RUNNING for ever).
    grace_period : int, optional
        Seconds without a heartbeat after which a running trial is taken for dead, marked
        FAIL and re-queued (default ``2 * heartbeat``). Checked by each worker before it
        starts a trial.
    retries : int, default=2
        How many times one trial's parameters are re-queued after its worker died; 0 leaves
        them FAIL.

    Raises
    ------
    ValueError
        Not a database URL, a missing database driver (the message names the ``pip install``
        that brings it), or a database that cannot be opened.
    """
    import warnings

    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    target = check_storage(url)
    if heartbeat is not None and int(heartbeat) < 0:
        raise ValueError(f"heartbeat must be >= 0 seconds (0: none), got {heartbeat}")
    if retries < 0:
        raise ValueError(f"retries must be >= 0, got {retries}")
    engine_kwargs: dict[str, Any] = {}
    if target.startswith("sqlite"):
        engine_kwargs = {"connect_args": {"timeout": 60}}
    kwargs: dict[str, Any] = {"engine_kwargs": engine_kwargs}
    if heartbeat:
        kwargs["heartbeat_interval"] = int(heartbeat)
        kwargs["grace_period"] = int(grace_period) if grace_period else 2 * int(heartbeat)
        if retries:
            import inspect

            name = (
                "heartbeat_stale_trial_callback"
                if "heartbeat_stale_trial_callback"
                in inspect.signature(optuna.storages.RDBStorage).parameters
                else "failed_trial_callback"
            )
            kwargs[name] = _retry_callback(retries)

    def make() -> Any:
        with warnings.catch_warnings():  # heartbeat_interval is marked experimental
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(target, **kwargs)

    return _retry(make, SQLAlchemyError, f"could not open the Optuna storage {display_url(url)!r}")


def _retry(make: Callable[[], Any], errors: Any, what: str, attempts: int = 5) -> Any:
    """``make()``, retried with a growing pause when it raises one of ``errors``."""
    for attempt in range(attempts):
        try:
            return make()
        except errors as exc:
            if attempt == attempts - 1:
                raise ValueError(
                    f"{what}: {type(exc).__name__}: {str(exc).splitlines()[0]}"
                ) from exc
            time.sleep(0.2 * (attempt + 1) + 0.1 * random.random())
    raise AssertionError("unreachable")  # pragma: no cover
