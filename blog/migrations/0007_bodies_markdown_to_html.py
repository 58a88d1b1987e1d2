"""Bodies were Markdown with raw HTML; the editor stores HTML. Convert every body once.

Imported WordPress bodies are HTML blocks already and pass through unchanged; single line
breaks (an address) become <br>. The rendered body_html is refreshed from the new body.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from blog.legacy import markdown_to_editor_html
    from blog.rendering import render_post_body

    for model_name in ("Post", "Page"):
        model = apps.get_model("blog", model_name)
        for row in model.objects.only("pk", "body").iterator(chunk_size=500):
            body = markdown_to_editor_html(row.body)
            # Historical models have no custom save(): render here, with today's renderer.
            model.objects.filter(pk=row.pk).update(body=body, body_html=render_post_body(body))


class Migration(migrations.Migration):
    dependencies = [("blog", "0006_post_autosave")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
