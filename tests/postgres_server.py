"""A throwaway PostgreSQL server for tests: Debian's (or any local) binaries, a temp dir, loopback.

:class:`LocalPostgres` runs ``initdb`` into a new temporary folder, starts ``postgres`` with
``pg_ctl`` on a free TCP port of 127.0.0.1 (nothing else listens: no Unix socket outside the
data folder) and removes everything on :meth:`LocalPostgres.stop`. The cluster trades
durability for speed (``fsync=off``): it is for tests only.

PostgreSQL refuses to run as root. When the tests run as root (CI does) the server runs as
the ``postgres`` system user when it exists, else as ``nobody``; the data folder is created
for that user in the system temp folder (``/tmp`` is world-traversable, pytest's
``tmp_path`` is not).

A watchdog process (``sh``, as the server's user) stops the server and removes the folder when
the process that started it dies without calling :meth:`LocalPostgres.stop` (pytest killed).

The binaries are looked up in ``$SKMETALPKA_PG_BINDIR``, then ``pg_config --bindir``, then
the newest ``/usr/lib/postgresql/*/bin`` (Debian does not put ``initdb`` on the PATH), then
the PATH.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["LocalPostgres", "PostgresUnavailable", "find_bindir"]

#: Superuser name and password of the test cluster (password authentication on loopback).
USER = "skmetalpka"
PASSWORD = "pw-for-tests"


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries, or the server did not start (the message says which and why)."""


def find_bindir() -> Path:
    """Folder holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Raises
    ------
    PostgresUnavailable
        When none is found; the message says how to install PostgreSQL.
    """
    candidates: list[str] = []
    if os.environ.get("SKMETALPKA_PG_BINDIR"):
        candidates.append(os.environ["SKMETALPKA_PG_BINDIR"])
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())
    debian = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(debian, key=lambda p: int(Path(p).parent.name), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for c in candidates:
        if all((Path(c) / exe).is_file() for exe in ("initdb", "pg_ctl", "postgres")):
            return Path(c)
    raise PostgresUnavailable(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres) found in $SKMETALPKA_PG_BINDIR, "
        "`pg_config --bindir`, /usr/lib/postgresql/*/bin or the PATH; install them "
        "(Debian: apt-get install postgresql) or set SKMETALPKA_PG_BINDIR"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalPostgres:
    """A PostgreSQL cluster in a temporary folder, listening on 127.0.0.1 only.

    Parameters
    ----------
    bindir : path, optional
        Folder of the server binaries (default: :func:`find_bindir`).
    start_timeout : float, default=60
        Seconds ``pg_ctl`` waits for the server to accept connections.

    Attributes
    ----------
    port : int
        TCP port, once started.
    url : str
        ``postgresql://USER:PASSWORD@127.0.0.1:PORT/postgres``, once started.
    """

    def __init__(
        self, bindir: str | os.PathLike[str] | None = None, start_timeout: float = 60
    ) -> None:
        self.bindir = Path(bindir) if bindir is not None else find_bindir()
        self.start_timeout = start_timeout
        self.port: int | None = None
        self.root: Path | None = None
        self._run_as: pwd.struct_passwd | None = None
        self._watchdog: subprocess.Popen | None = None

    # ------------------------------------------------------------------ helpers
    @property
    def data(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    @property
    def log(self) -> Path:
        assert self.root is not None
        return self.root / "server.log"

    def _as_user(self) -> dict:
        if self._run_as is None:
            return {}
        return {"user": self._run_as.pw_uid, "group": self._run_as.pw_gid, "extra_groups": []}

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "TZ": "UTC"}
        return subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=self.root,
            **self._as_user(),
        )

    def url_for(self, database: str = "postgres") -> str:
        """SQLAlchemy/Optuna URL of ``database`` on this server."""
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> LocalPostgres:
        """``initdb`` and start; returns self.

        Raises
        ------
        PostgresUnavailable
            With the tail of initdb's output or of the server log.
        """
        if os.geteuid() == 0:
            for name in ("postgres", "nobody"):
                try:
                    self._run_as = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            else:
                raise PostgresUnavailable(
                    "running as root, and neither a 'postgres' nor a 'nobody' user exists to "
                    "run the server as (PostgreSQL refuses to run as root)"
                )
        self.root = Path(tempfile.mkdtemp(prefix="skmetalpka-pg-"))
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
        if self._run_as is not None:
            for p in (self.root, pwfile):
                os.chown(p, self._run_as.pw_uid, self._run_as.pw_gid)
        init = self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        if init.returncode != 0:
            self.stop()
            raise PostgresUnavailable(f"initdb failed ({init.returncode}): {init.stderr[-2000:]}")
        last = ""
        for _attempt in range(3):  # another process may take the free port before we bind it
            self.port = _free_port()
            options = (
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=100"
            )
            started = self._run(
                "pg_ctl",
                "start",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                str(int(self.start_timeout)),
                "-o",
                options,
                timeout=self.start_timeout + 30,
            )
            if started.returncode == 0:
                self._start_watchdog()
                return self
            last = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            last = last or started.stderr[-2000:]
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
            time.sleep(0.2)
        self.stop()
        raise PostgresUnavailable(f"the PostgreSQL server did not start: {last}")

    def _start_watchdog(self) -> None:
        script = (
            'while [ -d "/proc/$1" ]; do sleep 1; done; '
            '"$2" stop -D "$3" -m immediate -w >/dev/null 2>&1; rm -rf "$4"'
        )
        self._watchdog = subprocess.Popen(
            ["/bin/sh", "-c", script, "pg-watchdog", str(os.getpid()), str(self.bindir / "pg_ctl")]
            + [str(self.data), str(self.root)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # outlives a Ctrl-C or a kill of the test process
            **self._as_user(),
        )

    def stop(self) -> None:
        """Stop the server (immediate shutdown) and remove its folder; safe to call twice."""
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None
        if self.root is None:
            return
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w", timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> LocalPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
