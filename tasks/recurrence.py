"""Recurring tasks: a validated subset of RFC 5545 RRULE, evaluated with python-dateutil.

Supported: ``FREQ`` (DAILY, WEEKLY, MONTHLY), ``INTERVAL`` (1-365), ``BYDAY`` (MO..SU, with DAILY or
WEEKLY), ``BYMONTHDAY`` (1..31 or -1..-31, with MONTHLY) and ``UNTIL`` (a date, ``YYYYMMDD``, the last
local day an occurrence may fall on). Examples: daily ``FREQ=DAILY``; weekdays
``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR``; every other Tuesday ``FREQ=WEEKLY;INTERVAL=2;BYDAY=TU``;
monthly on the 15th ``FREQ=MONTHLY;BYMONTHDAY=15``; last day of the month ``BYMONTHDAY=-1``.

Occurrences keep their local wall-clock time in the user's timezone across DST changes.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError

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
            datetime.strptime(parts["UNTIL"], "%Y%m%d")
        except ValueError:
            _fail("UNTIL is not a valid date.")
    order = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL")
    return ";".join(f"{key}={parts[key]}" for key in order if key in parts)


def validate_recurrence(rule: str) -> None:
    recurrence_normalize(rule)


def next_occurrence(rule: str, *, after: datetime, not_before: datetime, tz: ZoneInfo) -> datetime | None:
    """The rule's first occurrence later than both ``after`` (the current due date, which anchors
    the rule) and ``not_before`` (now: occurrences missed while the task was overdue are skipped).
    ``None`` once the rule has ended."""
    rule = recurrence_normalize(rule)
    rule = re.sub(r"UNTIL=(\d{8})", r"UNTIL=\1T235959", rule)
    anchor = after.astimezone(tz).replace(tzinfo=None)
    floor = max(after, not_before).astimezone(tz).replace(tzinfo=None)
    upcoming = rrulestr(rule, dtstart=anchor).after(floor, inc=False)
    if upcoming is None:
        return None
    return upcoming.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))
