"""Citizen reads on a PostgreSQL read replica; everything else on the primary.

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` alias and
turn ``DATABASE_REPLICA_READS`` on. Reads go to the replica only when all of
these hold, otherwise to ``default``:

- the request allowed it: ``ReplicaReadsMiddleware`` opens the replica for a
  GET/HEAD by an anonymous visitor or a citizen, outside the staff pages
  (``/can-bo/``, ``/admin/``) and the sign-in pages. Celery tasks,
  management commands and the shell never do, so the importer and the
  notification worker always read what they wrote;
- the model is registry or reference data (``DATABASE_REPLICA_APPS``:
  ``insurance``, ``lookup``), which citizens read and never write; accounts,
  sessions, OTPs, declarations and questions are read where they were
  written (a citizen who just submitted a form or signed in sees it at once,
  whatever the replica's lag), and so are the models of those apps that set
  ``read_from_primary = True`` (payments: the return page must see the
  gateway's notice as soon as it is committed);
- no transaction is open on ``default``: code inside ``transaction.atomic``
  reads its own writes.

Writes and migrations always go to ``default``. Without a replica nothing
changes: every query uses ``default``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_DB_ALIAS = "replica"
# Off unless the current request opened it: a task, a command or a test
# reads from the primary. A ContextVar (not a thread-local) so that each
# request, thread or async task has its own value.
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)
_PRIMARY_PREFIXES = ("/can-bo/", "/admin/", "/dang-nhap/", "/dang-xuat/", "/api/v1/auth/")


@contextmanager
def replica_reads_allowed(allowed: bool = True) -> Iterator[None]:
    """Let (or forbid) the code inside read registry data from the replica."""
    token = _replica_reads.set(allowed)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_reads_for_request(request) -> bool:
    """Whether a request may read registry data that lags a little."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(_PRIMARY_PREFIXES):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated and user.is_staff)


class PrimaryReplicaRouter:
    """Route reads as the module docstring says; everything else to ``default``."""

    def db_for_read(self, model, **hints) -> str:
        if (
            getattr(settings, "DATABASE_REPLICA_READS", False)
            and _replica_reads.get()
            and model._meta.app_label in settings.DATABASE_REPLICA_APPS
            and not getattr(model, "read_from_primary", False)
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA_DB_ALIAS
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Open the replica for the rest of a request that may read lagging data.

    Placed after the authentication middleware: a staff member's requests
    read from the primary.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with replica_reads_allowed(replica_reads_for_request(request)):
            return self.get_response(request)
