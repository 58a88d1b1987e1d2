from django.db import migrations

from blog.permissions import MODERATORS, grant

MODELS = ["ban", "spammodel", "spamtoken"]


def grant_moderators(apps, schema_editor):
    grant(apps, schema_editor, group=MODERATORS, app_label="comments", models=MODELS)


class Migration(migrations.Migration):
    dependencies = [("comments", "0003_moderation_desk_bans_spamfilter")]

    operations = [migrations.RunPython(grant_moderators, migrations.RunPython.noop)]
