"""PostgreSQL keeps posts' search vectors itself: a trigger on every insert and update, and a
GIN index. Other databases have no full-text search and skip this migration's SQL."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION blog_post_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('german', coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('german', coalesce(NEW.excerpt, '')), 'B') ||
        setweight(to_tsvector('german', coalesce(NEW.body, '')), 'C');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS blog_post_search_vector_update ON blog_post;
CREATE TRIGGER blog_post_search_vector_update
    BEFORE INSERT OR UPDATE OF title, excerpt, body ON blog_post
    FOR EACH ROW EXECUTE FUNCTION blog_post_search_vector();

CREATE INDEX IF NOT EXISTS blog_post_search_vector_gin ON blog_post USING GIN (search_vector);

UPDATE blog_post SET title = title;
"""

DROP = """
DROP INDEX IF EXISTS blog_post_search_vector_gin;
DROP TRIGGER IF EXISTS blog_post_search_vector_update ON blog_post;
DROP FUNCTION IF EXISTS blog_post_search_vector();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("blog", "0003_post_search_vector")]

    operations = [migrations.RunPython(forwards, backwards)]
