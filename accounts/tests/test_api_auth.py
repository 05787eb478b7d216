"""Registration, JWT login/refresh/verify/logout and the brute-force throttles, through the HTTP API."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import jobs
from accounts.choices import NotificationKind, Tier
from accounts.models import Notification, User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from accounts.throttling import LoginIPThrottle, LoginUsernameThrottle, RegisterThrottle
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

REGISTER_PATHS = ["/api/user/", "/api/user", "/api/auth/register/", "/api/auth/register"]
STRONG_PASSWORD = "Quiet-river-stones-42"
NO_ACCOUNT = "No active account found with the given credentials"
PROFILE_KEYS = {
    "id", "username", "email", "full_name", "avatar_url", "bio", "timezone", "daily_focus_goal_minutes",
    "preferences", "onboarding_completed", "tier", "created_at", "updated_at",
}  # fmt: skip


def registration(**overrides) -> dict:
    return {"username": "ada", "email": "ada@example.com", "password": STRONG_PASSWORD, **overrides}


def login(client, username: str, password: str = DEFAULT_PASSWORD, path: str = "/api/token/", ip: str = "10.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def in_parallel(count: int, request) -> list:
    """``request(n)`` for n in 0..count-1, each in its own thread with its own client and database
    connection, released at the same moment; their responses in order."""
    barrier = threading.Barrier(count)

    def run(n):
        try:
            barrier.wait(timeout=10)
            return request(APIClient(), n)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def set_rate(monkeypatch, throttle, rate: str) -> None:
    """DRF reads a throttle's rates from its class attribute, so the test changes that (not settings)."""
    monkeypatch.setattr(throttle, "THROTTLE_RATES", {**throttle.THROTTLE_RATES, throttle.scope: rate})


# --- registration -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", REGISTER_PATHS)
def test_registration_creates_the_user_and_answers_their_profile(api_client, path):
    # when
    response = api_client.post(
        path, registration(full_name="Ada Lovelace", timezone="Europe/London", avatar_url="/avatars/avatar-2.png")
    )
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == PROFILE_KEYS
    assert "password" not in response.content.decode()
    user = User.objects.get(username="ada")
    assert body["id"] == str(user.pk)
    assert body["username"] == "ada"
    assert body["email"] == "ada@example.com"
    assert body["full_name"] == "Ada Lovelace"
    assert body["timezone"] == "Europe/London"
    assert body["avatar_url"] == "/avatars/avatar-2.png"
    assert body["tier"] == Tier.FREE
    assert body["onboarding_completed"] is False
    assert body["daily_focus_goal_minutes"] == 480
    assert body["preferences"] == {}
    assert body["created_at"].endswith("Z")
    assert user.check_password(STRONG_PASSWORD)


def test_first_and_last_name_make_the_full_name(api_client):
    # when
    response = api_client.post("/api/user/", registration(first_name=" Ada ", last_name="Lovelace"))
    # then
    assert response.status_code == 201, response.content
    assert response.json()["full_name"] == "Ada Lovelace"
    assert User.objects.get(username="ada").full_name == "Ada Lovelace"


