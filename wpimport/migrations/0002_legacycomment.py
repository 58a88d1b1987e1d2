import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0001_initial"),
        ("wpimport", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="LegacyComment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("site", models.CharField(max_length=200, verbose_name="WordPress site")),
                ("wp_id", models.PositiveBigIntegerField(verbose_name="WordPress id")),
                (
                    "comment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="legacy", to="comments.comment"
                    ),
                ),
            ],
            options={
                "verbose_name": "imported WordPress comment",
                "verbose_name_plural": "imported WordPress comments",
                "constraints": [
                    models.UniqueConstraint(fields=("site", "wp_id"), name="wpimport_comment_once_per_site")
                ],
            },
        ),
    ]
