"""Fixed queries of a hot path, built by the ORM once and then run without building them again.

Building and compiling a query costs Django about ten times what the database needs to answer a
lookup by key (bench/README.md). The check-in runs the same few queries with new values on every
report, so it keeps them compiled: the ORM writes each query once per database connection alias,
with stand-in values for the parameters, and later runs put the real values in their places.

Parameters are plain ``int`` or ``str`` values that the database takes as they are (keys, hashes);
anything else is written into the query when it is built.

On PostgreSQL these queries also run as prepared statements (server-side binding, ``PREPARE`` once
per connection), so the database parses and plans each once per connection too. Behind a
connection pooler in transaction mode that needs PgBouncer 1.21 or later, else set
DESKSIDE_DB_PREPARED_STATEMENTS=0 (README). While nothing watches the queries there, they run on
one psycopg cursor kept per connection (``_kept_cursor``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models
from django.db.models import Value
from django.db.models.query import ModelIterable, ValuesListIterable
from django.db.models.sql import UpdateQuery

ModelT = TypeVar("ModelT", bound=models.Model)

# Stand-ins for the parameters while the ORM builds the query: values no real call passes.
_INT_BASE = -(2**52)


def _stand_in(index: int, kind: type) -> Any:
    if kind is int:
        return _INT_BASE - index
    if kind is str:
        return f"\x1fprepared-parameter-{index}\x1f"
    raise TypeError(f"a prepared parameter is an int or a str, not {kind.__name__}")


def _slots(params: Sequence[Any], stand_ins: Mapping[str, Any]) -> list[tuple[str | None, Any]]:
    """For each compiled parameter, the name of the call's parameter that goes there, or None and
    the value the ORM wrote (a constant of the query)."""
    by_value = {(type(value), value): name for name, value in stand_ins.items()}
    slots = [(by_value.get((type(value), value)), value) for value in params]
    missing = set(stand_ins) - {name for name, _value in slots if name is not None}
    if missing:
        raise ImproperlyConfigured(
            f"prepared query: parameters not in the query: {sorted(missing)}"
        )
    return slots


@lru_cache(maxsize=1)
def _preparing_cursor() -> type:
    """A psycopg cursor (Django's, binding on the server) that prepares what it executes."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)  # type: ignore[misc]

    return PreparingCursor


def _cursor(connection: Any) -> Any:
    """A cursor of ``connection`` (wrapped as Django wraps its own, so queries are logged and
    execute wrappers apply); on PostgreSQL one that binds on the server and prepares."""
    # While queries are logged (DEBUG, tests counting queries) Django reads the statement back
    # from the cursor, which psycopg does not keep for a prepared one: run it unprepared then.
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_preparing_cursor()(connection.connection))


def _kept_cursor(connection: Any) -> Any | None:
    """On PostgreSQL, while nothing watches the queries (no query log, no execute wrapper), one
    preparing psycopg cursor per database connection, kept and used again: making a cursor and
    Django's wrapper of it for each statement cost about a twelfth of a check-in (bench/README.md).
    None otherwise, and ``_cursor`` gives one that Django logs and wraps. Django's checks that
    do not depend on the wrapper still run: the health check, connecting, a broken transaction."""
    if connection.vendor != "postgresql" or connection.queries_logged:
        return None
    if connection.execute_wrappers:
        return None
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    raw = connection.connection
    kept = getattr(connection, "_deskside_kept_cursor", None)
    if kept is None or kept[0] is not raw or kept[1].closed:  # a new connection: a new cursor
        kept = (raw, _preparing_cursor()(raw))
        connection._deskside_kept_cursor = kept
    return kept[1]


def _run(
    connection: Any, sql: str, params: list[Any], *, fetch: bool
) -> tuple[list[tuple[Any, ...]], int]:
    """Run one statement: its rows (when ``fetch``) and its row count."""
    cursor = _kept_cursor(connection)
    if cursor is not None:
        with connection.wrap_database_errors:
            cursor.execute(sql, params)
            return (cursor.fetchall() if fetch else []), int(cursor.rowcount)
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        return (cursor.fetchall() if fetch else []), int(cursor.rowcount)


def _values(slots: list[tuple[str | None, Any]], given: Mapping[str, Any]) -> list[Any]:
    return [value if name is None else given[name] for name, value in slots]


