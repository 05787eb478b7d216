"""The timezone and day helpers (``learnflow.timeutils``) and the date range (``learnflow.dates``),
for any IANA zone of ``zoneinfo.available_timezones()`` and any instant LearnFlow stores, with
instants drawn right around each zone's offset changes (DST gaps and folds, zones that skipped a
day or moved midnight).

Examples are bounded and derandomized (the same cases each run). The API side of the date range is
in ``test_date_range_property``.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from learnflow import dates
from learnflow.timeutils import local_day_bounds, local_midnight, local_today, rewall, week_start

EXAMPLES = settings(max_examples=300, derandomize=True, database=None, deadline=None)

ZONES = st.sampled_from(sorted(available_timezones()))
# A day inside the range on either side, so every local midnight of these instants is in range too.
INSTANTS = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30), timezones=st.just(UTC))


def _offset_changes(zone: ZoneInfo, year: int) -> list[datetime]:
    """The instants of ``year`` (UTC) at which ``zone`` changes its offset, found day by day and then
    to the second by bisection."""
    changes = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    while day.year == year:
        low, high = day, day + timedelta(days=1)
        if low.astimezone(zone).utcoffset() != high.astimezone(zone).utcoffset():
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            changes.append(high.replace(microsecond=0))
        day += timedelta(days=1)
    return changes


@st.composite
def near_transition(draw, zone: ZoneInfo) -> datetime:
    """An instant within a day of one of ``zone``'s offset changes in some year (any instant when the
    zone did not change its offset that year)."""
    year = draw(st.integers(1900, 2150))
    changes = _offset_changes(zone, year)
    if not changes:
        return draw(INSTANTS)
    change = draw(st.sampled_from(changes))
    return change + timedelta(seconds=draw(st.integers(-86_400, 86_400)))


@st.composite
def zone_and_instant(draw) -> tuple[ZoneInfo, datetime]:
    zone = ZoneInfo(draw(ZONES))
    instant = draw(st.one_of(INSTANTS, near_transition(zone)))
    return zone, instant


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def exists(local: datetime, zone: ZoneInfo) -> bool:
    """Whether the wall time ``local`` is shown by some instant in ``zone`` (it is not in a gap)."""
    return any(wall(local.replace(tzinfo=zone, fold=fold), zone) == local for fold in (0, 1))


def changing(local: datetime, zone: ZoneInfo) -> bool:
    """Whether the wall time ``local`` is in a gap or a fold of ``zone`` (its two readings differ)."""
    return local.replace(tzinfo=zone, fold=0).utcoffset() != local.replace(tzinfo=zone, fold=1).utcoffset()


@EXAMPLES
@given(zone_and_instant())
def test_the_local_day_contains_the_instant_and_starts_at_its_first_moment(zone_instant):
    zone, instant = zone_instant
    day = local_today(zone, instant)
    start, end = local_day_bounds(zone, day)
    assert day == instant.astimezone(zone).date()
    assert start <= instant < end
    assert start.tzinfo is not None and end.tzinfo is not None
    # The start is the day's first instant: a second earlier is the day before.
    assert (start - timedelta(seconds=1)).astimezone(zone).date() < day
    assert start.astimezone(zone).date() == day
    # A day lasts at most 24 hours plus the largest offset change there has been (25 h for DST).
    assert timedelta(hours=0) < end - start <= timedelta(hours=48)


@EXAMPLES
@given(zone_and_instant(), st.integers(1, 40))
def test_day_boundaries_increase_and_tile_the_timeline(zone_instant, days):
    zone, instant = zone_instant
    first = local_today(zone, instant)
    midnights = [local_midnight(zone, first + timedelta(days=n)) for n in range(days + 1)]
    # Each day ends where the next begins; a day a zone skipped (Samoa's 30 December 2011) is empty.
    assert midnights == sorted(midnights)
    for n in range(days):
        assert local_day_bounds(zone, first + timedelta(days=n)) == (midnights[n], midnights[n + 1])


@EXAMPLES
@given(zone_and_instant())
def test_the_local_week_runs_monday_to_monday_and_contains_the_instant(zone_instant):
    zone, instant = zone_instant
    day = local_today(zone, instant)
    monday = week_start(day)
    assert monday.weekday() == 0 and 0 <= (day - monday).days < 7
    assert week_start(monday + timedelta(days=6)) == monday
    assert local_midnight(zone, monday) <= instant < local_midnight(zone, monday + timedelta(days=7))


@EXAMPLES
@given(zone_and_instant(), st.sampled_from(sorted(available_timezones())))
def test_rewall_keeps_the_wall_clock_and_comes_back(zone_instant, other):
    old, instant = zone_instant
    new = ZoneInfo(other)
    moved = rewall(instant, old, new)
    local = wall(instant, old)
    if exists(local, new):
        assert wall(moved, new) == local
    else:
        # A wall time in the new zone's DST gap reads with the offset before the change: the gap's
        # length later on the clock (docs/product-rules.md).
        assert wall(moved, new) == wall(local.replace(tzinfo=new).astimezone(UTC), new)
        assert wall(moved, new) > local
    # Back again gives the same instant, unless the wall time is in a gap or fold on either side.
    if not changing(local, old) and not changing(local, new):
        assert rewall(moved, new, old) == instant


@EXAMPLES
@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_a_date_parameter_reads_back_exactly_inside_the_range(day):
    text = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    if dates.date_in_range(day):
        assert dates.parse_date_param(text, "date") == day
    else:
        with pytest.raises(ValidationError):
            dates.parse_date_param(text, "date")


@EXAMPLES
@given(INSTANTS, ZONES)
def test_the_datetime_range_is_about_the_instant_not_its_zone(instant, tz):
    assert dates.datetime_in_range(instant.astimezone(ZoneInfo(tz))) == dates.datetime_in_range(instant)
    assert dates.datetime_in_range(instant)