def test_a_given_full_name_wins_over_first_and_last_name(api_client):
    # when
    response = api_client.post(
        "/api/user/", registration(full_name="Countess of Lovelace", first_name="Ada", last_name="King")
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["full_name"] == "Countess of Lovelace"


def test_registration_timezone_defaults_to_the_setting(api_client, settings):
    # given
    settings.DEFAULT_USER_TIMEZONE = "America/New_York"
    # when
    response = api_client.post("/api/auth/register/", registration())
    # then
    assert response.status_code == 201, response.content
    assert response.json()["timezone"] == "America/New_York"


def test_privilege_fields_sent_at_registration_are_ignored(api_client):
    # when
    response = api_client.post(
        "/api/user/",
        registration(tier="premium", is_staff=True, is_superuser=True, onboarding_completed=True),
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["tier"] == Tier.FREE
    assert response.json()["onboarding_completed"] is False
    user = User.objects.get(username="ada")
    assert (user.tier, user.is_staff, user.is_superuser, user.onboarding_completed) == (Tier.FREE, False, False, False)


def test_duplicate_username_in_other_case_is_400_naming_username(api_client):
    # given
    UserFactory(username="ada", email="first@example.com")
    # when
    response = api_client.post("/api/user/", registration(username="ADA", email="second@example.com"))
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"username"}
    assert "already exists" in response.json()["username"][0]
    assert User.objects.filter(username__iexact="ada").count() == 1


def test_duplicate_email_in_other_case_is_400_naming_email(api_client):
    # given
    UserFactory(username="first", email="ada@example.com")
    # when
    response = api_client.post("/api/auth/register/", registration(email="ADA@Example.COM"))
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"email"}
    assert "already exists" in response.json()["email"][0]
    assert not User.objects.filter(username="ada").exists()


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("password", id="common"),
        pytest.param("8412093756", id="numeric"),
        pytest.param("Xy7-q", id="short"),
        pytest.param("ada.lovelace", id="like-the-username"),
    ],
)
def test_weak_password_is_400_naming_password(api_client, password):
    # when
    response = api_client.post("/api/user/", registration(username="ada.lovelace", password=password))
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"password"}
    assert response.json()["password"]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"email": "not-an-email"}, "email", id="bad-email"),
        pytest.param({"email": ""}, "email", id="blank-email"),
        pytest.param({"timezone": "Mars/Olympus_Mons"}, "timezone", id="bad-timezone"),
        pytest.param({"avatar_url": "data:image/png;base64,iVBORw0KGgo="}, "avatar_url", id="data-avatar"),
        pytest.param({"avatar_url": "javascript:alert(1)"}, "avatar_url", id="script-avatar"),
        pytest.param({"username": "ada lovelace"}, "username", id="username-with-space"),
        pytest.param({"username": "ada@home"}, "username", id="username-with-at"),
    ],
)
def test_invalid_registration_field_is_400_naming_the_field(api_client, overrides, field):
    # when
    response = api_client.post("/api/user/", registration(**overrides))
    # then
    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.exists()


@pytest.mark.parametrize("missing", ["username", "email", "password"])
def test_registration_without_a_required_field_is_400_naming_it(api_client, missing):
    # given
    payload = registration()
    del payload[missing]
    # when
    response = api_client.post("/api/user/", payload)
    # then
    assert response.status_code == 400
    assert response.json() == {missing: ["This field is required."]}


