"""PostgreSQL timestamps read with psycopg's C parser.

Django reads every ``timestamptz`` value with a loader of its own (``psycopg_any.BaseTzLoader``): a
subclass of psycopg's pure-Python loader, which parses each value with a regular expression, followed by
``replace(tzinfo=<the connection's zone>)``. Being a Python subclass, it also keeps psycopg from using
its C loader. A page of the tasks list holds about 40 timestamps, and parsing them this way was a tenth
of the request's CPU.

When Django's connection zone is UTC (``USE_TZ`` with no ``TIME_ZONE`` per database, as here), Django
sets the session's ``TimeZone`` to UTC, and psycopg's own loader then returns exactly what Django's does:
the same instant, microseconds and all, with ``tzinfo`` being ``datetime.timezone.utc``. On each new
connection ``UtcTimestamptzLoader`` replaces Django's loader. It reads with psycopg's C loader while the
session's zone is UTC, and with Django's own loader at any other moment (a ``SET TIME ZONE`` by
hand). It keeps the ``timezone`` attribute that Django's ``create_cursor`` compares, so no cursor
registers a loader of its own. Without psycopg's C implementation (a pure-Python install), nothing is
changed. ``learnflow/tests/test_db_timestamps.py`` compares both loaders' values.
"""

import datetime

from django.db.backends.signals import connection_created
from django.dispatch import receiver

try:
    import psycopg
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.adapt import Loader
    from psycopg.pq import Format
except ImportError:  # the embedded default (SQLite) does not need psycopg
    psycopg = None

if psycopg is not None:
    _TIMESTAMPTZ = psycopg.adapters.types["timestamptz"].oid
    # psycopg's global map holds its C classes where its C implementation is installed.
    _C_LOADER = psycopg.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)
    HAS_C_LOADER = _C_LOADER is not None and not issubclass(_C_LOADER, Loader)

    class DjangoUtcLoader(BaseTzLoader):
        """Django's own loader for a connection in UTC (what ``psycopg_any.register_tzloader`` makes)."""

        timezone = datetime.UTC

    class UtcTimestamptzLoader(DjangoUtcLoader):
        """Django's loader, reading with psycopg's C loader while the session is in UTC (see the module)."""

        def __init__(self, oid: int, context=None):
            super().__init__(oid, context)
            if self.connection is not None and self.connection.info.timezone is datetime.UTC:
                self.load = _C_LOADER(oid, context).load

    @receiver(connection_created, dispatch_uid="learnflow.db.fast_timestamps")
    def fast_timestamps(sender, connection, **kwargs) -> None:
        if HAS_C_LOADER and connection.vendor == "postgresql" and connection.timezone is datetime.UTC:
            connection.connection.adapters.register_loader(_TIMESTAMPTZ, UtcTimestamptzLoader)
