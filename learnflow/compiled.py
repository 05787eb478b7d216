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

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func, IntegerField, QuerySet, Subquery, Value

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
        if values.keys() != self.kinds.keys():
            raise TypeError(f"{self.builder.__qualname__} takes {sorted(self.kinds)}, got {sorted(values)}")
        template = self.template(using)
        with connections[using].cursor() as cursor:
            cursor.execute(template.sql, template.params(values))
            rows = cursor.fetchall()
        if template.converters:
            rows = template.compiler.apply_converters(rows, template.converters)
        names = template.names
        return [dict(zip(names, row, strict=True)) for row in rows]


def scalar(queryset: QuerySet, function: str = "COUNT", expression=None) -> Subquery:
    """``SELECT function(expression)`` over ``queryset`` (``COUNT(1)`` by default) as a scalar
    subquery: how the single-row reads gather several counts and sums into one query."""
    aggregated = queryset.order_by().values(n=Func(Value(1) if expression is None else expression, function=function))
    return Subquery(aggregated, output_field=IntegerField())
