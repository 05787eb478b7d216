"""The avatar a user gave as a URL moves to ``avatar_source``; ``avatar_url`` becomes the model's
property that also covers uploaded avatars and the generated default (``accounts.avatars``)."""

from django.db import migrations, models

import learnflow.validators


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_data_export"),
    ]

    operations = [
        migrations.RenameField(model_name="user", old_name="avatar_url", new_name="avatar_source"),
        migrations.AlterField(
            model_name="user",
            name="avatar_source",
            field=models.CharField(
                blank=True,
                help_text="An avatar the user gave as a URL (shown as given); empty for an uploaded one or none.",
                max_length=500,
                null=True,
                validators=[learnflow.validators.WebURLValidator()],
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="avatar_key",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                help_text="Stem of the uploaded avatar's stored renditions (avatars/<user id>/<random>).",
                max_length=200,
            ),
        ),
    ]
