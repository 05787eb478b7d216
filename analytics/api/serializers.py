from datetime import timedelta

from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from accounts.choices import Tier
from analytics import activity
from analytics.models import WeeklyReview
from challenges.choices import ChallengeType, ParticipationStatus
from community.choices import ResourceType
from focus.api.serializers import FocusSessionSerializer
from focus.choices import SessionSource
from focus.rooms.api.serializers import TimerSerializer
from learnflow import dates
from learnflow.dates import ModelSerializer
from learnflow.serializers import Serializer
from tasks.models import Task


class StatsSerializer(Serializer):
    total_sessions = serializers.IntegerField()
    total_minutes = serializers.IntegerField()
    average_duration = serializers.FloatField(help_text="minutes")
    most_frequent_topic = serializers.CharField(allow_null=True)


class DateRangeSerializer(Serializer):
    date_from = dates.DateField(required=False, help_text="first local day (inclusive)")
    date_to = dates.DateField(required=False, help_text="last local day (inclusive)")

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": ["The end comes before the start."]})
        return attrs


class GroupTimeSerializer(Serializer):
    group_id = serializers.UUIDField(allow_null=True, help_text="null: study outside any group")
    group_name = serializers.CharField()
    total_minutes = serializers.IntegerField()
    session_count = serializers.IntegerField()
    percentage = serializers.FloatField(help_text="share of the total time")


class TimeByGroupSerializer(Serializer):
    date_from = dates.DateField(allow_null=True)
    date_to = dates.DateField(allow_null=True)
    total_minutes = serializers.IntegerField()
    groups = GroupTimeSerializer(many=True)


class WeeklyReviewNowSerializer(Serializer):
    weekly_summary = serializers.CharField()
    patterns = serializers.CharField()
    recommendations = serializers.CharField()
    generated_by = serializers.ChoiceField(choices=WeeklyReview.Source.choices)
    period_start = dates.DateTimeField()
    period_end = dates.DateTimeField()


class WeeklyReviewSerializer(ModelSerializer):
    class Meta:
        model = WeeklyReview
        fields = (
            "id", "week_start", "week_end", "weekly_summary", "patterns", "recommendations", "generated_by",
            "created_at",
        )  # fmt: skip
        read_only_fields = fields


class StreakSerializer(Serializer):
    current_streak = serializers.IntegerField()
    longest_streak = serializers.IntegerField()
    last_active_date = dates.DateField(allow_null=True)
    streak_start_date = dates.DateField(allow_null=True)
    days_until_break = serializers.IntegerField()
    active_today = serializers.BooleanField()


class MyStreaksSerializer(StreakSerializer):
    """The study streak at the top level, and the shutdown streak beside it."""

    shutdown = StreakSerializer()


class PublicStreakSerializer(Serializer):
    current_streak = serializers.IntegerField()
    longest_streak = serializers.IntegerField()
    last_active_date = dates.DateField(allow_null=True)
    active_today = serializers.BooleanField()


class CalendarDaySerializer(Serializer):
    date = dates.DateField()
    session_count = serializers.IntegerField()
    minutes = serializers.IntegerField()


class CalendarSerializer(Serializer):
    month = serializers.CharField()
    days = CalendarDaySerializer(many=True)


class StreakStatsSerializer(StreakSerializer):
    total_active_days = serializers.IntegerField()
    active_days_last_30 = serializers.IntegerField()
    consistency_last_30 = serializers.FloatField(help_text="percent of the last 30 local days with study")
    average_sessions_per_active_day = serializers.FloatField()
    first_active_date = dates.DateField(allow_null=True)


class FocusLeaderSerializer(Serializer):
    rank = serializers.IntegerField()
    user = UserSummarySerializer()
    total_minutes = serializers.IntegerField(help_text="verified focus minutes in the period")
    session_count = serializers.IntegerField()
    is_current_user = serializers.BooleanField()


class MinutesSerializer(Serializer):
    """Counted sessions (completed focus sessions, timed or logged) and their whole minutes."""

    session_count = serializers.IntegerField()
    total_minutes = serializers.IntegerField(help_text="verified + manual")
    verified_minutes = serializers.IntegerField(help_text="timed by the server: timer and room sessions")
    manual_minutes = serializers.IntegerField(help_text="logged by hand")


