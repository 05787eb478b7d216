"""The next occurrence of a rule, for any rule of the subset, any IANA zone and any instants, DST
transitions included, checked against a plain day-by-day reading of the rule.

Examples are bounded and derandomized (the same cases each run); the zones and instants are drawn
from all of ``zoneinfo.available_timezones()``, with instants also drawn right around a zone's
offset changes, where the gaps and folds are.
"""

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from learnflow.tests.test_timeutils_property import INSTANTS, ZONES, near_transition
from learnflow.timeutils import week_start
from tasks.recurrence import WEEKDAYS, next_occurrence, recurrence_normalize

EXAMPLES = settings(max_examples=300, derandomize=True, database=None, deadline=None)


@st.composite
def rules(draw) -> str:
    """A valid rule; the intervals are kept small so the reading below stays a few thousand days."""
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 12))
    if interval > 1 or draw(st.booleans()):
        parts.append(f"INTERVAL={interval}")
    if freq != "MONTHLY" and draw(st.booleans()):
        parts.append("BYDAY=" + ",".join(draw(st.sets(st.sampled_from(WEEKDAYS), min_size=1))))
    if freq == "MONTHLY" and draw(st.booleans()):
        days = draw(st.sets(st.integers(1, 31) | st.integers(-31, -1), min_size=1, max_size=3))
        parts.append("BYMONTHDAY=" + ",".join(map(str, sorted(days))))
    if draw(st.booleans()):
        parts.append(f"UNTIL={draw(st.dates(date(1990, 1, 1), date(2160, 12, 31))):%Y%m%d}")
    return recurrence_normalize(";".join(parts))


def _parts(rule: str) -> dict[str, str]:
    return dict(chunk.split("=", 1) for chunk in rule.split(";"))


def _on_rule(parts: dict[str, str], anchor: date, day: date) -> bool:
    """Whether ``day`` is an occurrence date of the rule anchored on ``anchor`` (RFC 5545, WKST=MO)."""
    interval = int(parts.get("INTERVAL", "1"))
    weekdays = {WEEKDAYS.index(d) for d in parts["BYDAY"].split(",")} if "BYDAY" in parts else None
    if parts["FREQ"] == "DAILY":
        return (day - anchor).days % interval == 0 and (weekdays is None or day.weekday() in weekdays)
    if parts["FREQ"] == "WEEKLY":
        weeks = (week_start(day) - week_start(anchor)).days // 7
        return weeks % interval == 0 and day.weekday() in (weekdays or {anchor.weekday()})
    months = (day.year - anchor.year) * 12 + day.month - anchor.month
    length = calendar.monthrange(day.year, day.month)[1]
    wanted = [int(d) for d in parts.get("BYMONTHDAY", str(anchor.day)).split(",")]
    return months % interval == 0 and any(d == day.day or length + 1 + d == day.day for d in wanted)


def _instant(wall: datetime, tz: ZoneInfo, floor: datetime) -> datetime | None:
    """The decided reading of a local wall time (docs/product-rules.md): the earlier of its instants
    that is after ``floor``; a time in a DST gap reads with the offset before the change."""
    readings = sorted({wall.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)})
    real = [r for r in readings if r.astimezone(tz).replace(tzinfo=None) == wall]
    for reading in real or [wall.replace(tzinfo=tz).astimezone(UTC)]:
        if reading > floor:
            return reading
    return None


def expected_next(rule: str, after: datetime, not_before: datetime, tz: ZoneInfo) -> datetime | str | None:
    """The first occurrence after both instants, read day by day; "far" when none comes within ten
    years (a rule that visits only 29 February, or never occurs)."""
    parts = _parts(rule)
    local = after.astimezone(tz)
    # Occurrences fall on whole seconds: the rule drops the due date's fraction of a second.
    anchor, clock = local.date(), local.time().replace(tzinfo=None, microsecond=0)
    floor = max(after, not_before)
    until = datetime.strptime(parts["UNTIL"], "%Y%m%d").date() if "UNTIL" in parts else date(2200, 12, 31)
    day = max(anchor, floor.astimezone(tz).date() - timedelta(days=1))
    horizon = floor.astimezone(tz).date() + timedelta(days=3660)
    while day <= min(until, horizon):
        if _on_rule(parts, anchor, day):
            found = _instant(datetime.combine(day, clock), tz, floor)
            if found is not None:
                return found
        day += timedelta(days=1)
    return None if day > until else "far"


@EXAMPLES
@example(  # the autumn fold: 02:30 came once (CEST) before now, and comes again (CET) after it
    rule="FREQ=DAILY",
    after=datetime(2025, 10, 25, 0, 30, tzinfo=UTC),
    now=datetime(2025, 10, 26, 1, 15, tzinfo=UTC),
    tz="Europe/Berlin",
)
@example(  # the spring gap: 02:30 does not exist on 30 March; it reads as 03:30 CEST
    rule="FREQ=DAILY",
    after=datetime(2025, 3, 29, 1, 30, tzinfo=UTC),
    now=datetime(2025, 3, 29, 1, 30, tzinfo=UTC),
    tz="Europe/Berlin",
)
@given(rule=rules(), after=INSTANTS, now=INSTANTS, tz=ZONES)
def test_the_next_occurrence_is_the_rules_first_after_the_due_date_and_now(rule, after, now, tz):
    zone = ZoneInfo(tz)
    # Now within a few years of the due date, so the day-by-day reading stays short.
    now = min(max(now, after - timedelta(days=900)), after + timedelta(days=900))
    upcoming = next_occurrence(rule, after=after, not_before=now, tz=zone)
    expected = expected_next(rule, after, now, zone)
    if expected == "far":
        assert upcoming is None or upcoming > max(after, now) + timedelta(days=3000)
    else:
        assert upcoming == expected, (upcoming and upcoming.astimezone(zone), expected)
    if upcoming is not None:
        assert upcoming > after and upcoming > now


@EXAMPLES
@given(rule=rules(), tz=ZONES, data=st.data())
def test_occurrences_around_an_offset_change_are_strictly_later_and_on_the_rule(rule, tz, data):
    zone = ZoneInfo(tz)
    after = data.draw(near_transition(zone))
    now = data.draw(st.sampled_from([after, after + timedelta(minutes=45), after + timedelta(hours=25)]))
    upcoming = next_occurrence(rule, after=after, not_before=now, tz=zone)
    expected = expected_next(rule, after, now, zone)
    assert upcoming == expected or (expected == "far" and upcoming is None)
    if upcoming is not None:
        assert upcoming > max(after, now)


@settings(max_examples=50, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule=rules())
def test_a_normalized_rule_normalizes_to_itself(rule):
    assert recurrence_normalize(rule) == rule
