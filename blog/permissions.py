"""Helpers for the data migrations that give the groups ``Editors`` and ``Moderators`` rights.

Each app grants its own models' permissions in a migration of its own, so ``blog`` needs to
know nothing of the apps that plug into it.
"""

EDITORS = "Editors"
MODERATORS = "Moderators"


def grant(
    apps,
    schema_editor,
    *,
    group: str,
    app_label: str,
    models: list[str],
    actions=("add", "change", "delete", "view"),
):
    """Give ``group`` the model permissions, creating permissions and group as needed."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config(app_label)
    # Permissions are normally created after migrate; make sure they exist now.
    app_config.models_module = True  # a migration's AppConfigStub lacks it
    create_permissions(app_config, verbosity=0, apps=apps, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group_obj, _created = Group.objects.get_or_create(name=group)
    codenames = [f"{action}_{model}" for model in models for action in actions]
    permissions = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    group_obj.permissions.add(*permissions)


def revoke(apps, schema_editor, *, group: str, app_label: str):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group_obj = Group.objects.filter(name=group).first()
    if group_obj:
        group_obj.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label))
