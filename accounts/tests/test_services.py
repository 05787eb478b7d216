"""Account services and jobs called directly: notifications, purging, token flushing, sign-up races."""

import datetime as dt
from smtplib import SMTPException

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import jobs, services
from accounts.choices import NotificationKind
from accounts.models import Notification, User
from accounts.tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- notification_create ----------------------------------------------------------------------


def test_notification_with_the_same_dedupe_key_is_created_and_emailed_once(user, mailoutbox):
    # when
    first, first_created = services.notification_create(
        user=user, title="Reminder", body="Due today", dedupe_key="task:1:reminder", email=True
    )
    second, second_created = services.notification_create(
        user=user, title="Reminder again", dedupe_key="task:1:reminder", email=True
    )
    # then
    assert (first_created, second_created) == (True, False)
    assert second.pk == first.pk
    assert Notification.objects.filter(user=user).count() == 1
    assert Notification.objects.get(user=user).title == "Reminder"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [user.email]
    assert (mailoutbox[0].subject, mailoutbox[0].body) == ("Reminder", "Due today")


def test_the_same_dedupe_key_for_another_user_is_another_notification(user, other_user):
    # when
    services.notification_create(user=user, title="Hi", dedupe_key="welcome")
    _, created = services.notification_create(user=other_user, title="Hi", dedupe_key="welcome")
    # then
    assert created is True
    assert Notification.objects.count() == 2


def test_notifications_without_a_dedupe_key_are_all_kept(user, mailoutbox):
    # when
    services.notification_create(user=user, title="Ping", kind=NotificationKind.MESSAGE)
    services.notification_create(user=user, title="Ping", kind=NotificationKind.MESSAGE)
    # then
    assert Notification.objects.filter(user=user, kind=NotificationKind.MESSAGE).count() == 2
    assert mailoutbox == []


def test_a_failed_email_leaves_no_notification_behind_and_a_retry_sends_both(user, mailoutbox, monkeypatch):
    # given
    def broken_send_mail(**kwargs):
        raise SMTPException("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr(services, "send_mail", broken_send_mail)
        # when
        with pytest.raises(SMTPException):
            services.notification_create(user=user, title="Reminder", dedupe_key="task:1:reminder", email=True)
        # then
        assert not Notification.objects.exists()
    # and when the job retries with mail working again
    _, created = services.notification_create(user=user, title="Reminder", dedupe_key="task:1:reminder", email=True)
    assert created is True
    assert Notification.objects.count() == 1
    assert len(mailoutbox) == 1


# --- purge ------------------------------------------------------------------------------------

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def notification_at(when: dt.datetime, *, is_read: bool, **kwargs) -> Notification:
    with time_machine.travel(when, tick=False):
        return NotificationFactory(read_at=timezone.now() if is_read else None, **kwargs)


def test_purge_deletes_only_read_notifications_older_than_the_cutoff(user):
    # given
    cutoff = NOW - dt.timedelta(days=30)
    old_read = notification_at(cutoff - dt.timedelta(seconds=1), is_read=True, user=user)
    old_unread = notification_at(cutoff - dt.timedelta(days=5), is_read=False, user=user)
    recent_read = notification_at(cutoff + dt.timedelta(seconds=1), is_read=True, user=user)
    # when
    deleted = services.notifications_purge(older_than=cutoff)
    # then
    assert deleted == 1
    assert not Notification.objects.filter(pk=old_read.pk).exists()
    assert set(Notification.objects.values_list("pk", flat=True)) == {old_unread.pk, recent_read.pk}


def test_purge_old_notifications_job_uses_the_retention_setting(user, settings):
    # given
    settings.LEARNFLOW_NOTIFICATION_RETENTION_DAYS = 90
    expired = notification_at(NOW - dt.timedelta(days=91), is_read=True, user=user)
    unread = notification_at(NOW - dt.timedelta(days=200), is_read=False, user=user)
    kept = notification_at(NOW - dt.timedelta(days=89), is_read=True, user=user)
    # when
    with time_machine.travel(NOW, tick=False):
        first = jobs.purge_old_notifications.delay().get()
        second = jobs.purge_old_notifications.delay().get()
    # then
    assert (first, second) == (1, 0)
    assert not Notification.objects.filter(pk=expired.pk).exists()
    assert set(Notification.objects.values_list("pk", flat=True)) == {unread.pk, kept.pk}


# --- flush_expired_tokens ---------------------------------------------------------------------


def refresh_token_issued_at(when: dt.datetime, user: User) -> RefreshToken:
    with time_machine.travel(when, tick=False):
        return RefreshToken.for_user(user)


def test_flush_expired_tokens_removes_expired_tokens_and_their_blacklist_rows(user, settings):
    # given
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    expired = refresh_token_issued_at(NOW - lifetime - dt.timedelta(minutes=1), user)
    expired_and_blacklisted = refresh_token_issued_at(NOW - lifetime - dt.timedelta(days=1), user)
    with time_machine.travel(NOW - lifetime - dt.timedelta(hours=1), tick=False):
        expired_and_blacklisted.blacklist()
    fresh = refresh_token_issued_at(NOW - lifetime + dt.timedelta(minutes=1), user)
    # when
    with time_machine.travel(NOW, tick=False):
        jobs.flush_expired_tokens.delay().get()
        again = jobs.flush_expired_tokens.delay().get()
    # then
    assert list(OutstandingToken.objects.values_list("jti", flat=True)) == [fresh["jti"]]
    assert not BlacklistedToken.objects.exists()
    assert again == 0
    assert not OutstandingToken.objects.filter(jti__in=[expired["jti"], expired_and_blacklisted["jti"]]).exists()


# --- registration races -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [("ADA", "second@example.com", "username"), ("second", "ADA@example.com", "email")],
)
def test_a_lost_uniqueness_race_is_a_validation_error_naming_the_field(monkeypatch, username, email, field):
    # given the up-front check passed because the other sign-up had not committed yet
    UserFactory(username="ada", email="ada@example.com")
    monkeypatch.setattr(services, "_check_unique", lambda **kwargs: None)
    # when
    with pytest.raises(ValidationError) as raised:
        services.user_create(username=username, email=email, password="Quiet-river-stones-42")
    # then
    assert set(raised.value.message_dict) == {field}
    assert User.objects.count() == 1


def test_user_update_refuses_fields_outside_the_profile(user):
    # when
    with pytest.raises(ValidationError) as raised:
        services.user_update(user=user, data={"tier": "premium", "full_name": "X"})
    # then
    assert set(raised.value.message_dict) == {"tier"}
    user.refresh_from_db()
    assert user.tier == "free"
    assert user.full_name != "X"