@dataclass(frozen=True)
class _CompiledSelect:
    sql: str
    slots: list[tuple[str | None, Any]]
    converters: dict[int, Any]
    compiler: Any
    model: type[models.Model] | None
    fields: tuple[int, int, list[str]] | None  # the model's columns: start, end, attnames
    annotations: dict[str, int]


class PreparedSelect(Generic[ModelT]):
    """A select built by ``build(**parameters)``: ``objects(...)`` gives model instances (for a
    queryset of models, without select_related), ``rows(...)`` the rows as tuples (for either
    kind, values_list included), both converted as the ORM converts them."""

    def __init__(self, build: Callable[..., models.QuerySet[Any]], **parameters: type) -> None:
        self._build = build
        self._parameters = parameters
        self._compiled: dict[str, _CompiledSelect] = {}

    def _compile(self, using: str) -> _CompiledSelect:
        found = self._compiled.get(using)
        if found is not None:
            return found
        connection = connections[using]
        stand_ins = {
            name: _stand_in(index, kind)
            for index, (name, kind) in enumerate(self._parameters.items())
        }
        queryset = self._build(**stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        columns = [column for column, _sql, _alias in compiler.select]
        model, fields = None, None
        if queryset._iterable_class is ModelIterable:
            info = compiler.klass_info
            if info.get("related_klass_infos"):
                raise ImproperlyConfigured("prepared query: select_related is not supported")
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            attnames = [column.target.attname for column in columns[start:end]]
            model, fields = info["model"], (start, end, attnames)
        elif queryset._iterable_class is not ValuesListIterable:
            raise ImproperlyConfigured("prepared query: a queryset of models or of values_list")
        found = _CompiledSelect(
            sql=sql,
            slots=_slots(params, stand_ins),
            converters=compiler.get_converters(columns),
            compiler=compiler,
            model=model,
            fields=fields,
            annotations=dict(compiler.annotation_col_map or {}),
        )
        self._compiled[using] = found
        return found

    def rows(self, *, using: str = "default", **given: Any) -> list[tuple[Any, ...]]:
        compiled = self._compile(using)
        rows, _count = _run(
            connections[using], compiled.sql, _values(compiled.slots, given), fetch=True
        )
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [tuple(row) for row in rows]

    def objects(self, *, using: str = "default", **given: Any) -> Iterator[ModelT]:
        compiled = self._compile(using)
        if compiled.model is None or compiled.fields is None:
            raise ImproperlyConfigured("prepared query: rows() for a values_list query")
        start, end, attnames = compiled.fields
        for row in self.rows(using=using, **given):
            instance = compiled.model.from_db(using, attnames, row[start:end])
            for name, position in compiled.annotations.items():
                setattr(instance, name, row[position])
            yield instance  # type: ignore[misc]

    def first(self, *, using: str = "default", **given: Any) -> ModelT | None:
        return next(self.objects(using=using, **given), None)


class PreparedUpdate:
    """``UPDATE <model> SET <fields> WHERE pk = <pk>``, with values prepared per field as
    ``QuerySet.update`` prepares them."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        self._model = model
        self._fields: list[models.Field[Any, Any]] = [
            model._meta.get_field(name)  # type: ignore[misc]
            for name in fields
        ]
        self._compiled: dict[str, str] = {}

    def _compile(self, using: str) -> str:
        found = self._compiled.get(using)
        if found is None:
            pk = _stand_in(0, int)
            stand_ins = [_stand_in(index + 1, int) for index in range(len(self._fields))]
            query: Any = self._model._base_manager.filter(pk=pk).query.chain(UpdateQuery)
            query.add_update_fields(
                [
                    (field, None, Value(value))
                    for field, value in zip(self._fields, stand_ins, strict=True)
                ]
            )
            sql, params = query.get_compiler(using).as_sql()
            if list(params) != [*stand_ins, pk]:
                raise ImproperlyConfigured("prepared update: unexpected parameters")
            found = self._compiled[using] = sql
        return found

    def run(self, *, pk: int, values: Mapping[str, Any], using: str = "default") -> int:
        """Write ``values`` (one for each field) to the row ``pk``; the number of rows changed."""
        sql = self._compile(using)
        connection = connections[using]
        params = [field.get_db_prep_save(values[field.name], connection) for field in self._fields]
        return _run(connection, sql, [*params, pk], fetch=False)[1]
