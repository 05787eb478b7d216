"""Rank histograms: how many users hold each score of a board, so a rank is one more than the sum of
the counts above a score, costing the number of distinct scores above it (a few hundred) instead of
a ``COUNT`` of every user above it (tens of thousands at 100k users).

A histogram table (``FocusScoreCount`` beside ``FocusTotal``, ``WeeklyPointsCount`` beside
``UserPoints``) is kept by PostgreSQL statement triggers on the totals table, in the transaction of
the statement that writes the totals, whatever wrote them: a service's ``save`` or ``bulk_update``,
a ``QuerySet.update``, the bulk paths' ``COPY`` and ``UPDATE ... FROM unnest``, a cascade from a
deleted account, the admin. Each trigger folds the statement's old and new rows (its transition
tables) into one delta per score and applies them in one upsert in key order, so two writers
updating at once lock the histogram's rows in the same order (no deadlock between statements of
this kind) and neither loses the other's delta (``users = users + delta`` under the row lock).
Only scores above zero are counted (a board lists nobody at 0).

``rebuild`` recomputes a histogram from its totals exactly (the nightly repair and the weekly reset
call it): it first takes the histogram table in ``EXCLUSIVE`` mode, which waits for every writer
whose delta is not committed yet and holds new ones back until it commits, so what it counts and
what it writes agree; a writer held back applies its delta, taken from its locked old row, on top.

Elsewhere than PostgreSQL (the embedded SQLite default: one user, a small database) there are no
triggers and ``ranks_above`` is a plain ``COUNT``; ``is_kept`` says which.
"""

from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class Histogram:
    """``counts`` (a table) holds, per ``keys`` + ``score``, how many rows of ``totals`` have them."""

    totals: str
    counts: str
    keys: tuple[str, ...]
    score: str

    @property
    def _columns(self) -> str:
        return ", ".join((*self.keys, self.score))

    def _where(self, alias: str) -> str:
        present = " AND ".join(f"{alias}.{key} IS NOT NULL" for key in self.keys)
        return f"{alias}.{self.score} > 0" + (f" AND {present}" if present else "")

    def _upsert(self, source: str) -> str:
        columns = self._columns
        return (
            f"INSERT INTO {self.counts} ({columns}, users) "
            f"SELECT {columns}, sum(delta) FROM ({source}) AS d GROUP BY {columns} HAVING sum(delta) <> 0 "
            f"ORDER BY {columns} "
            f"ON CONFLICT ({columns}) DO UPDATE SET users = {self.counts}.users + EXCLUDED.users"
        )

    def _function(self, name: str, source: str) -> str:
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"{self._upsert(source)}; RETURN NULL; END $$"
        )

    def _rows(self, table: str, delta: int) -> str:
        return f"SELECT {self._columns}, {delta} AS delta FROM {table} AS r WHERE {self._where('r')}"

    def install_sql(self) -> list[str]:
        """The trigger functions and statement triggers, then the histogram of the rows already there."""
        base = self.counts
        statements = [
            self._function(f"{base}_on_insert", self._rows("new_rows", 1)),
            self._function(f"{base}_on_update", f"{self._rows('old_rows', -1)} UNION ALL {self._rows('new_rows', 1)}"),
            self._function(f"{base}_on_delete", self._rows("old_rows", -1)),
        ]
        for event, tables in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        ):
            statements.append(
                f"CREATE TRIGGER {base}_{event} AFTER {event.upper()} ON {self.totals} "
                f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {base}_on_{event}()"
            )
        statements.append(self._fill_sql())
        return statements

    def uninstall_sql(self) -> list[str]:
        base = self.counts
        return [
            f"DROP TRIGGER IF EXISTS {base}_{event} ON {self.totals}" for event in ("insert", "update", "delete")
        ] + [f"DROP FUNCTION IF EXISTS {base}_on_{event}()" for event in ("insert", "update", "delete")]

    def _fill_sql(self) -> str:
        columns = self._columns
        return (
            f"INSERT INTO {self.counts} ({columns}, users) SELECT {columns}, count(*) FROM {self.totals} AS r "
            f"WHERE {self._where('r')} GROUP BY {columns} ORDER BY {columns}"
        )

    def rebuild(self) -> None:
        """Recompute the whole histogram from the totals (see the module's docstring)."""
        if not is_kept():
            return
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {self.counts} IN EXCLUSIVE MODE")
            cursor.execute(f"DELETE FROM {self.counts}")
            cursor.execute(self._fill_sql())


def is_kept() -> bool:
    """Whether the histograms exist and are kept (PostgreSQL)."""
    return connection.vendor == "postgresql"


def install(histogram: Histogram):
    """A migration operation installing ``histogram``'s triggers and filling it (PostgreSQL only)."""
    from django.db import migrations

    def forward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in histogram.install_sql():
                schema_editor.execute(statement)

    def backward(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in histogram.uninstall_sql():
                schema_editor.execute(statement)

    return migrations.RunPython(forward, backward, elidable=False)