class TopicMinutesSerializer(MinutesSerializer):
    topic = serializers.CharField(allow_null=True, help_text="null: sessions without a topic")


class HourMinutesSerializer(MinutesSerializer):
    hour = serializers.IntegerField(min_value=0, max_value=23, help_text="hour of the local clock a session started in")


class DayMinutesSerializer(MinutesSerializer):
    date = dates.DateField(help_text="local day")


class SessionBriefSerializer(Serializer):
    """A counted session in short."""

    id = serializers.UUIDField()
    topic = serializers.CharField(allow_blank=True)
    started_at = dates.DateTimeField()
    ended_at = dates.DateTimeField()
    minutes = serializers.IntegerField()
    source = serializers.ChoiceField(choices=SessionSource.choices)
    verified = serializers.BooleanField()


class DailyAnalyticsSerializer(MinutesSerializer):
    """One local day of counted study: totals, by topic, by hour, first and last session."""

    date = dates.DateField(help_text="local day")
    timezone = serializers.CharField(help_text="the timezone whose clock the hours follow (yours)")
    by_topic = TopicMinutesSerializer(many=True, help_text="most time first, at most 50 topics")
    by_hour = HourMinutesSerializer(many=True, help_text="24 buckets, 0 to 23, by the hour a session started")
    first_session = SessionBriefSerializer(allow_null=True, help_text="the first session started that day")
    last_session = SessionBriefSerializer(allow_null=True, help_text="the last session started that day")


class WeeklyAnalyticsSerializer(MinutesSerializer):
    """One local week (Monday to Sunday) of counted study, day by day, against the week before."""

    week_start = dates.DateField(help_text="Monday")
    week_end = dates.DateField(help_text="Sunday")
    study_days = serializers.IntegerField()
    average_minutes_per_study_day = serializers.FloatField()
    best_day = DayMinutesSerializer(allow_null=True, help_text="null: no study this week")
    previous_week_minutes = serializers.IntegerField()
    change_percent = serializers.FloatField(allow_null=True, help_text="against the previous week; null when it had 0")
    days = DayMinutesSerializer(many=True, help_text="Monday to Sunday")


class WeekMinutesSerializer(MinutesSerializer):
    week_start = dates.DateField()
    week_end = dates.DateField()


class MonthlyAnalyticsSerializer(MinutesSerializer):
    """One local calendar month of counted study, day by day, with its best day and week."""

    month = serializers.CharField(help_text="YYYY-MM")
    study_days = serializers.IntegerField()
    average_minutes_per_study_day = serializers.FloatField()
    best_day = DayMinutesSerializer(allow_null=True, help_text="null: no study this month")
    best_week = WeekMinutesSerializer(
        allow_null=True, help_text="a Monday-to-Sunday week clipped to the month; null: no study this month"
    )
    days = DayMinutesSerializer(many=True, help_text="every day of the month")


class WeekdayRankSerializer(MinutesSerializer):
    weekday = serializers.IntegerField(min_value=1, max_value=7, help_text="ISO: 1 Monday to 7 Sunday")
    name = serializers.CharField()


class ThisWeekSerializer(MinutesSerializer):
    week_start = dates.DateField()


class ThisMonthSerializer(MinutesSerializer):
    month = serializers.CharField(help_text="YYYY-MM")


class TopicRankSerializer(MinutesSerializer):
    topic = serializers.CharField()


class ComprehensiveAnalyticsSerializer(MinutesSerializer):
    """All counted study: totals, session lengths, most productive hour and weekday, consistency,
    this week and month, top topics and the study streak."""

    timezone = serializers.CharField()
    average_session_minutes = serializers.FloatField()
    longest_session_minutes = serializers.IntegerField(allow_null=True)
    shortest_session_minutes = serializers.IntegerField(allow_null=True)
    first_study_date = dates.DateField(allow_null=True)
    study_days = serializers.IntegerField()
    consistency_percent = serializers.FloatField(
        help_text="study days over the days since the first one, today included"
    )
    most_productive_hour = HourMinutesSerializer(allow_null=True, help_text="local hour with the most minutes")
    most_productive_weekday = WeekdayRankSerializer(allow_null=True, help_text="weekday with the most minutes")
    this_week = ThisWeekSerializer()
    this_month = ThisMonthSerializer()
    top_topics = TopicRankSerializer(many=True, help_text="up to 5, most time first")
    current_streak = serializers.IntegerField()
    longest_streak = serializers.IntegerField()


