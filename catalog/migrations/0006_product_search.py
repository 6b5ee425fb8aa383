"""French search of products: a text search configuration without accents, an indexable
``unaccent``, the stored search vector with its GIN index, a trigram index on titles, and
the vectors of the products that already exist.

The extensions ``unaccent`` and ``pg_trgm`` come from migration 0001. Everything here is
reversible; it runs on PostgreSQL 14 and later (the SQL-standard function body binds
``unaccent`` and its dictionary when the function is created, whatever the ``search_path``
is later — PostgreSQL 15 on CI, 18 in the embedded wheel).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations

import catalog.models

# French stemming of words stripped of their accents: « Pâtés » and « pate » both become
# 'pat'. Only the word token types that may carry accents need unaccent (asciiword,
# asciihword… have none); the rest is copied from the built-in ``french``.
CREATE_CONFIGURATION = """
CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION french_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
"""
DROP_CONFIGURATION = "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent;"

# unaccent() is STABLE (its dictionary could change), so PostgreSQL refuses it in an index
# expression; this wrapper promises immutability, which holds as long as nobody edits the
# unaccent.rules file of the server — the usual, documented way to index unaccented text.
CREATE_FUNCTION = """
CREATE FUNCTION catalog_immutable_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
BEGIN ATOMIC
    SELECT unaccent('unaccent'::regdictionary, $1);
END;
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS catalog_immutable_unaccent(text);"

# The same weights as catalog.search.search_vectors_refresh, as they are at this migration
# (a migration must not import code that will change later).
BACKFILL = """
UPDATE catalog_product AS p SET search_vector =
    setweight(to_tsvector('french_unaccent', p.title), 'A')
    || setweight(to_tsvector('french_unaccent', coalesce((
        SELECT concat_ws(' ', c.name, parent.name)
        FROM catalog_category AS c
        LEFT JOIN catalog_category AS parent ON parent.id = c.parent_id
        WHERE c.id = p.category_id
    ), '')), 'B')
    || setweight(to_tsvector('french_unaccent', p.description), 'C');
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_import_job_labels"),
        ("merchants", "0002_merchant_social_links_story_storyimage_and_more"),
    ]

    operations = [
        migrations.RunSQL(CREATE_CONFIGURATION, DROP_CONFIGURATION),
        migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION),
        migrations.AddField(
            model_name="product",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True, verbose_name="search vector"
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="catalog_product_search"
            ),
        ),
        migrations.AddIndex(
            model_name="product",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    catalog.models.ImmutableUnaccent(
                        django.db.models.functions.text.Lower("title")
                    ),
                    name="gin_trgm_ops",
                ),
                name="catalog_product_title_trgm",
            ),
        ),
        # Backwards, the column goes with its data: nothing to undo.
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
