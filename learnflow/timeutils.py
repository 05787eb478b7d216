"""The one place that answers "what day is it for this user?".

Days are the user's local calendar days in their IANA timezone; their bounds are computed from the
local midnights, so a day across a DST change lasts 23 or 25 hours, as it does on the user's clock.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def zone(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or settings.DEFAULT_USER_TIMEZONE)


def user_zone(user) -> ZoneInfo:
    return zone(getattr(user, "timezone", None))


def local_now(tz: ZoneInfo, now: datetime | None = None) -> datetime:
    return (now or timezone.now()).astimezone(tz)


def local_today(tz: ZoneInfo, now: datetime | None = None) -> date:
    return local_now(tz, now).date()


def local_midnight(tz: ZoneInfo, day: date) -> datetime:
    """The instant the local ``day`` begins, as an aware UTC datetime."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(ZoneInfo("UTC"))


def local_day_bounds(tz: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` of the local ``day`` in UTC."""
    return local_midnight(tz, day), local_midnight(tz, day + timedelta(days=1))


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def rewall(instant: datetime, old: ZoneInfo, new: ZoneInfo) -> datetime:
    """The instant showing the same wall-clock time in ``new`` as ``instant`` shows in ``old``."""
    wall = instant.astimezone(old).replace(tzinfo=None)
    return wall.replace(tzinfo=new).astimezone(ZoneInfo("UTC"))


def day_runs(days: list[date]) -> tuple[int, date | None, date | None]:
    """For sorted distinct ``days``: the longest run of consecutive days, and the first and last day
    of the final run."""
    longest, start, previous = 0, None, None
    for day in days:
        if previous is None or day != previous + timedelta(days=1):
            start = day
        previous = day
        longest = max(longest, (day - start).days + 1)
    return longest, start, previous
