"""Queries Django builds and compiles once, then runs with each call's values.

Building a queryset (``filter``, ``annotate``, subqueries, ``Exists``) and compiling it to SQL is
pure Python work that repeats identically on every request: on the dashboard it cost more than
PostgreSQL's own work, about 6 ms for one query of seven scalar subqueries. A hot read of a fixed
shape is written once as a function of its values (a *builder* returning a ``values()`` queryset),
and ``CompiledValues`` compiles it once per thread and database: each call only binds its values to
the cached SQL, runs it, and converts the rows as Django's ``values()`` would (the same names, the
same ``from_db_value`` converters).

How the values are found in the SQL: the builder is called twice with *markers*, values of each
argument's type that no query would hold by chance (a UUID, a date in the 1900s, ...), and both
compilations must agree: the same SQL, and the same parameters except where the markers stand. A
parameter that differs between the two builds but is no marker (the builder used a value in a
computed form, ``icontains``, a date turned into a datetime) is refused when the template is made,
and so is a date or a datetime that is no marker (it would be a "now" frozen into the cache). So the
builder must use its arguments as they are, and must not branch on them: one shape for all values.
"""

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func, IntegerField, QuerySet, Subquery, Value
from django.utils.functional import cached_property

#: The markers of each supported type: two sets, for the two builds (``index`` tells the arguments
#: of one type apart).
_MARKERS: dict[type, Callable[[int, int], Any]] = {
    uuid.UUID: lambda build, index: uuid.UUID(int=(0x5E7 << 116) + (build << 64) + index),
    # Within every integer field's range (a lookup past it compiles to no condition at all).
    int: lambda build, index: 30_011 + 700 * build + index,
    date: lambda build, index: date(1911 + 40 * build + index, 3, 7),
    datetime: lambda build, index: datetime(1911 + 40 * build + index, 3, 7, 1, 2, 3, tzinfo=UTC),
}


def _adapters(kind: type, connection) -> list[Callable[[Any], Any]]:
    """How a value of ``kind`` may appear among the compiled parameters (as it is, or as the backend
    adapts a field's value, e.g. SQLite's dates as text)."""
    ops = connection.ops
    if kind is uuid.UUID:
        return [lambda value: value, lambda value: value.hex, str]
    if kind is date:
        return [lambda value: value, ops.adapt_datefield_value]
    if kind is datetime:
        return [lambda value: value, ops.adapt_datetimefield_value]
    return [lambda value: value]


def _name(builder) -> str:
    return f"{builder.__module__}.{builder.__qualname__}"


class TemplateError(Exception):
    """The builder's query cannot be compiled once for all values (see the module)."""


class _Template:
    def __init__(self, builder: Callable[..., QuerySet], kinds: dict[str, type], using: str):
        connection = connections[using]
        markers = {}
        for build in (0, 1):
            seen: dict[type, int] = {}
            for name, kind in kinds.items():
                index = seen[kind] = seen.get(kind, -1) + 1
                markers.setdefault(name, []).append(_MARKERS[kind](build, index))
        compiled = []
        for build in (0, 1):
            queryset = builder(**{name: pair[build] for name, pair in markers.items()})
            query = queryset.query
            compiler = query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            compiled.append((queryset, compiler, sql, list(params)))
        (queryset, compiler, sql, params), (_, _, other_sql, other_params) = compiled
        if sql != other_sql or len(params) != len(other_params):
            raise TemplateError(f"{_name(builder)}: the SQL depends on the values")
        if compiler.has_extra_select:
            raise TemplateError(f"{_name(builder)}: extra select columns are not supported")
        self.bindings: list[tuple[str | None, Callable | Any]] = []
        for position, (first, second) in enumerate(zip(params, other_params, strict=True)):
            self.bindings.append(self._binding(builder, markers, kinds, connection, position, first, second))
        missing = set(kinds) - {name for name, _ in self.bindings if name is not None}
        if missing:
            raise TemplateError(f"{_name(builder)}: {sorted(missing)} not found among the parameters")
        self.sql = sql
        self.count_sql = f"SELECT COUNT(*) FROM ({sql}) AS counted"
        self._builder, self._markers, self._using = builder, markers, using
        self.compiler = compiler
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        self.converters = compiler.get_converters(fields)
        query = queryset.query
        self.names = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )

    @staticmethod
    def _binding(builder, markers, kinds, connection, position, first, second):
        for name, pair in markers.items():
            for adapt in _adapters(kinds[name], connection):
                if first == adapt(pair[0]) and second == adapt(pair[1]):
                    return name, adapt
        if first != second:
            raise TemplateError(f"{_name(builder)}: parameter {position} is a computed value ({first!r})")
        if isinstance(first, date):
            raise TemplateError(f"{_name(builder)}: parameter {position} is a fixed date or time ({first!r})")
        return None, first

    @cached_property
    def pages(self) -> bool:
        """Whether a page is the SQL with the backend's LIMIT/OFFSET clause appended, as Django ends a
        sliced query (checked on a slice of the first build, the first time a page is asked for)."""
        connection = connections[self._using]
        queryset = self._builder(**{name: pair[0] for name, pair in self._markers.items()})[3:8]
        try:
            sliced = queryset.query.get_compiler(using=self._using).as_sql()[0]
        except EmptyResultSet:
            return False
        return sliced == f"{self.sql} {connection.ops.limit_offset_sql(3, 8)}"

    def params(self, values: dict[str, Any]) -> list:
        return [adapt(values[name]) if name is not None else adapt for name, adapt in self.bindings]


