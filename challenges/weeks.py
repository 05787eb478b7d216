"""The challenge week: Monday 00:00 to Monday 00:00 in ``LEARNFLOW_WEEK_TIMEZONE``, one week for
everybody so that a leaderboard is fair."""

from datetime import date, datetime, timedelta

from django.conf import settings

from learnflow.timeutils import local_midnight, local_today, week_start, zone


def week_zone():
    return zone(settings.LEARNFLOW_WEEK_TIMEZONE)


def current_week(now: datetime | None = None) -> date:
    return week_start(local_today(week_zone(), now))


def week_of(instant: datetime) -> date:
    return week_start(instant.astimezone(week_zone()).date())


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    tz = week_zone()
    return local_midnight(tz, monday), local_midnight(tz, monday + timedelta(days=7))
