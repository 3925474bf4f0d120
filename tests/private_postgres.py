"""A PostgreSQL server of one test, which the test may stop and restart.

The machine's shared server (``DATABASE_URL``) serves every other run, so a
test about a database outage starts its own: ``initdb`` into a temporary
folder, ``pg_ctl`` on a free loopback port with the unix socket inside that
folder, trust authentication for the ``postgres`` role. ``initdb`` refuses
to run as root, so as root (CI) the binaries run as the ``postgres`` OS user
through ``runuser``; as anyone else they run as that user. ``cleanup()``
stops the server and removes the folder, whatever happened before.

``PrivatePostgres.missing()`` names what is missing (binaries, ``runuser``,
the OS user); the fixture in ``tests/conftest.py`` turns it into a skip on a
developer's machine and a failure under CI.
"""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
OS_USER = "postgres"
TIMEOUT = 60


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivatePostgres:
    """``start()``, ``stop()``, ``restart()``, ``cleanup()`` one private server."""

    database = "portal"

    def __init__(self, bin_dir: Path = PG_BIN):
        self.bin_dir = Path(bin_dir)
        self.root: Path | None = None
        self.port = 0
        self.running = False

    # What this machine lacks, if anything ------------------------------------
    @classmethod
    def missing(cls, bin_dir: Path = PG_BIN) -> str | None:
        for tool in ("initdb", "pg_ctl"):
            if not os.access(Path(bin_dir) / tool, os.X_OK):
                return f"{Path(bin_dir) / tool} not found (install postgresql-15 or set PG_BIN)"
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                return "runuser not found: initdb refuses root and needs it to run as postgres"
            try:
                pwd.getpwnam(OS_USER)
            except KeyError:
                return f"no {OS_USER!r} OS user to run initdb and pg_ctl as"
        return None

    # Paths and commands --------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OS_USER, "--", *command]
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
                f"\n--- server log ---\n{self.log_tail()}"
            )
        return result

    def log_tail(self, chars: int = 3000) -> str:
        if self.root is None or not self.log_file.exists():
            return ""
        return self.log_file.read_text(errors="replace")[-chars:]

    # Life cycle ----------------------------------------------------------------
    def init(self) -> None:
        """A fresh cluster in a temporary folder owned by the server's OS user."""
        self.root = Path(tempfile.mkdtemp(prefix="vssid-test-pg-"))
        self.socket_dir.mkdir()
        if os.geteuid() == 0:
            user = pwd.getpwnam(OS_USER)
            for path in (self.root, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        self.port = _free_port()
        self._configure()

    def _configure(self) -> None:
        # Durability is not what these tests are about; a clean stop (fast
        # mode) still checkpoints, so nothing is lost across restarts.
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# tests/private_postgres.py\n"
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "max_connections = 20\n"
                "shared_buffers = 16MB\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
            )

    def start(self) -> None:
        for _attempt in range(3):
            result = self._run(
                "pg_ctl",
                "start",
                *("-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", str(TIMEOUT)),
                check=False,
            )
            if result.returncode == 0:
                self.running = True
                return
            if "could not bind" not in self.log_tail():
                break
            # Someone took the port between _free_port() and the bind: another one.
            self.port = _free_port()
            self._configure()
        raise RuntimeError(f"pg_ctl start failed:\n{result.stderr}\n{self.log_tail()}")

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session (what a maintenance restart does)."""
        self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", str(TIMEOUT))
        self.running = False

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    def cleanup(self) -> None:
        """Stop the server if it runs and remove its folder; never raises."""
        if self.root is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                with suppress(Exception):
                    self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w")
        finally:
            self.running = False
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    # Clients -------------------------------------------------------------------
    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """A new database, empty or a copy of ``template`` (which nobody may be connected to)."""
        import psycopg2

        name = name or self.database
        connection = psycopg2.connect(**self.connect_kwargs("postgres"))
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                copy = f' TEMPLATE "{template}"' if template else ""
                cursor.execute(f'CREATE DATABASE "{name}"{copy}')
        finally:
            connection.close()
        return name

    def connect_kwargs(self, database: str | None = None) -> dict:
        return {
            "host": "127.0.0.1",
            "port": self.port,
            "user": "postgres",
            "dbname": database or self.database,
            "connect_timeout": 5,
        }

    def url(self, database: str | None = None) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database or self.database}"


# Django --------------------------------------------------------------------------
@contextmanager
def django_connected_to(
    server: PrivatePostgres, database: str | None = None, aliases=("default", "replica")
):
    """Point this thread's Django connections at ``server``; restore them after.

    The settings of the ``postgres://`` URL as ``vssid_portal/settings.py``
    reads it: persistent connections (``CONN_MAX_AGE`` 60, the production
    default, where a restart leaves broken connections behind) and the
    project's ``CONN_HEALTH_CHECKS``. The content-type cache is emptied on
    the way in and out: its ids belong to one database.
    """
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections
    from django.db.utils import ConnectionHandler

    import environ

    config = environ.Env.db_url_config(server.url(database))
    config["CONN_MAX_AGE"] = 60
    config["CONN_HEALTH_CHECKS"] = settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    handler = ConnectionHandler({alias: dict(config) for alias in aliases})
    saved = {alias: connections[alias] for alias in aliases}
    ContentType.objects.clear_cache()
    for alias in aliases:
        connections[alias] = handler[alias]
    try:
        yield
    finally:
        for alias in aliases:
            with suppress(Exception):
                connections[alias].close()
            connections[alias] = saved[alias]
        ContentType.objects.clear_cache()
