from django.db import migrations

from blog.permissions import EDITORS, MODERATORS, grant, revoke


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=EDITORS)
    Group.objects.get_or_create(name=MODERATORS)
    grant(
        apps,
        schema_editor,
        group=EDITORS,
        app_label="blog",
        models=["post", "page", "category", "tag", "image", "authorprofile"],
    )


def remove_blog_permissions(apps, schema_editor):
    revoke(apps, schema_editor, group=EDITORS, app_label="blog")


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_blog_permissions)]
