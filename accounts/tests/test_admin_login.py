"""The admin's login page is throttled like the API's login, and its failures are logged."""

import logging

import pytest
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.throttling import LoginIPThrottle, LoginUsernameThrottle

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"


def set_rate(monkeypatch, throttle, rate: str) -> None:
    monkeypatch.setattr(throttle, "THROTTLE_RATES", {**throttle.THROTTLE_RATES, throttle.scope: rate})


def admin_login(client: Client, username: str, password: str = "guess-Number-1", ip: str = "10.0.0.1"):
    return client.post(ADMIN_LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


@pytest.fixture
def staff(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_the_right_password_below_the_limit_signs_in(staff):
    # given
    client = Client()
    # when
    page = client.get(ADMIN_LOGIN)
    response = admin_login(client, "root", password=DEFAULT_PASSWORD)
    # then
    assert page.status_code == 200
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff.pk)


def test_after_ten_wrong_passwords_even_the_right_one_is_429_with_a_readable_page(staff):
    # given: ten wrong guesses for a staff account, the hourly budget of an account
    client = Client()
    guesses = [admin_login(client, "root", ip=f"10.0.0.{n}") for n in range(1, 12)]
    # when
    right = admin_login(client, "root", password=DEFAULT_PASSWORD, ip="10.0.1.1")
    # then
    assert [r.status_code for r in guesses] == [200] * 10 + [429]
    assert right.status_code == 429
    assert right["Content-Type"].startswith("text/html")
    assert 0 < int(right["Retry-After"]) <= 3600
    assert "Too many sign-in attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_attempts_are_limited_per_client_address(staff, monkeypatch):
    # given
    set_rate(monkeypatch, LoginIPThrottle, "2/hour")
    client = Client()
    attempts = [admin_login(client, name, ip="10.0.0.7") for name in ("alice", "bob")]
    # when
    blocked = admin_login(client, "root", password=DEFAULT_PASSWORD, ip="10.0.0.7")
    elsewhere = admin_login(client, "root", password=DEFAULT_PASSWORD, ip="10.0.0.8")
    # then
    assert [r.status_code for r in attempts] == [200, 200]
    assert blocked.status_code == 429
    assert elsewhere.status_code == 302


def test_the_admin_and_the_api_share_one_budget_per_account(staff, monkeypatch, api_client):
    # given
    set_rate(monkeypatch, LoginUsernameThrottle, "2/hour")
    client = Client()
    api = api_client.post("/api/token/", {"username": "root", "password": "guess-Number-1"}, format="json")
    admin = admin_login(client, "root")
    # when
    blocked = admin_login(client, "root", password=DEFAULT_PASSWORD, ip="10.0.0.9")
    # then
    assert (api.status_code, admin.status_code) == (401, 200)
    assert blocked.status_code == 429


def test_a_failed_admin_login_is_logged_with_name_and_address_but_never_the_password(staff, caplog):
    # given
    client = Client()
    # when
    with caplog.at_level(logging.WARNING, logger="accounts.admin_login"):
        admin_login(client, "root", password="secret-Guess-42", ip="10.1.2.3")
        admin_login(client, "root", password=DEFAULT_PASSWORD, ip="10.1.2.3")
    # then
    messages = [r.getMessage() for r in caplog.records if r.name == "accounts.admin_login"]
    assert messages == ["Failed admin login for 'root' from 10.1.2.3"]
    assert all("secret-Guess-42" not in r.getMessage() for r in caplog.records)


def test_a_throttled_admin_login_is_logged(staff, monkeypatch, caplog):
    # given
    set_rate(monkeypatch, LoginIPThrottle, "1/hour")
    client = Client()
    admin_login(client, "root", ip="10.1.2.4")
    caplog.clear()
    # when
    with caplog.at_level(logging.WARNING, logger="accounts.admin_login"):
        admin_login(client, "root", password="secret-Guess-42", ip="10.1.2.4")
    # then
    messages = [r.getMessage() for r in caplog.records if r.name == "accounts.admin_login"]
    assert messages == ["Throttled admin login for 'root' from 10.1.2.4"]
