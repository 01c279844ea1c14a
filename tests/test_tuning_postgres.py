"""``skmetalpka tune`` on a real PostgreSQL server: shared study, dead worker, missing driver.

The session fixture :func:`postgres` starts a throwaway server (``tests/postgres_server.py``:
the machine's PostgreSQL binaries, a temp folder, a free port of 127.0.0.1, password
authentication) and stops it at the end; every test gets a database of its own. Without
binaries or the driver (``pip install skmetalpka[postgres]``) the tests skip on a developer's
machine and FAIL in CI (``CI=true`` or ``SKMETALPKA_REQUIRE_DATA=1``).

The workers are real ``python -m skmetalpka tune`` processes with the smallest network of
tests/test_tuning.py on MINTEQ (a trial takes about a second).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import optuna
import pytest
from postgres_server import PASSWORD, LocalPostgres, PostgresUnavailable

from skmetalpka.cli import main
from skmetalpka.tuning import display_url, make_storage, storage_url, tune

optuna.logging.set_verbosity(optuna.logging.WARNING)

#: Smallest sensible network (as in tests/test_tuning.py): each fit takes a fraction of a second.
SMALL = {"max_epochs": 2, "encoder_depth": 1, "hidden_dim": 16, "heads": 2, "star_layers": 1}
FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true" or os.environ.get("SKMETALPKA_REQUIRE_DATA") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres():
    """A running :class:`LocalPostgres`, stopped (and its folder removed) after the session."""
    try:
        import psycopg  # noqa: F401 - the driver of the postgres extra
    except ImportError:
        _unavailable("PostgreSQL driver psycopg missing: pip install skmetalpka[postgres]")
    try:
        server = LocalPostgres().start()
    except PostgresUnavailable as exc:
        _unavailable(f"cannot start a PostgreSQL server: {exc}")
    yield server
    server.stop()


@pytest.fixture()
def pg_url(postgres, request) -> str:
    """URL (``postgresql://user:password@127.0.0.1:port/db``) of a new database for this test."""
    import sqlalchemy as sa

    name = "t_" + re.sub(r"\W", "_", request.node.name).lower()[:50]
    engine = sa.create_engine(storage_url(postgres.url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return postgres.url_for(name)


@pytest.fixture()
def pg_storage(pg_url):
    """One Optuna storage on ``pg_url`` for the test's own reads (its connections are closed)."""
    storage = make_storage(pg_url)
    yield storage
    storage.engine.dispose()


def _args(url: str, study: str, *extra: str) -> list[str]:
    args = ["tune", "--data", "minteq", "--storage", url, "--study", study, "--folds", "2"]
    return args + ["--params", json.dumps(SMALL), "--quiet", *extra]


def _worker(*args: str, **kwargs) -> subprocess.Popen:
    """``python -m skmetalpka tune ARGS`` in the background."""
    kwargs = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True, **kwargs}
    return subprocess.Popen([sys.executable, "-m", "skmetalpka", *args], env=ENV, **kwargs)


@pytest.fixture()
def reaper():
    """A list for the test's worker processes: those still running at the end are killed."""
    procs: list[subprocess.Popen] = []
    yield procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()


# ------------------------------------------------------------------------- two workers
def test_two_workers_share_one_study_on_postgres(pg_url, pg_storage, reaper):
    procs = [_worker(*_args(pg_url, "shared", "--trials", "2")) for _ in range(2)]
    reaper.extend(procs)
    results = [p.communicate(timeout=240) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
        assert "Traceback" not in err
        assert PASSWORD not in out + err  # the URL is shown with *** for the password
        assert "postgresql://skmetalpka:***@127.0.0.1" in out
    trials = optuna.load_study(study_name="shared", storage=pg_storage).trials
    assert len(trials) == 4, [t.state for t in trials]  # 2 + 2: none lost
    assert all(t.state in FINISHED for t in trials), [t.state for t in trials]
    assert sorted(t.number for t in trials) == [0, 1, 2, 3]  # none numbered twice
    assert len({t._trial_id for t in trials}) == 4


# ------------------------------------------------------------------------- a worker dies
def _kill_mid_trial(proc: subprocess.Popen, storage, study: str, timeout: float = 180):
    """SIGKILL ``proc`` while it trains a trial, after it finished one; return that trial."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"worker ended (rc {proc.returncode}) before it could be killed")
        try:
            trials = optuna.load_study(study_name=study, storage=storage).get_trials(deepcopy=False)
        except KeyError:  # study not created yet
            trials = []
        states = [t.state for t in trials]
        if any(s in FINISHED for s in states) and optuna.trial.TrialState.RUNNING in states:
            os.kill(proc.pid, signal.SIGSTOP)  # frozen: what the database says now stays true
            running = optuna.load_study(study_name=study, storage=storage).get_trials(
                deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)
            )
            if running and running[0].intermediate_values:  # training, not just started
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                return running[0]
            os.kill(proc.pid, signal.SIGCONT)  # caught between two trials: try again
        time.sleep(0.05)
    pytest.fail("no running trial to kill within the time limit")


def test_killed_worker_trial_fails_and_a_new_worker_completes_the_study(
    pg_url, pg_storage, reaper, minteq_xy, capsys
):
    heartbeat = 1  # grace period 2 s
    args = _args(pg_url, "resume", "--heartbeat", str(heartbeat), "--study-trials", "3")
    first = _worker(*args, stdout=subprocess.DEVNULL)
    reaper.append(first)
    victim = _kill_mid_trial(first, pg_storage, "resume")
    assert first.returncode == -signal.SIGKILL
    study = optuna.load_study(study_name="resume", storage=pg_storage)
    assert study.trials[victim.number].state == optuna.trial.TrialState.RUNNING  # not noticed yet
    assert len(study.get_trials(states=FINISHED)) >= 1

    # the second worker runs in this process (its imports are paid already), through the CLI
    time.sleep(2 * heartbeat + 0.5)  # the dead trial's heartbeat is now stale
    assert main(args) == 0, capsys.readouterr().err
    assert "Traceback" not in capsys.readouterr().err

    trials = study.trials
    assert trials[victim.number].state == optuna.trial.TrialState.FAIL
    # none lost: the study reached its target of 3 finished trials and nothing is left hanging
    finished = [t for t in trials if t.state in FINISHED]
    assert len(finished) == 3, [(t.number, t.state.name) for t in trials]
    assert [t.state for t in trials if t.state not in FINISHED] == [optuna.trial.TrialState.FAIL]
    # the dead trial's parameters ran again, exactly once, as a new trial
    retries = [t for t in trials if t.system_attrs.get("failed_trial") == victim.number]
    assert len(retries) == 1 and retries[0].state in FINISHED
    assert retries[0].number > victim.number
    assert retries[0].params == trials[victim.number].params == victim.params != {}
    # none duplicated
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    assert len(trials) == 4  # 3 finished + the dead one

    # a worker that joins a study whose target is already met runs nothing
    X, y = minteq_xy
    kw = dict(storage=pg_url, study_name="resume", n_splits=2, fixed_params=SMALL)
    again = tune(X, y, n_trials=None, n_study_trials=3, data_source=_source(study), **kw)
    assert len(again.trials) == 4


def _source(study: optuna.Study) -> str:
    return study.user_attrs["settings"]["data"]


@pytest.fixture(scope="module")
def minteq_xy():
    from skmetalpka import load_minteq

    return load_minteq()


# ------------------------------------------------------------------------- no driver
@pytest.fixture()
def no_postgres_driver(monkeypatch):
    """Imports of psycopg / psycopg2 fail as if they were not installed."""
    for name in ("psycopg", "psycopg2"):
        monkeypatch.setitem(sys.modules, name, None)


def test_missing_driver_exits_2_with_the_pip_command(no_postgres_driver, capsys):
    url = "postgresql://alice:secret@127.0.0.1:9/tune"
    assert main(["tune", "--trials", "1", "--storage", url]) == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line, no traceback, no data report before it
    assert "pip install skmetalpka[postgres]" in lines[0] and "'psycopg'" in lines[0]
    assert "secret" not in err and "alice:***@127.0.0.1:9/tune" in err
    # a URL naming the other driver names that one
    with pytest.raises(ValueError, match=r"driver 'psycopg2'.*pip install skmetalpka\[postgres\]"):
        make_storage("postgresql+psycopg2://alice:secret@127.0.0.1:9/tune")


def test_storage_url_and_password_masking():
    assert storage_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert storage_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert storage_url("postgresql+psycopg2://u:p@h/db") == "postgresql+psycopg2://u:p@h/db"
    assert storage_url(None) == "sqlite:///skmetalpka_tune.db"
    assert display_url("postgresql://u:p4ss@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert display_url("sqlite:///a.db") == "sqlite:///a.db"


def test_cli_heartbeat_arguments_are_checked(capsys):
    assert main(["tune", "--trials", "1", "--heartbeat", "-1"]) == 2
    assert "--heartbeat must be at least 0" in capsys.readouterr().err
    assert main(["tune", "--study-trials", "0"]) == 2
    assert "--study-trials must be at least 1" in capsys.readouterr().err


def test_heartbeat_settings_reach_the_storage(tmp_path):
    storage = make_storage(f"sqlite:///{tmp_path / 'h.db'}", heartbeat=5, retries=1)
    assert storage.heartbeat_interval == 5 and storage.grace_period == 10
    assert storage.failed_trial_callback is not None
    off = make_storage(f"sqlite:///{tmp_path / 'h.db'}", heartbeat=0)
    assert off.heartbeat_interval is None
    with pytest.raises(ValueError, match="heartbeat must be >= 0"):
        make_storage(f"sqlite:///{tmp_path / 'h.db'}", heartbeat=-1)


def test_local_server_is_really_postgres_on_loopback(postgres):
    import sqlalchemy as sa

    engine = sa.create_engine(storage_url(postgres.url))
    with engine.connect() as conn:
        version = conn.execute(sa.text("select version()")).scalar()
        address = conn.execute(sa.text("select inet_server_addr()::text")).scalar()
    engine.dispose()
    assert version.startswith("PostgreSQL") and address.startswith("127.0.0.1")
    bad = sa.create_engine(storage_url(postgres.url.replace(PASSWORD, "wrong")))
    with pytest.raises(sa.exc.OperationalError, match="password authentication failed"):
        bad.connect()
    bad.dispose()
