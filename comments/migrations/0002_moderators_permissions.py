from django.db import migrations

from blog.permissions import MODERATORS, grant, revoke

MODELS = ["comment", "commentevent", "commentreport", "subscription", "moderationsettings"]


def grant_moderators(apps, schema_editor):
    grant(apps, schema_editor, group=MODERATORS, app_label="comments", models=MODELS)


def revoke_moderators(apps, schema_editor):
    revoke(apps, schema_editor, group=MODERATORS, app_label="comments")


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("blog", "0002_groups"),
    ]

    operations = [migrations.RunPython(grant_moderators, revoke_moderators)]
