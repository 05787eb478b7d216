"""Data rights through the HTTP API: exporting everything held about you (``/api/users/me/export``)
and deleting your account (``DELETE /api/users/me``). The cross-app effects of a deletion are tested
in ``learnflow/tests/test_account_deletion.py``."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import jobs, services
from accounts.choices import DataExportStatus
from accounts.models import DataExport, Notification, User
from accounts.tests.factories import DEFAULT_PASSWORD, NotificationFactory, UserFactory
from learnflow import hooks
from learnflow.testing import client_for
from learnflow.throttling import AtomicScopedRateThrottle

pytestmark = pytest.mark.django_db

EXPORT = "/api/users/me/export"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def start_export(client, capture, *, run_job: bool = True):
    """POST an export; with ``run_job`` the job queued after commit runs (Celery is eager in tests)."""
    with capture(execute=run_job):
        response = client.post(EXPORT)
    assert response.status_code == 202, response.content
    return response.json()


# --- export -----------------------------------------------------------------------------------


def test_an_export_starts_pending_and_is_then_ready_with_the_whole_document(
    user, auth_client, django_capture_on_commit_callbacks, capsys
):
    # given
    NotificationFactory(user=user, title="mine")
    NotificationFactory(title="someone else's")
    # when
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = auth_client.post(EXPORT)
    pending = auth_client.get(f"{EXPORT}/{started.json()['id']}")
    for callback in queued:
        callback()
    ready = auth_client.get(f"{EXPORT}/{started.json()['id']}/")
    # then
    assert started.status_code == 202
    assert set(started.json()) == {"id", "status", "created_at", "finished_at", "expires_at", "document"}
    assert started.json()["status"] == "pending"
    assert started.json()["document"] is None
    assert pending.json()["status"] == "pending"
    body = ready.json()
    assert ready.status_code == 200
    assert body["status"] == "ready"
    assert set(body["document"]) == {name for name, _ in hooks.user_data_exporters.items()}
    assert body["document"]["account"]["username"] == user.username
    assert "password" not in body["document"]["account"]
    assert [n["title"] for n in body["document"]["notifications"]] == ["mine"]
    # the same document as the operators' command
    call_command("export_user_data", user.username)
    assert body["document"] == json.loads(capsys.readouterr().out)


def test_every_app_with_user_data_has_an_exporter():
    # then
    assert {name for name, _ in hooks.user_data_exporters.items()} == {
        "account", "notifications", "uploads", "tasks", "goals", "groups", "invitations", "forum", "messages",
        "resources", "study_sessions", "shutdown_reflections", "rooms", "points", "achievements", "weekly_reviews",
        "streak", "focus_totals",
    }  # fmt: skip


def test_a_ready_export_expires_after_7_days_and_the_purge_deletes_it(user, django_capture_on_commit_callbacks):
    # given
    with at(T0):
        export = start_export(client_for(user), django_capture_on_commit_callbacks)
        ready = client_for(user).get(f"{EXPORT}/{export['id']}").json()
    # when / then: still there just before the 7 days are up
    assert ready["expires_at"] == "2026-03-09T10:00:00Z"
    with at(T0 + timedelta(days=7) - timedelta(seconds=1)):
        assert client_for(user).get(f"{EXPORT}/{export['id']}").status_code == 200
        assert jobs.purge_data_exports.delay().get() == {"purged": 0, "failed": 0}
    # gone for its owner once expired, even before the purge runs; then purged, once
    with at(T0 + timedelta(days=7)):
        assert client_for(user).get(f"{EXPORT}/{export['id']}").status_code == 404
        assert DataExport.objects.filter(pk=export["id"]).exists()
        assert jobs.purge_data_exports.delay().get() == {"purged": 1, "failed": 0}
        assert jobs.purge_data_exports.delay().get() == {"purged": 0, "failed": 0}
    assert not DataExport.objects.exists()


def test_another_users_export_is_404(user, other_user, django_capture_on_commit_callbacks):
    # given
    export = start_export(client_for(other_user), django_capture_on_commit_callbacks)
    # when
    response = client_for(user).get(f"{EXPORT}/{export['id']}")
    # then
    assert response.status_code == 404
    assert client_for(other_user).get(f"{EXPORT}/{export['id']}").status_code == 200


def test_an_unknown_or_malformed_export_id_is_404(auth_client):
    assert auth_client.get(f"{EXPORT}/6f1d2d5e-0000-4000-8000-000000000000").status_code == 404
    assert auth_client.get(f"{EXPORT}/not-a-uuid").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"), [("post", EXPORT), ("get", f"{EXPORT}/6f1d2d5e-0000-4000-8000-0000000000a1")]
)
def test_export_endpoints_are_401_without_a_token(api_client, method, path):
    response = getattr(api_client, method)(path)
    assert response.status_code == 401


def test_a_second_export_while_one_is_pending_is_409(auth_client, django_capture_on_commit_callbacks):
    # given: an export whose job has not run yet
    start_export(auth_client, django_capture_on_commit_callbacks, run_job=False)
    # when
    second = auth_client.post(EXPORT)
    # then
    assert second.status_code == 409
    assert DataExport.objects.count() == 1


def test_a_new_export_can_start_once_the_last_one_is_ready(auth_client, django_capture_on_commit_callbacks):
    # given
    first = start_export(auth_client, django_capture_on_commit_callbacks)
    # when
    second = start_export(auth_client, django_capture_on_commit_callbacks)
    # then
    assert second["id"] != first["id"]
    assert set(DataExport.objects.values_list("status", flat=True)) == {DataExportStatus.READY}


def test_the_database_keeps_one_active_export_per_user(user):
    # given
    DataExport.objects.create(user=user, status=DataExportStatus.RUNNING)
    # when / then
    with pytest.raises(IntegrityError):
        DataExport.objects.create(user=user)


def test_parallel_export_requests_start_one(user, celery_queue):
    # given: five requests at the same moment, their job left for a worker
    barrier = threading.Barrier(5)
    statuses = []
    lock = threading.Lock()

    def request():
        try:
            barrier.wait(timeout=10)
            status = client_for(user).post(EXPORT).status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert sorted(statuses) == [202] + [409] * 4
    assert DataExport.objects.filter(user=user).count() == 1
    assert [name for name, _ in celery_queue.take()] == ["accounts.build_data_export"]


def test_the_build_job_run_twice_builds_once(user):
    # given
    export = DataExport.objects.create(user=user)
    # when
    first = jobs.build_data_export.delay(str(export.pk)).get()
    built = DataExport.objects.get(pk=export.pk)
    second = jobs.build_data_export.delay(str(export.pk)).get()
    # then
    assert (first, second) == ("ready", None)
    assert DataExport.objects.get(pk=export.pk).finished_at == built.finished_at


def test_a_failing_exporter_marks_the_export_failed_and_another_can_start(
    user, auth_client, django_capture_on_commit_callbacks, monkeypatch
):
    # given
    def broken(*, user):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(hooks.user_data_exporters._items, "broken", broken)
    # when
    failed = start_export(auth_client, django_capture_on_commit_callbacks)
    monkeypatch.delitem(hooks.user_data_exporters._items, "broken")
    # then
    body = auth_client.get(f"{EXPORT}/{failed['id']}").json()
    assert (body["status"], body["document"]) == ("failed", None)
    assert body["finished_at"] is not None
    assert start_export(auth_client, django_capture_on_commit_callbacks)["status"] == "pending"


def test_an_export_a_lost_job_left_unfinished_is_failed_by_the_purge(user, settings):
    # given: one export never picked up, one left running by a worker that died
    settings.LEARNFLOW_DATA_EXPORT_STALE_MINUTES = 60
    with at(T0):
        lost = DataExport.objects.create(user=user)
        stuck = DataExport.objects.create(user=UserFactory(), status=DataExportStatus.RUNNING, started_at=T0)
    # when
    with at(T0 + timedelta(minutes=59)):
        early = services.data_exports_purge()
    with at(T0 + timedelta(minutes=61)):
        late = services.data_exports_purge()
        again = services.data_exports_purge()
        retried = client_for(user).post(EXPORT)
    # then
    assert early == {"purged": 0, "failed": 0}
    assert late == {"purged": 0, "failed": 2}
    assert again == {"purged": 0, "failed": 0}
    assert {DataExport.objects.get(pk=pk).status for pk in (lost.pk, stuck.pk)} == {DataExportStatus.FAILED}
    assert retried.status_code == 202


def test_exports_are_throttled_per_user(auth_client, monkeypatch, django_capture_on_commit_callbacks):
    # given: at most 2 a day
    monkeypatch.setattr(
        AtomicScopedRateThrottle,
        "THROTTLE_RATES",
        {**AtomicScopedRateThrottle.THROTTLE_RATES, "data_export": "2/day"},
    )
    start_export(auth_client, django_capture_on_commit_callbacks)
    start_export(auth_client, django_capture_on_commit_callbacks)
    # when
    third = auth_client.post(EXPORT)
    # then
    assert third.status_code == 429
    assert "Retry-After" in third.headers
    assert client_for(UserFactory()).post(EXPORT).status_code == 202


# --- account deletion -------------------------------------------------------------------------


def delete_me(client, body=None):
    return client.delete("/api/users/me", body, format="json") if body is not None else client.delete("/api/users/me")


@pytest.mark.parametrize("body", [None, {}, {"password": ""}, {"password": "wrong-password"}, {"password": None}])
def test_deleting_without_the_right_password_is_400_naming_password(user, auth_client, body):
    # when
    response = delete_me(auth_client, body)
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"password"}
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_without_a_token_is_401(api_client, user):
    response = delete_me(api_client, {"password": DEFAULT_PASSWORD})
    assert response.status_code == 401
    assert User.objects.filter(pk=user.pk).exists()


def test_deleting_your_account_removes_it_and_its_access_token_stops_working(user, other_user, auth_client):
    # given
    NotificationFactory(user=user)
    NotificationFactory(user=other_user)
    # when
    response = delete_me(auth_client, {"password": DEFAULT_PASSWORD})
    # then
    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert list(Notification.objects.values_list("user_id", flat=True)) == [other_user.pk]
    assert auth_client.get("/api/users/me").status_code == 401
    assert client_for(other_user).get("/api/users/me").status_code == 200


def test_a_refresh_token_issued_before_the_deletion_no_longer_refreshes(user):
    # given: two sessions (two logins) and one of them refreshed once
    client = APIClient()
    first = client.post("/api/token/", {"username": user.username, "password": DEFAULT_PASSWORD}).json()
    second = client.post("/api/token/", {"username": user.username, "password": DEFAULT_PASSWORD}).json()
    rotated = client.post("/api/token/refresh/", {"refresh": second["refresh"]}).json()
    # when
    deleted = delete_me(client_for(user), {"password": DEFAULT_PASSWORD})
    # then: every outstanding token is blacklisted and none refreshes
    assert deleted.status_code == 204
    assert OutstandingToken.objects.filter(user__isnull=True).count() == 3
    assert BlacklistedToken.objects.filter(token__user__isnull=True).count() == 3
    for refresh in (first["refresh"], rotated["refresh"]):
        response = client.post("/api/token/refresh/", {"refresh": refresh})
        assert response.status_code == 401
        assert "access" not in response.json()


def test_account_deletion_is_throttled(auth_client, monkeypatch):
    # given: at most 2 attempts an hour
    monkeypatch.setattr(
        AtomicScopedRateThrottle,
        "THROTTLE_RATES",
        {**AtomicScopedRateThrottle.THROTTLE_RATES, "account_delete": "2/hour"},
    )
    for _ in range(2):
        assert delete_me(auth_client, {"password": "guess"}).status_code == 400
    # when
    third = delete_me(auth_client, {"password": DEFAULT_PASSWORD})
    # then
    assert third.status_code == 429


def test_a_deleted_users_exports_go_with_the_account(user, auth_client, django_capture_on_commit_callbacks):
    # given
    start_export(auth_client, django_capture_on_commit_callbacks)
    # when
    delete_me(auth_client, {"password": DEFAULT_PASSWORD})
    # then
    assert not DataExport.objects.exists()


def test_the_delete_user_command_blacklists_the_users_refresh_tokens_too(user, capsys):
    # given
    refresh = APIClient().post("/api/token/", {"username": user.username, "password": DEFAULT_PASSWORD}).json()
    # when
    call_command("delete_user", user.username, "--yes")
    # then
    assert BlacklistedToken.objects.filter(token__user__isnull=True).count() == 1
    assert APIClient().post("/api/token/refresh/", {"refresh": refresh["refresh"]}).status_code == 401


# --- admin ------------------------------------------------------------------------------------


def test_deleting_a_user_in_the_admin_goes_through_the_same_service(admin_client, user):
    # given
    refresh = APIClient().post("/api/token/", {"username": user.username, "password": DEFAULT_PASSWORD}).json()
    # when
    response = admin_client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    # then
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert BlacklistedToken.objects.filter(token__user__isnull=True).count() == 1
    assert APIClient().post("/api/token/refresh/", {"refresh": refresh["refresh"]}).status_code == 401


def test_data_exports_are_read_only_in_the_admin(admin_client, user):
    # given
    export = DataExport.objects.create(user=user)
    # when / then
    assert admin_client.get("/admin/accounts/dataexport/").status_code == 200
    assert admin_client.get(f"/admin/accounts/dataexport/{export.pk}/change/").status_code == 200
    assert admin_client.get("/admin/accounts/dataexport/add/").status_code == 403
    assert admin_client.post(f"/admin/accounts/dataexport/{export.pk}/change/", {"status": "ready"}).status_code == 403
    assert DataExport.objects.get(pk=export.pk).status == DataExportStatus.PENDING