class GoalDaySerializer(DayMinutesSerializer):
    goal_percent = serializers.FloatField(help_text="total minutes over the daily focus goal; may pass 100")


class MinutesDifferenceSerializer(MinutesSerializer):
    """The same figures, later minus earlier (negative when it went down)."""


class TodaySummarySerializer(Serializer):
    """Today against yesterday (local days), with the daily focus goal."""

    goal_minutes = serializers.IntegerField(help_text="your daily focus goal")
    today = GoalDaySerializer()
    yesterday = GoalDaySerializer()
    difference = MinutesDifferenceSerializer(help_text="today minus yesterday")
    change_percent = serializers.FloatField(allow_null=True, help_text="total minutes against yesterday; null when 0")


class WeekPeriodSerializer(MinutesSerializer):
    study_days = serializers.IntegerField()
    consistency_percent = serializers.FloatField(help_text="study days over the days of the period")


class WeekSummarySerializer(Serializer):
    """This local week so far against the same days of last week, with last week whole."""

    week_start = dates.DateField(help_text="Monday")
    week_end = dates.DateField(help_text="Sunday")
    today = dates.DateField()
    days_elapsed = serializers.IntegerField(help_text="days of this week so far, today included")
    this_week = WeekPeriodSerializer(help_text="Monday to today")
    last_week = WeekPeriodSerializer(help_text="last week, Monday to Sunday")
    last_week_same_days = WeekPeriodSerializer(help_text="last week's Monday to the same weekday as today")
    difference = MinutesDifferenceSerializer(help_text="this week so far minus the same days of last week")
    change_percent = serializers.FloatField(
        allow_null=True, help_text="total minutes against the same days of last week; null when 0"
    )


