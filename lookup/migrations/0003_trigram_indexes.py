"""Trigram GIN indexes for the folded search columns, on PostgreSQL only.

``search_text LIKE '%quan 4%'`` cannot use a B-tree index; a ``pg_trgm``
GIN index serves it and the similarity operators behind "did you mean".
The indexes are not declared on the models (SQLite has no GIN), so this
migration creates them only when the database is PostgreSQL; elsewhere it
does nothing and ``makemigrations --check`` stays clean.
"""

from django.db import migrations

TABLES = [
    "lookup_office",
    "lookup_medicalfacility",
    "lookup_employerunit",
    "lookup_collectionpoint",
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm "
            f"ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("lookup", "0002_facilities_employers_collection_points")]

    operations = [migrations.RunPython(create_trigram_indexes, drop_trigram_indexes)]
