"""Fast bulk writes for big data sets (the demo seed at 100k users, batch repairs).

On PostgreSQL rows go in with psycopg 3's binary ``COPY`` (no SQL text per row, no per-row round
trip); an insert that must skip rows already there copies into a temporary table first and then
``INSERT ... SELECT ... ON CONFLICT DO NOTHING``; updates go as one ``UPDATE ... FROM unnest(...)``.
Elsewhere (the embedded SQLite default) the same calls fall back to ``bulk_create`` /
``bulk_update``, so callers need not care which database they run on.

Rows are plain sequences of values in the order of ``fields`` (model attribute names, e.g.
``user_id``). Every other concrete column gets what Django would give it: its default (called per
row when callable, e.g. ``uuid.uuid4``; ``""`` or ``NULL`` without one), ``now`` for
``auto_now``/``auto_now_add``; identity keys come from their sequence and generated columns from
the database.
"""

import itertools
from collections.abc import Iterable, Sequence

from django.db import connections, models, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

_counter = itertools.count()
SQLITE_BATCH = 500


def _is_postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def _filled(model: type[models.Model], fields: Sequence[str]):
    """The columns to write (``fields`` then the ones Django fills) and a function that completes a
    row with the values of the filled ones."""
    given = set(fields)
    now = timezone.now()
    extra_columns, makers = [], []
    for field in model._meta.concrete_fields:
        if field.attname in given or field.generated or isinstance(field, AutoFieldMixin):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            makers.append(lambda now=now: now)
        else:
            makers.append(field.get_default)
        extra_columns.append(field)
    columns = [model._meta.get_field(name) if name != "pk" else model._meta.pk for name in fields]
    columns = [c.column for c in columns] + [f.column for f in extra_columns]
    if not makers:
        return columns, tuple
    return columns, lambda row: (*row, *(make() for make in makers))


def _column_types(cursor, table: str, columns: list[str]) -> tuple[list[int], list[str]]:
    cursor.execute(
        "SELECT attname, atttypid, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [table],
    )
    found = {name: (oid, sql_type) for name, oid, sql_type in cursor.fetchall()}
    return [found[c][0] for c in columns], [found[c][1] for c in columns]


def _copy(cursor, table: str, columns: list[str], rows: Iterable[Sequence]) -> int:
    from psycopg import sql

    oids, _ = _column_types(cursor, table, columns)
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with cursor.cursor.copy(statement.as_string(cursor.cursor)) as copy:
        copy.set_types(oids)
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _text(cursor, template: str, *parts) -> str:
    from psycopg import sql

    return sql.SQL(template).format(*parts).as_string(cursor.cursor)


def _instances(model, fields, rows):
    return [model(**dict(zip(fields, row, strict=True))) for row in rows]


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence], *, using="default") -> int:
    """Insert ``rows`` (values of ``fields``, in order) into ``model``'s table; returns how many.
    A row that breaks a constraint fails the whole call, as one ``INSERT`` would."""
    if not _is_postgres(using):
        objs = _instances(model, fields, rows)
        model.objects.using(using).bulk_create(objs, batch_size=SQLITE_BATCH)
        return len(objs)
    columns, complete = _filled(model, fields)
    with connections[using].cursor() as cursor:
        return _copy(cursor, model._meta.db_table, columns, map(complete, rows))


def copy_objects(objs: Sequence[models.Model], *, using="default") -> int:
    """Insert unsaved model instances of one model (their primary keys set, as UUID models do), like
    ``bulk_create`` but through ``copy_rows``; ``auto_now`` fields left empty get now."""
    if not objs:
        return 0
    model = type(objs[0])
    now = timezone.now()
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.generated and not (isinstance(f, AutoFieldMixin) and getattr(objs[0], f.attname) is None)
    ]
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for name in stamped:
            if getattr(obj, name) is None:
                setattr(obj, name, now)
    names = [f.attname for f in fields]
    if not _is_postgres(using):
        model.objects.using(using).bulk_create(objs, batch_size=SQLITE_BATCH)
        return len(objs)
    rows = ([getattr(obj, name) for name in names] for obj in objs)
    return copy_rows(model, names, rows, using=using)


def insert_missing(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence], *, using="default"
) -> int:
    """Insert the ``rows`` that no unique constraint already holds (two callers at once insert each
    row once, in the same order, so they wait for each other instead of deadlocking); returns how
    many were inserted."""
    if not _is_postgres(using):
        objs = _instances(model, fields, rows)
        before = model.objects.using(using).count()
        model.objects.using(using).bulk_create(objs, batch_size=SQLITE_BATCH, ignore_conflicts=True)
        return model.objects.using(using).count() - before
    from psycopg import sql

    table = model._meta.db_table
    staging = f"_bulk_{table}_{next(_counter)}"
    columns, complete = _filled(model, fields)
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(
            _text(
                cursor,
                "CREATE TEMPORARY TABLE {} ON COMMIT DROP AS SELECT {} FROM {} WITH NO DATA",
                sql.Identifier(staging),
                names,
                sql.Identifier(table),
            )
        )
        _copy(cursor, staging, columns, map(complete, rows))
        cursor.execute(
            _text(
                cursor,
                "INSERT INTO {} ({}) SELECT {} FROM {} ORDER BY {} ON CONFLICT DO NOTHING",
                sql.Identifier(table),
                names,
                names,
                sql.Identifier(staging),
                sql.SQL(", ").join(sql.SQL(str(n)) for n in range(1, len(columns) + 1)),
            )
        )
        inserted = cursor.rowcount
        cursor.execute(_text(cursor, "DROP TABLE {}", sql.Identifier(staging)))
    return inserted


def update_rows(
    model: type[models.Model], key: str, fields: Sequence[str], rows: Iterable[Sequence], *, using="default"
) -> int:
    """Set ``fields`` of the rows whose ``key`` is each row's first value (``(key, *values)``), in one
    statement; returns how many rows changed."""
    rows = list(rows)
    if not rows:
        return 0
    if not _is_postgres(using):
        objs = _instances(model, [key, *fields], rows)
        return model.objects.using(using).bulk_update(objs, list(fields), batch_size=SQLITE_BATCH)
    from psycopg import sql

    table = model._meta.db_table
    columns = [model._meta.get_field(name).column for name in (key, *fields)]
    with connections[using].cursor() as cursor:
        _, types = _column_types(cursor, table, columns)
        arrays = sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(t)) for t in types)
        values = sql.SQL(", ").join(map(sql.Identifier, columns))
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = v.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in columns[1:]
        )
        cursor.execute(
            _text(
                cursor,
                "UPDATE {} AS t SET {} FROM unnest({}) AS v({}) WHERE t.{} = v.{}",
                sql.Identifier(table),
                assignments,
                arrays,
                values,
                sql.Identifier(columns[0]),
                sql.Identifier(columns[0]),
            ),
            [list(column) for column in zip(*rows, strict=True)],
        )
        return cursor.rowcount