def test_welcome_notification_and_email_are_sent_once_after_commit(
    api_client, django_capture_on_commit_callbacks, mailoutbox
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post("/api/user/", registration(full_name="Ada Lovelace"))
    # then
    assert response.status_code == 201, response.content
    # the welcome job, then (run by the job) the push of the notification it wrote
    assert len(callbacks) == 2
    user = User.objects.get(username="ada")
    welcome = Notification.objects.get(user=user)
    assert welcome.kind == NotificationKind.WELCOME
    assert welcome.title == "Welcome to LearnFlow"
    assert "Ada Lovelace" in welcome.body
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ada@example.com"]
    assert mailoutbox[0].subject == "Welcome to LearnFlow"


def test_nothing_is_sent_before_the_registration_commits(api_client, django_capture_on_commit_callbacks, mailoutbox):
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.post("/api/user/", registration())
    # then
    assert response.status_code == 201, response.content
    assert len(callbacks) == 1
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_failed_registration_schedules_no_welcome(api_client, django_capture_on_commit_callbacks, mailoutbox):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api_client.post("/api/user/", registration(password="password"))
    # then
    assert response.status_code == 400
    assert callbacks == []
    assert mailoutbox == []


def test_welcome_job_run_twice_sends_one_notification_and_one_email(user, mailoutbox):
    # when
    first = jobs.welcome_user.delay(str(user.pk)).get()
    second = jobs.welcome_user.delay(str(user.pk)).get()
    # then
    assert (first, second) == (True, False)
    assert Notification.objects.filter(user=user, kind=NotificationKind.WELCOME).count() == 1
    assert len(mail.outbox) == 1
    assert mailoutbox[0].to == [user.email]


def test_welcome_job_skips_an_inactive_user(mailoutbox):
    # given
    user = UserFactory(is_active=False)
    # when
    sent = jobs.welcome_user(str(user.pk))
    # then
    assert sent is False
    assert not Notification.objects.exists()
    assert mailoutbox == []


# --- token obtain -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/token/", "/api/token"])
@pytest.mark.parametrize("login_name", ["ada", "ADA", "ada@example.com", "Ada@Example.COM"])
def test_login_with_username_or_email_in_any_case_gives_working_tokens(api_client, path, login_name):
    # given
    user = UserFactory(username="ada", email="ada@example.com")
    # when
    response = login(api_client, login_name, path=path)
    # then
    assert response.status_code == 200, response.content
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/users/me/")
    assert me.status_code == 200
    assert me.json()["id"] == str(user.pk)
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize("login_name", ["ada", "nobody", "nobody@example.com"])
def test_wrong_password_or_unknown_user_is_401(api_client, login_name):
    # given
    UserFactory(username="ada")
    # when
    response = login(api_client, login_name, password="not-the-password-1")
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": NO_ACCOUNT}


def test_inactive_user_cannot_log_in(api_client):
    # given
    UserFactory(username="ada", is_active=False)
    # when
    response = login(api_client, "ada")
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": NO_ACCOUNT}


def test_access_token_of_a_deactivated_user_is_401():
    # given
    user = UserFactory()
    client = client_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    # when
    response = client.get("/api/users/me/")
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "user_inactive"


def test_login_without_password_is_400_naming_password(api_client):
    # when
    response = api_client.post("/api/token/", {"username": "ada"})
    # then
    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


# --- refresh, verify, logout ------------------------------------------------------------------


@pytest.fixture
def tokens(api_client, user) -> dict:
    response = login(api_client, user.username)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("path", ["/api/token/refresh/", "/api/token/refresh"])
def test_refresh_rotates_and_the_old_refresh_token_is_then_rejected(api_client, tokens, path):
    # when
    rotated = api_client.post(path, {"refresh": tokens["refresh"]})
    reused = api_client.post(path, {"refresh": tokens["refresh"]})
    # then
    assert rotated.status_code == 200, rotated.content
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != tokens["refresh"]
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_not_valid"
    assert api_client.post(path, {"refresh": rotated.json()["refresh"]}).status_code == 200


def test_a_rotation_writes_its_rows_by_owner_id_in_seven_queries(api_client, tokens, user, django_assert_num_queries):
    # when: the blacklist check, the owner, the old row, its blacklist entry (in a savepoint), the new
    # row; seven in production, nine here, where the test's transaction makes the rotation's a savepoint
    with django_assert_num_queries(9):
        rotated = api_client.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    # then
    assert rotated.status_code == 200, rotated.content
    old, new = (RefreshToken(token, verify=False)["jti"] for token in (tokens["refresh"], rotated.json()["refresh"]))
    assert OutstandingToken.objects.get(jti=old).blacklistedtoken.token.user == user
    assert OutstandingToken.objects.get(jti=new).user == user


def test_a_refresh_token_missing_from_the_outstanding_list_still_rotates_once(api_client, tokens, user):
    # given: a token whose outstanding row is gone (issued before the blacklist app, or purged)
    OutstandingToken.objects.filter(jti=RefreshToken(tokens["refresh"], verify=False)["jti"]).delete()
    # when
    rotated = api_client.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    reused = api_client.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    # then
    assert rotated.status_code == 200, rotated.content
    assert reused.status_code == 401
    assert OutstandingToken.objects.filter(user=user).count() == 2


def test_refreshed_access_token_works(api_client, tokens, user):
    # given
    access = api_client.post("/api/token/refresh/", {"refresh": tokens["refresh"]}).json()["access"]
    # when
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = api_client.get("/api/users/me")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == user.username


@pytest.mark.django_db(transaction=True)
def test_parallel_refreshes_of_one_token_rotate_it_once(user):
    # given: a refresh token sent ten times at once
    refresh = login(APIClient(), user.username).json()["refresh"]
    # when
    responses = in_parallel(10, lambda client, n: client.post("/api/token/refresh/", {"refresh": refresh}))
    # then: one rotation; the others are refused and get no tokens
    winners = [r for r in responses if r.status_code == 200]
    losers = [r for r in responses if r.status_code != 200]
    assert len(winners) == 1
    assert {r.status_code for r in losers} == {401}
    assert all(set(r.json()) <= {"detail", "code", "messages"} for r in losers)
    assert OutstandingToken.objects.filter(user=user).count() == 2
    new_refresh = winners[0].json()["refresh"]
    assert APIClient().post("/api/auth/logout/", {"refresh": new_refresh}).status_code == 200
    assert APIClient().post("/api/token/refresh/", {"refresh": new_refresh}).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_parallel_logouts_of_one_token_succeed_once(user):
    # given
    refresh = login(APIClient(), user.username).json()["refresh"]
    # when
    responses = in_parallel(5, lambda client, n: client.post("/api/auth/logout/", {"refresh": refresh}))
    # then
    assert sorted(r.status_code for r in responses) == [200] + [401] * 4


def test_an_access_token_cannot_be_used_to_refresh(api_client, tokens):
    # when
    response = api_client.post("/api/token/refresh/", {"refresh": tokens["access"]})
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_refresh_of_a_deactivated_user_is_401(api_client, tokens, user):
    # given
    User.objects.filter(pk=user.pk).update(is_active=False)
    # when
    response = api_client.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "No active account found for the given token."}


