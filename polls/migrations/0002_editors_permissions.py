from django.db import migrations

from blog.permissions import EDITORS, grant, revoke


def grant_polls(apps, schema_editor):
    grant(apps, schema_editor, group=EDITORS, app_label="polls", models=["poll", "choice", "ballot", "vote"])


def revoke_polls(apps, schema_editor):
    revoke(apps, schema_editor, group=EDITORS, app_label="polls")


class Migration(migrations.Migration):
    dependencies = [
        ("polls", "0001_initial"),
        ("blog", "0002_groups"),
    ]

    operations = [migrations.RunPython(grant_polls, revoke_polls)]
