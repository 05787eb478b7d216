"""``learnflow.db``: PostgreSQL timestamps are read with psycopg's C loader, and every value is exactly
what Django's own loader reads (instant, microseconds, ``tzinfo``); a session moved out of UTC gets
Django's loader back."""

import datetime

import psycopg
import pytest
from django.db import DataError, connection, transaction
from psycopg.pq import Format

from learnflow import db

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loaders"),
]

TEXTS = [
    "2026-03-29 01:30:00.000005+00",
    "2026-10-25 00:59:59.999999+00",
    "2026-12-07 03:21:54+00",
    "1900-01-01 00:00:00+00",
    "2200-12-31 23:59:59.999999+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
    "2026-06-01 12:00:00+05:30",
    "2026-06-01 12:00:00-09:30",
    "1901-12-13 20:45:52-03:00",
]


def read(sql: str, loader=None) -> list:
    with connection.cursor() as cursor:
        if loader is not None:
            cursor.cursor.adapters.register_loader("timestamptz", loader)
        cursor.execute(sql)
        return list(cursor.fetchone())


def as_compared(values: list) -> list:
    return [(type(value), value, value.tzinfo, value.isoformat()) for value in values]


def test_the_connection_reads_timestamps_with_the_c_loader():
    connection.ensure_connection()
    loader_class = connection.connection.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        [value] = cursor.fetchone()
        loader = cursor.cursor._tx.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)

    assert db.HAS_C_LOADER  # psycopg[binary] is a runtime requirement
    assert loader_class is db.UtcTimestamptzLoader
    assert type(loader.load.__self__) is db._C_LOADER  # psycopg's C loader does the reading
    assert db._C_LOADER.__module__.endswith("._psycopg")
    assert value.tzinfo is datetime.UTC


def test_every_value_is_what_djangos_loader_reads():
    sql = "SELECT " + ", ".join(f"'{text}'::timestamptz" for text in TEXTS)

    ours = read(sql)
    djangos = read(sql, loader=db.DjangoUtcLoader)

    assert as_compared(ours) == as_compared(djangos)
    assert ours[0] == datetime.datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=datetime.UTC)


def test_a_value_psycopg_cannot_represent_fails_alike():
    for loader in (None, db.DjangoUtcLoader):
        with pytest.raises(DataError):
            read("SELECT 'infinity'::timestamptz", loader=loader)


def test_a_session_moved_out_of_utc_reads_with_djangos_loader():
    sql = "SELECT '2026-06-01 12:00:00+00'::timestamptz"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL TIME ZONE 'Europe/Berlin'")
        ours = read(sql)
        djangos = read(sql, loader=db.DjangoUtcLoader)

    assert as_compared(ours) == as_compared(djangos)
    # (Django's loader keeps the wall time and says UTC: what Django itself does in such a session.)
    assert ours == [datetime.datetime(2026, 6, 1, 14, 0, tzinfo=datetime.UTC)]
