"""Stored HTML of earlier saves: no rel on <a> without href (imported WordPress buttons),
which the Nu HTML checker reports as an error. New saves are cleaned by blog.rendering."""

import re

from django.db import migrations

A_WITHOUT_HREF_REL = re.compile(r'<a\b((?:(?!\bhref=)[^>])*?) rel="noopener"((?:(?!\bhref=)[^>])*)>')


def forwards(apps, schema_editor):
    alias = schema_editor.connection.alias
    for model, fields in (("Post", ["body_html", "teaser_html"]), ("Page", ["body_html"])):
        Model = apps.get_model("blog", model)
        for obj in Model.objects.using(alias).filter(body_html__contains=' rel="noopener"').only("pk", *fields):
            changed = {f: A_WITHOUT_HREF_REL.sub(r"<a\1\2>", getattr(obj, f)) for f in fields}
            if any(changed[f] != getattr(obj, f) for f in fields):
                Model.objects.using(alias).filter(pk=obj.pk).update(**changed)


class Migration(migrations.Migration):
    dependencies = [("blog", "0008_post_search_index")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
