"""Recurring tasks: a validated subset of RFC 5545 RRULE, evaluated with python-dateutil.

Supported: ``FREQ`` (DAILY, WEEKLY, MONTHLY), ``INTERVAL`` (1-365), ``BYDAY`` (MO..SU, with DAILY or
WEEKLY), ``BYMONTHDAY`` (1..31 or -1..-31, with MONTHLY) and ``UNTIL`` (a date, ``YYYYMMDD``, the last
local day an occurrence may fall on). Examples: daily ``FREQ=DAILY``; weekdays
``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR``; every other Tuesday ``FREQ=WEEKLY;INTERVAL=2;BYDAY=TU``;
monthly on the 15th ``FREQ=MONTHLY;BYMONTHDAY=15``; last day of the month ``BYMONTHDAY=-1``.

Occurrences keep their local wall-clock time in the user's timezone across DST changes.
"""

import calendar
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError

from learnflow.dates import MAX_DATE, MAX_YEAR, MIN_YEAR, date_in_range, datetime_in_range

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_LENGTH = 200
_UNTIL = re.compile(r"^\d{8}$")


def _fail(message: str):
    raise ValidationError(message)


def recurrence_normalize(rule: str) -> str:
    """The canonical form of ``rule`` (upper case, parts in a fixed order); raises ``ValidationError``."""
    text = rule.strip().upper().removeprefix("RRULE:")
    if not text:
        return ""
    if len(text) > MAX_LENGTH:
        _fail(f"A recurrence rule has at most {MAX_LENGTH} characters.")
    parts: dict[str, str] = {}
    for chunk in text.split(";"):
        key, sep, value = chunk.partition("=")
        if not sep or not value:
            _fail(f"“{chunk}” is not a KEY=VALUE part of a recurrence rule.")
        if key in parts:
            _fail(f"{key} appears twice.")
        parts[key] = value
    unknown = set(parts) - {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL"}
    if unknown:
        _fail(f"Unsupported recurrence part(s): {', '.join(sorted(unknown))}.")
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        _fail("FREQ must be DAILY, WEEKLY or MONTHLY.")
    if "INTERVAL" in parts and not (parts["INTERVAL"].isdigit() and 1 <= int(parts["INTERVAL"]) <= 365):
        _fail("INTERVAL must be a whole number from 1 to 365.")
    if "BYDAY" in parts:
        if freq == "MONTHLY":
            _fail("BYDAY goes with DAILY or WEEKLY.")
        days = parts["BYDAY"].split(",")
        if not days or any(day not in WEEKDAYS for day in days) or len(set(days)) != len(days):
            _fail("BYDAY is a list of distinct days from MO, TU, WE, TH, FR, SA, SU.")
        parts["BYDAY"] = ",".join(sorted(days, key=WEEKDAYS.index))
    if "BYMONTHDAY" in parts:
        if freq != "MONTHLY":
            _fail("BYMONTHDAY goes with MONTHLY.")
        try:
            monthdays = [int(d) for d in parts["BYMONTHDAY"].split(",")]
        except ValueError:
            monthdays = [0]
        if any(d == 0 or not -31 <= d <= 31 for d in monthdays):
            _fail("BYMONTHDAY is a list of days from 1 to 31 (or -1 to -31 counting from the month's end).")
    if "UNTIL" in parts:
        if not _UNTIL.match(parts["UNTIL"]):
            _fail("UNTIL is a date written YYYYMMDD.")
        try:
            until = datetime.strptime(parts["UNTIL"], "%Y%m%d").date()
        except ValueError:
            _fail("UNTIL is not a valid date.")
        if not date_in_range(until):
            _fail(f"UNTIL is a date in the years {MIN_YEAR} to {MAX_YEAR}.")
    order = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL")
    return ";".join(f"{key}={parts[key]}" for key in order if key in parts)


def validate_recurrence(rule: str) -> None:
    recurrence_normalize(rule)


def _parts(rule: str) -> dict[str, str]:
    return dict(chunk.split("=", 1) for chunk in rule.split(";"))


def _months_between(start: datetime, end: datetime) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _anchor_near(parts: dict[str, str], anchor: datetime, floor: datetime) -> datetime:
    """An anchor of the same series no later than ``floor``, at most about two periods before it.

    The rule repeats every ``INTERVAL`` days, weeks or months counted from the anchor, so moving the
    anchor forward by whole periods (keeping its local wall-clock time) changes no occurrence after
    ``floor``. A monthly rule moves to the 1st of the month, its day being in ``BYMONTHDAY``."""
    interval = int(parts.get("INTERVAL", "1"))
    if parts["FREQ"] == "MONTHLY":
        periods = _months_between(anchor, floor) // interval - 1
        if periods <= 0:
            return anchor
        months = anchor.year * 12 + anchor.month - 1 + periods * interval
        return anchor.replace(year=months // 12, month=months % 12 + 1, day=1)
    step = timedelta(days=interval * (7 if parts["FREQ"] == "WEEKLY" else 1))
    periods = (floor - anchor) // step - 1
    return anchor + step * periods if periods > 0 else anchor


def _can_occur(parts: dict[str, str], anchor: datetime) -> bool:
    """Whether the rule has any occurrence at all. One that has none (``FREQ=DAILY;INTERVAL=7;BYDAY=MO``
    anchored on a Tuesday, the 31st of every 12th April) would otherwise be searched to year 9999."""
    interval = int(parts.get("INTERVAL", "1"))
    if parts["FREQ"] == "DAILY" and "BYDAY" in parts:
        weekdays = {(anchor.weekday() + step * interval) % 7 for step in range(7)}
        return any(WEEKDAYS.index(day) in weekdays for day in parts["BYDAY"].split(","))
    if parts["FREQ"] == "MONTHLY":
        days = {abs(int(day)) for day in parts["BYMONTHDAY"].split(",")}
        months = {(anchor.month - 1 + step * interval) % 12 + 1 for step in range(12)}
        if any(day <= calendar.monthrange(2001, month)[1] for month in months for day in days):
            return True
        # Only a 29 February fits, so the rule visits February alone, every interval / 12 years.
        return 29 in days and any(calendar.isleap(anchor.year + step * interval // 12) for step in range(400))
    return True


def next_occurrence(rule: str, *, after: datetime, not_before: datetime, tz: ZoneInfo) -> datetime | None:
    """The rule's first occurrence later than both ``after`` (the current due date, which anchors
    the rule) and ``not_before`` (now: occurrences missed while the task was overdue are skipped).
    ``None`` once the rule has ended, when it never occurs, and outside the dates LearnFlow stores
    (years 1900 to 2200, see ``learnflow.dates``).

    It takes the same time however far apart the anchor and now are: the anchor is first moved by
    whole periods to just before now, so a task due in 1900 does not walk every day since then, and
    a rule with no occurrence at all is not searched."""
    if not datetime_in_range(after):
        return None
    parts = _parts(recurrence_normalize(rule))
    anchor = after.astimezone(tz).replace(tzinfo=None)
    floor = max(after, not_before).astimezone(tz).replace(tzinfo=None)
    if parts["FREQ"] == "MONTHLY":
        parts.setdefault("BYMONTHDAY", str(anchor.day))
    if not _can_occur(parts, anchor):
        return None
    last = MAX_DATE
    if "UNTIL" in parts:
        last = min(last, datetime.strptime(parts["UNTIL"], "%Y%m%d").date())
    parts["UNTIL"] = f"{last:%Y%m%d}T235959"
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    series = rrulestr(text, dtstart=_anchor_near(parts, anchor, floor))
    upcoming = series.after(floor, inc=False)
    while upcoming is not None:
        due = _instant_after(upcoming, tz, max(after, not_before))
        if due is not None:
            return due if datetime_in_range(due) else None
        upcoming = series.after(upcoming, inc=False)
    return None


def _instant_after(wall: datetime, tz: ZoneInfo, floor: datetime) -> datetime | None:
    """The instant (UTC) of the local ``wall`` time that is later than ``floor``: its first one when
    the clock shows it twice (the autumn fold) unless that one has passed, the second one then; a
    time the clock skips (the spring gap) reads with the offset before the change, so 02:30 in
    Berlin's gap is due at 03:30 CEST. ``None`` when both have passed: in a fold, ``floor`` can be
    past a wall time later than the one its own clock shows."""
    utc = ZoneInfo("UTC")
    first, second = (wall.replace(tzinfo=tz, fold=fold).astimezone(utc) for fold in (0, 1))
    if first > floor:
        return first
    if second > first and second > floor:
        return second
    return None