def test_refresh_of_a_deleted_user_is_401(api_client, tokens, user):
    # given
    user.delete()
    # when
    response = api_client.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "No active account found for the given token."}


@pytest.mark.parametrize("path", ["/api/token/verify/", "/api/token/verify"])
def test_verify_accepts_a_valid_token_and_rejects_a_forged_one(api_client, tokens, path):
    # given
    header, payload, signature = tokens["access"].split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"
    # when
    valid = api_client.post(path, {"token": tokens["access"]})
    invalid = api_client.post(path, {"token": forged})
    # then
    assert valid.status_code == 200
    assert valid.json() == {}
    assert invalid.status_code == 401
    assert invalid.json()["code"] == "token_not_valid"


def test_verify_without_a_token_is_400_naming_token(api_client):
    # when
    response = api_client.post("/api/token/verify/", {})
    # then
    assert response.status_code == 400
    assert response.json() == {"token": ["This field is required."]}


@pytest.mark.parametrize(
    "path", ["/api/token/blacklist/", "/api/token/blacklist", "/api/auth/logout/", "/api/auth/logout"]
)
def test_after_logout_the_refresh_token_no_longer_refreshes(api_client, tokens, path):
    # when
    logout = api_client.post(path, {"refresh": tokens["refresh"]})
    refresh = api_client.post("/api/token/refresh/", {"refresh": tokens["refresh"]})
    # then
    assert logout.status_code == 200, logout.content
    assert logout.json() == {}
    assert refresh.status_code == 401
    assert refresh.json()["code"] == "token_not_valid"


def test_logout_twice_is_401_the_second_time(api_client, tokens):
    # given
    api_client.post("/api/auth/logout/", {"refresh": tokens["refresh"]})
    # when
    response = api_client.post("/api/auth/logout/", {"refresh": tokens["refresh"]})
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_logout_without_a_refresh_token_is_400_naming_refresh(api_client):
    # when
    response = api_client.post("/api/auth/logout/", {})
    # then
    assert response.status_code == 400
    assert response.json() == {"refresh": ["This field is required."]}


# --- login and registration throttles ---------------------------------------------------------


def test_login_attempts_per_username_are_limited_across_ips(api_client, monkeypatch):
    # given
    set_rate(monkeypatch, LoginUsernameThrottle, "3/hour")
    UserFactory(username="ada")
    attempts = [
        login(api_client, name, password="guess-Number-1", ip=f"10.0.0.{n}")
        for n, name in enumerate(["ada", "ADA", "Ada"], start=1)
    ]
    # when
    blocked = login(api_client, "ada", ip="10.9.9.9")
    # then
    assert [r.status_code for r in attempts] == [401, 401, 401]
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 3600
    assert blocked["Content-Type"] == "application/json"
    assert "throttled" in blocked.json()["detail"]
    assert "access" not in blocked.json()


