"""The search index: an FTS5 table of German stems on SQLite; on PostgreSQL the post's
search vector gains tags, categories and the author. Both are built here for existing posts;
blog.signals keeps them in step afterwards (blog/search.py)."""

from django.db import migrations

FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS blog_post_fts USING fts5("
    "title, tags, author, excerpt, body, tokenize = 'unicode61 remove_diacritics 2')"
)


def build(apps, schema_editor):
    from blog import rendering, search

    conn = schema_editor.connection
    if conn.vendor == "sqlite":
        from django.db import OperationalError

        try:
            schema_editor.execute(FTS_CREATE)
        except OperationalError as error:
            raise RuntimeError(
                "This Python's SQLite lacks the FTS5 extension that search needs; "
                "use a Python built with a current SQLite (Debian's and python.org's have it)."
            ) from error
    elif conn.vendor != "postgresql":
        return
    Post = apps.get_model("blog", "Post")
    posts = Post.objects.using(conn.alias).select_related("author").prefetch_related("tags", "categories")
    documents = []
    for post in posts.iterator(chunk_size=500):
        profile = apps.get_model("blog", "AuthorProfile").objects.using(conn.alias).filter(user=post.author).first()
        full_name = f"{post.author.first_name} {post.author.last_name}".strip()
        documents.append(
            search.Document(
                pk=post.pk,
                title=post.title,
                tags=" ".join([t.name for t in post.tags.all()] + [c.name for c in post.categories.all()]),
                author=(profile.display_name if profile and profile.display_name else "")
                or full_name
                or post.author.username,
                excerpt=post.excerpt,
                body=rendering.plain_text(post.body_html),
            )
        )
    search.index_documents(documents, using=conn.alias)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS blog_post_fts")


class Migration(migrations.Migration):
    dependencies = [("blog", "0007_bodies_markdown_to_html")]

    operations = [migrations.RunPython(build, drop)]