class DashboardUserSerializer(Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    full_name = serializers.CharField(allow_blank=True)
    avatar_url = serializers.CharField()
    tier = serializers.ChoiceField(choices=Tier.choices)
    points_total = serializers.IntegerField()
    points_this_week = serializers.IntegerField(help_text="this challenge week")


class DashboardRoomSerializer(Serializer):
    """The focus room the caller has a seat in."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    group_id = serializers.UUIDField(allow_null=True)
    present = serializers.BooleanField(help_text="seen in the room within the presence window")
    timer = TimerSerializer()


class DashboardTodaySerializer(GoalDaySerializer):
    goal_minutes = serializers.IntegerField(help_text="your daily focus goal")
    active_timer = FocusSessionSerializer(allow_null=True, help_text="the running personal focus timer")
    room = DashboardRoomSerializer(allow_null=True)


class DashboardStreaksSerializer(Serializer):
    study = StreakSerializer()
    shutdown = StreakSerializer()


class DashboardTaskSerializer(ModelSerializer):
    class Meta:
        model = Task
        fields = ("id", "title", "due_date", "priority", "completed", "tags")
        read_only_fields = fields


class DashboardTaskBucketSerializer(Serializer):
    count = serializers.IntegerField(help_text="all the open tasks of the bucket")
    items = DashboardTaskSerializer(many=True, help_text="the first 5, earliest due first")


class DashboardTasksSerializer(Serializer):
    due_today = DashboardTaskBucketSerializer()
    overdue = DashboardTaskBucketSerializer()


class DashboardChallengeSerializer(Serializer):
    """A challenge of this week; ``progress`` / ``total`` / ``status`` are null when not joined."""

    id = serializers.UUIDField()
    name = serializers.CharField(source="challenge.name")
    challenge_type = serializers.ChoiceField(source="challenge.challenge_type", choices=ChallengeType.choices)
    points = serializers.IntegerField(source="challenge.points")
    joined_count = serializers.IntegerField()
    joined = serializers.SerializerMethodField()
    progress = serializers.IntegerField(source="my_progress", allow_null=True)
    total = serializers.SerializerMethodField()
    status = serializers.ChoiceField(source="my_status", choices=ParticipationStatus.choices, allow_null=True)

    def get_joined(self, instance) -> bool:
        return instance.my_status is not None

    def get_total(self, instance) -> int | None:
        return instance.challenge.target_value if instance.my_status is not None else None


class DashboardChallengesSerializer(Serializer):
    week_start = dates.DateField()
    items = DashboardChallengeSerializer(many=True)


class DashboardUnreadSerializer(Serializer):
    notifications = serializers.IntegerField()
    messages = serializers.IntegerField()


class DashboardRankSerializer(Serializer):
    week_start = dates.DateField()
    rank = serializers.IntegerField(help_text="1 + the users with more weekly points")
    points = serializers.IntegerField()


class DashboardSerializer(Serializer):
    """Your home screen: each part is what its own endpoint gives."""

    user = DashboardUserSerializer()
    today = DashboardTodaySerializer()
    streaks = DashboardStreaksSerializer()
    tasks = DashboardTasksSerializer()
    challenges = DashboardChallengesSerializer()
    unread = DashboardUnreadSerializer()
    latest_weekly_review = WeeklyReviewSerializer(allow_null=True)
    leaderboard = DashboardRankSerializer()


class GroupStudySerializer(Serializer):
    verified_minutes = serializers.IntegerField()
    session_count = serializers.IntegerField(help_text="verified focus sessions of at least 10 minutes")


class GroupMemberStudySerializer(GroupStudySerializer):
    user = UserSummarySerializer()


#: The group library's resources (not deleted) per type, every type present.
ResourcesByTypeSerializer = type(
    "ResourcesByTypeSerializer",
    (serializers.Serializer,),
    {kind: serializers.IntegerField() for kind in ResourceType.values},
)


class GroupStatsSerializer(Serializer):
    group_id = serializers.UUIDField()
    member_count = serializers.IntegerField()
    week_start = dates.DateField(help_text="Monday of the challenge week (LEARNFLOW_WEEK_TIMEZONE)")
    this_week = GroupStudySerializer()
    all_time = GroupStudySerializer()
    most_active_members = GroupMemberStudySerializer(many=True, help_text="top 5 by verified minutes this week")
    resources_by_type = ResourcesByTypeSerializer()


class ActivityRangeSerializer(Serializer):
    """The days of the staff activity charts, on the site calendar (``LEARNFLOW_WEEK_TIMEZONE``)."""

    start = dates.DateField(required=False, help_text="first day (inclusive); 29 days before `end` by default")
    end = dates.DateField(required=False, help_text="last day (inclusive); today by default")

    def validate(self, attrs):
        end = attrs.get("end") or activity.site_today()
        start = attrs.get("start") or end - timedelta(days=activity.DEFAULT_DAYS - 1)
        if end < start:
            raise serializers.ValidationError({"end": ["The end comes before the start."]})
        if (end - start).days + 1 > activity.MAX_DAYS:
            most = activity.MAX_DAYS
            message = f"The range is at most {most} days: start {most - 1} days before end or later."
            raise serializers.ValidationError({"start": [message]})
        return {"start": start, "end": end}


class ActivityDaySerializer(Serializer):
    date = dates.DateField()
    active_users = serializers.IntegerField(help_text="distinct users who recorded any activity that day")
    verified_focus_minutes = serializers.IntegerField()
    challenge_joins = serializers.IntegerField()
    challenge_completions = serializers.IntegerField()
    registrations = serializers.IntegerField()


class ActivityHourSerializer(Serializer):
    hour = serializers.IntegerField(min_value=0, max_value=23, help_text="of each user's local clock")
    sessions = serializers.IntegerField()


class ActivityTopicSerializer(Serializer):
    topic = serializers.CharField()
    sessions = serializers.IntegerField()
    minutes = serializers.IntegerField()


class ActivityOverviewSerializer(Serializer):
    start = dates.DateField()
    end = dates.DateField()
    timezone = serializers.CharField(help_text="the site calendar the days are counted in")
    days = ActivityDaySerializer(many=True, help_text="every day from start to end, zero days included")
    sessions_by_local_hour = ActivityHourSerializer(many=True, help_text="24 rows, hours 0 to 23")
    top_topics = ActivityTopicSerializer(many=True, help_text=f"at most {activity.TOP_TOPICS}, most minutes first")
