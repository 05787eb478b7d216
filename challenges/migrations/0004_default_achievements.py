from django.db import migrations

# The default achievements as they were when this migration was written.
DEFAULT_ACHIEVEMENTS = (
    ("first-focus", "First Focus", "Complete your first timed focus session.", "sessions", "total_sessions", 1, 10, "sparkles"),
    ("ten-sessions", "Getting Into Rhythm", "Complete 10 timed focus sessions.", "sessions", "total_sessions", 10, 25, "repeat"),
    ("hundred-sessions", "Centurion", "Complete 100 timed focus sessions.", "sessions", "total_sessions", 100, 100, "trophy"),
    ("first-hour", "First Hour", "Focus for 60 verified minutes in total.", "time", "total_focus_minutes", 60, 10, "clock"),
    ("deep-worker", "Deep Worker", "Focus for 10 verified hours in total.", "time", "total_focus_minutes", 600, 50, "brain"),
    ("marathon", "Marathon", "Focus for 50 verified hours in total.", "time", "total_focus_minutes", 3000, 150, "medal"),
    ("streak-3", "On a Roll", "Focus on 3 days in a row.", "streak", "streak_days", 3, 15, "flame"),
    ("streak-7", "Week Warrior", "Focus on 7 days in a row.", "streak", "streak_days", 7, 50, "fire"),
    ("streak-30", "Unstoppable", "Focus on 30 days in a row.", "streak", "streak_days", 30, 200, "volcano"),
    ("first-post", "Voice of the Community", "Write your first forum post.", "social", "community_posts", 1, 10, "chat"),
    ("challenger", "Challenger", "Complete a weekly challenge.", "challenges", "challenges_completed", 1, 20, "flag"),
    ("champion", "Champion", "Complete 10 weekly challenges.", "challenges", "challenges_completed", 10, 100, "crown"),
)


def install(apps, schema_editor):
    Achievement = apps.get_model("challenges", "Achievement")
    for code, name, description, category, requirement_type, value, points, icon in DEFAULT_ACHIEVEMENTS:
        Achievement.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "category": category,
                "requirement_type": requirement_type,
                "requirement_value": value,
                "points": points,
                "icon": icon,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("challenges", "0003_achievement_userachievement")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
