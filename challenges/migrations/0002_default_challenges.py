from django.db import migrations

# The seed's three weekly challenges, as they were when this migration was written.
DEFAULTS = (
    ("Healthy Boundaries", "Log off before 5pm for 5 days", "shutdown", 5),
    ("Focus Sprint Master", "Complete 10 focus sessions", "focus", 10),
    ("Break Champion", "Take proper breaks during 5 work sessions", "break", 5),
)


def install(apps, schema_editor):
    Challenge = apps.get_model("challenges", "Challenge")
    for name, description, challenge_type, target in DEFAULTS:
        Challenge.objects.get_or_create(
            name=name,
            defaults={"description": description, "points": 75, "challenge_type": challenge_type, "target_value": target},
        )


class Migration(migrations.Migration):
    dependencies = [("challenges", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