class CompiledValues:
    """``builder(**values)`` (a ``values()`` queryset) as a template compiled once per thread and
    database; ``kinds`` names each argument's type (``uuid.UUID``, ``int``, ``date`` or
    ``datetime``). Calling it runs the query with the given values and returns its rows as dicts."""

    def __init__(self, builder: Callable[..., QuerySet], **kinds: type):
        unsupported = {name: kind for name, kind in kinds.items() if kind not in _MARKERS}
        if unsupported:
            raise TemplateError(f"{_name(builder)}: no markers for {unsupported}")
        self.builder = builder
        self.kinds = kinds
        self._local = threading.local()  # a compiler holds its thread's connection

    def template(self, using: str = DEFAULT_DB_ALIAS) -> _Template:
        templates = self._local.__dict__.setdefault("templates", {})
        template = templates.get(using)
        if template is None:
            template = templates[using] = _Template(self.builder, self.kinds, using)
        return template

    def __call__(self, using: str = DEFAULT_DB_ALIAS, **values) -> list[dict]:
        template = self._checked(using, values)
        return self._rows(template, template.sql, values, using)

    def page(self, *, offset: int, limit: int, using: str = DEFAULT_DB_ALIAS, **values) -> list[dict]:
        """The rows ``offset`` to ``offset + limit`` (as the queryset sliced so would give)."""
        template = self._checked(using, values)
        if not template.pages:
            raise TemplateError(f"{_name(self.builder)}: its SQL cannot be sliced by appending LIMIT/OFFSET")
        if limit <= 0:
            return []  # (no LIMIT clause would say "all")
        clause = connections[using].ops.limit_offset_sql(offset, offset + limit)
        return self._rows(template, f"{template.sql} {clause}", values, using)

    def count(self, using: str = DEFAULT_DB_ALIAS, **values) -> int:
        """How many rows the query gives (``SELECT COUNT(*)`` of it)."""
        template = self._checked(using, values)
        with connections[using].cursor() as cursor:
            cursor.execute(template.count_sql, template.params(values))
            return cursor.fetchone()[0]

    def _checked(self, using: str, values: dict) -> _Template:
        if values.keys() != self.kinds.keys():
            raise TypeError(f"{_name(self.builder)} takes {sorted(self.kinds)}, got {sorted(values)}")
        return self.template(using)

    @staticmethod
    def _rows(template: _Template, sql: str, values: dict, using: str) -> list[dict]:
        with connections[using].cursor() as cursor:
            cursor.execute(sql, template.params(values))
            rows = cursor.fetchall()
        if template.converters:
            rows = template.compiler.apply_converters(rows, template.converters)
        names = template.names
        return [dict(zip(names, row, strict=True)) for row in rows]


class CompiledRows:
    """A compiled query's rows for the given values, sliced and counted the way Django's paginator
    slices and counts a queryset: a slice runs one page (``LIMIT``/``OFFSET``), ``count()`` a
    ``COUNT(*)`` of the whole query (which a short page spares: see ``learnflow.pagination``)."""

    ordered = True  # the builder's queryset says its order (the paginator warns of unordered lists)

    def __init__(self, compiled: CompiledValues, using: str = DEFAULT_DB_ALIAS, total: str | None = None, **values):
        """``total``: the name of a column, if the builder adds one, holding the number of rows of the
        whole query in each row (``learnflow.pagination.with_list_size``): a non-empty page then
        tells the count, and the column is taken out of the rows."""
        self.compiled, self.using, self.total, self.values = compiled, using, total, values
        self._count = None

    def __getitem__(self, index: slice) -> list[dict]:
        if not isinstance(index, slice) or index.step is not None or (index.start or 0) < 0 or index.stop is None:
            raise TypeError("CompiledRows only takes slices [start:stop]")
        start = index.start or 0
        rows = self.compiled.page(offset=start, limit=max(index.stop - start, 0), using=self.using, **self.values)
        if self.total is not None and self.total in self.compiled.template(self.using).names:
            for row in rows:
                self._count = row.pop(self.total)
        return rows

    def count(self) -> int:
        if self._count is None:
            self._count = self.compiled.count(using=self.using, **self.values)
        return self._count

    def __len__(self) -> int:
        return self.count()


def scalar(queryset: QuerySet, function: str = "COUNT", expression=None) -> Subquery:
    """``SELECT function(expression)`` over ``queryset`` (``COUNT(1)`` by default) as a scalar
    subquery: how the single-row reads gather several counts and sums into one query."""
    aggregated = queryset.order_by().values(n=Func(Value(1) if expression is None else expression, function=function))
    return Subquery(aggregated, output_field=IntegerField())