def test_login_attempts_by_username_and_by_email_count_against_the_same_account(api_client, monkeypatch):
    # given
    set_rate(monkeypatch, LoginUsernameThrottle, "2/hour")
    UserFactory(username="ada", email="ada@example.com")
    login(api_client, "ada", password="guess-Number-1", ip="10.0.0.1")
    login(api_client, "ADA@example.com", password="guess-Number-1", ip="10.0.0.2")
    # when
    blocked = login(api_client, "ada", ip="10.0.0.3")
    # then
    assert blocked.status_code == 429


def test_a_login_name_with_a_nul_character_is_refused_not_a_crash(api_client):
    response = api_client.post("/api/token/", {"username": "ada\x00", "password": "p"})
    assert response.status_code == 400
    assert "username" in response.json()


def test_a_forged_x_forwarded_for_does_not_escape_the_ip_limit(api_client, monkeypatch):
    # given
    set_rate(monkeypatch, LoginIPThrottle, "2/hour")
    for n in range(2):
        api_client.post(
            "/api/token/",
            {"username": f"x{n}", "password": "p"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}",
        )
    # when
    blocked = api_client.post(
        "/api/token/", {"username": "x9", "password": "p"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    # then
    assert blocked.status_code == 429


def test_login_limit_of_one_username_does_not_block_another(api_client, monkeypatch):
    # given
    set_rate(monkeypatch, LoginUsernameThrottle, "2/hour")
    UserFactory(username="ada")
    UserFactory(username="grace")
    for _ in range(2):
        login(api_client, "ada", password="guess-Number-1")
    # when
    response = login(api_client, "grace")
    # then
    assert login(api_client, "ada").status_code == 429
    assert response.status_code == 200


def test_login_attempts_per_ip_are_limited(api_client, monkeypatch):
    # given
    set_rate(monkeypatch, LoginIPThrottle, "3/hour")
    UserFactory(username="ada")
    for name in ["alpha", "beta", "gamma"]:
        assert login(api_client, name, ip="10.0.0.1").status_code == 401
    # when
    blocked = login(api_client, "ada", ip="10.0.0.1")
    other_ip = login(api_client, "ada", ip="10.0.0.2")
    # then
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "detail" in blocked.json()
    assert other_ip.status_code == 200


def test_registration_is_throttled_per_ip(api_client, monkeypatch):
    # given
    set_rate(monkeypatch, RegisterThrottle, "2/hour")
    for n in range(2):
        response = api_client.post(
            "/api/user/", registration(username=f"ada{n}", email=f"ada{n}@example.com"), REMOTE_ADDR="10.0.0.1"
        )
        assert response.status_code == 201
    # when
    blocked = api_client.post("/api/auth/register/", registration(), REMOTE_ADDR="10.0.0.1")
    other_ip = api_client.post("/api/auth/register/", registration(), REMOTE_ADDR="10.0.0.2")
    # then
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "throttled" in blocked.json()["detail"]
    assert other_ip.status_code == 201
    assert User.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_parallel_login_attempts_on_one_account_are_limited_exactly(monkeypatch):
    # given: an account allowed 10 attempts an hour, and 20 guesses from 20 IPs at the same moment
    set_rate(monkeypatch, LoginUsernameThrottle, "10/hour")
    UserFactory(username="ada")
    # when
    responses = in_parallel(20, lambda client, n: login(client, "ada", password="guess-Number-1", ip=f"10.0.1.{n}"))
    # then
    assert sorted(r.status_code for r in responses) == [401] * 10 + [429] * 10


@pytest.mark.django_db(transaction=True)
def test_parallel_registrations_from_one_ip_are_limited_exactly(monkeypatch):
    # given
    set_rate(monkeypatch, RegisterThrottle, "3/hour")
    # when
    responses = in_parallel(
        8,
        lambda client, n: client.post(
            "/api/user/", registration(username=f"ada{n}", email=f"ada{n}@example.com"), REMOTE_ADDR="10.0.0.1"
        ),
    )
    # then
    assert sorted(r.status_code for r in responses) == [201] * 3 + [429] * 5
    assert User.objects.count() == 3
