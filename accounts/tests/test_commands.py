import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Notification, User
from accounts.tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_users_who_can_log_in(api_client):
    # when
    call_command("seed_demo", "--users", "5", "--seed", "1")
    # then
    demo = User.objects.filter(email__endswith="@demo.learnflow.test")
    assert demo.count() == 5
    assert Notification.objects.filter(user__in=demo).exists()
    login = api_client.post("/api/token/", {"username": "demo00001", "password": "learnflow-demo"}, format="json")
    assert login.status_code == 200


def test_seed_demo_adds_more_and_reset_starts_over():
    call_command("seed_demo", "--users", "3")
    call_command("seed_demo", "--users", "2")
    assert set(User.objects.values_list("username", flat=True)) >= {f"demo0000{i}" for i in range(1, 6)}
    call_command("seed_demo", "--users", "1", "--reset")
    assert list(User.objects.filter(email__endswith="@demo.learnflow.test").values_list("username", flat=True)) == [
        "demo00001"
    ]


def test_seed_demo_dry_run_changes_nothing():
    call_command("seed_demo", "--users", "4", "--dry-run")
    assert not User.objects.exists()


def test_export_user_data_holds_the_account_and_its_notifications(capsys):
    # given
    user = UserFactory(username="grace", bio="Admiral")
    NotificationFactory(user=user, title="mine")
    NotificationFactory(title="someone else's")
    # when
    call_command("export_user_data", "GRACE")
    # then
    document = json.loads(capsys.readouterr().out)
    assert document["account"]["username"] == "grace"
    assert document["account"]["bio"] == "Admiral"
    assert "password" not in document["account"]
    assert [n["title"] for n in document["notifications"]] == ["mine"]


def test_export_user_data_of_unknown_user_fails():
    with pytest.raises(CommandError, match="No user"):
        call_command("export_user_data", "nobody")


def test_delete_user_needs_yes_and_dry_run_lists_what_would_go(capsys):
    # given
    user = UserFactory(email="bye@example.com")
    NotificationFactory.create_batch(2, user=user)
    # when / then
    with pytest.raises(CommandError, match="pass --yes"):
        call_command("delete_user", "bye@example.com")
    call_command("delete_user", str(user.pk), "--dry-run")
    out = capsys.readouterr().out
    assert "accounts.Notification: 2" in out
    assert User.objects.filter(pk=user.pk).exists()


def test_delete_user_removes_the_user_and_their_data_only():
    # given
    user, other = UserFactory(), UserFactory()
    NotificationFactory(user=user)
    NotificationFactory(user=other)
    # when
    call_command("delete_user", user.username, "--yes")
    # then
    assert not User.objects.filter(pk=user.pk).exists()
    assert list(Notification.objects.values_list("user_id", flat=True)) == [other.pk]


def test_ensure_demo_admin_refuses_with_debug_off():
    with pytest.raises(CommandError, match="debug off"):
        call_command("ensure_demo_admin")


def test_ensure_demo_admin_creates_a_staff_user_once(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_demo_admin")
    call_command("ensure_demo_admin")
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("learnflow-admin")
    assert "exists; password unchanged" in capsys.readouterr().out
