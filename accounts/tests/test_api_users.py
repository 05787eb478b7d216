"""Own profile, avatar, onboarding, the user directory and public profiles, through the HTTP API."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Tier
from accounts.models import User
from accounts.tests.factories import UserFactory
from learnflow.testing import client_for

pytestmark = pytest.mark.django_db

PROFILE_KEYS = {
    "id", "username", "email", "full_name", "avatar_url", "bio", "timezone", "daily_focus_goal_minutes",
    "preferences", "onboarding_completed", "tier", "created_at", "updated_at",
}  # fmt: skip
CONTRACT_USER_KEYS = {"id", "username", "email", "full_name", "avatar_url", "created_at"}
PUBLIC_KEYS = {"id", "username", "full_name", "avatar_url", "bio", "created_at"}
STATS_KEYS = {
    "total_verified_minutes", "total_sessions", "current_streak", "longest_streak", "achievements_unlocked",
    "member_since",
}  # fmt: skip


# --- own profile ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/users/me/", "/api/users/me", "/api/users/profile", "/api/users/profile/"])
def test_own_profile_shows_every_own_field(auth_client, user, path):
    # when
    response = auth_client.get(path)
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROFILE_KEYS
    assert body["id"] == str(user.pk)
    assert body["username"] == user.username
    assert body["email"] == user.email
    assert body["full_name"] == user.full_name
    assert body["timezone"] == "UTC"
    assert body["tier"] == Tier.FREE
    assert body["daily_focus_goal_minutes"] == 480
    assert body["created_at"].endswith("Z")


@pytest.mark.parametrize(
    "path",
    ["/api/users/me/", "/api/users/me", "/api/users/profile", "/api/users/profile/avatar", "/api/users/"],
)
def test_user_endpoints_are_401_without_a_token(api_client, path):
    # when
    response = api_client.get(path)
    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    ("method", "path"),
    [("patch", "/api/users/me/"), ("put", "/api/users/profile/avatar"), ("put", "/api/users/onboarding/complete")],
)
def test_profile_writes_are_401_without_a_token(api_client, method, path):
    # when
    response = getattr(api_client, method)(path, {"full_name": "Mallory"})
    # then
    assert response.status_code == 401
    assert not User.objects.filter(full_name="Mallory").exists()


@pytest.mark.parametrize("path", ["/api/users/me/", "/api/users/me"])
def test_patch_me_changes_the_own_profile(auth_client, user, path):
    # given
    changes = {
        "full_name": "Ada Lovelace",
        "bio": "Analytical engines.",
        "timezone": "Europe/Berlin",
        "daily_focus_goal_minutes": 120,
        "preferences": {"theme": "dark", "sound": False},
    }
    # when
    response = auth_client.patch(path, changes)
    # then
    assert response.status_code == 200, response.content
    assert {key: response.json()[key] for key in changes} == changes
    user.refresh_from_db()
    assert {key: getattr(user, key) for key in changes} == changes


def test_patch_me_changes_username_and_email(auth_client, user):
    # when
    response = auth_client.patch("/api/users/me/", {"username": "ada.l", "email": "ada@Example.COM"})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "ada.l"
    assert response.json()["email"] == "ada@example.com"
    user.refresh_from_db()
    assert (user.username, user.email) == ("ada.l", "ada@example.com")


def test_changing_only_the_letter_case_of_the_own_username_is_allowed(auth_client, user):
    # when
    response = auth_client.patch("/api/users/me/", {"username": user.username.upper()})
    # then
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.username == user.username.upper()


@pytest.mark.parametrize("field", ["username", "email"])
def test_taking_another_users_username_or_email_in_other_case_is_400_naming_it(auth_client, user, other_user, field):
    # given
    taken = getattr(other_user, field).upper()
    # when
    response = auth_client.patch("/api/users/me/", {field: taken})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert "already exists" in response.json()[field][0]
    before = getattr(user, field)
    user.refresh_from_db()
    assert getattr(user, field) == before


def test_privileged_fields_in_a_profile_patch_are_ignored(auth_client, user):
    # given
    original_id = user.pk
    # when
    response = auth_client.patch(
        "/api/users/me/",
        {
            "id": str(uuid.uuid4()),
            "tier": "premium",
            "onboarding_completed": True,
            "is_staff": True,
            "is_superuser": True,
            "full_name": "Still Me",
        },
    )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(original_id)
    assert response.json()["tier"] == Tier.FREE
    assert response.json()["onboarding_completed"] is False
    user.refresh_from_db()
    assert user.pk == original_id
    assert user.full_name == "Still Me"
    assert (user.tier, user.onboarding_completed, user.is_staff, user.is_superuser) == (Tier.FREE, False, False, False)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"timezone": "Mars/Olympus_Mons"}, "timezone", id="unknown-timezone"),
        pytest.param({"timezone": "CEST"}, "timezone", id="abbreviation-timezone"),
        pytest.param({"daily_focus_goal_minutes": 0}, "daily_focus_goal_minutes", id="goal-0"),
        pytest.param({"daily_focus_goal_minutes": 1441}, "daily_focus_goal_minutes", id="goal-1441"),
        pytest.param({"daily_focus_goal_minutes": "lots"}, "daily_focus_goal_minutes", id="goal-text"),
        pytest.param({"preferences": ["dark"]}, "preferences", id="preferences-list"),
        pytest.param({"preferences": "dark"}, "preferences", id="preferences-string"),
        pytest.param({"preferences": 3}, "preferences", id="preferences-number"),
        pytest.param({"email": "not-an-email"}, "email", id="bad-email"),
        pytest.param({"username": "with space"}, "username", id="username-with-space"),
        pytest.param({"username": "me@home"}, "username", id="username-with-at"),
        pytest.param({"username": ""}, "username", id="blank-username"),
        pytest.param({"avatar_url": "data:image/png;base64,iVBORw0KGgo="}, "avatar_url", id="data-avatar"),
        pytest.param({"bio": "x" * 1001}, "bio", id="bio-too-long"),
    ],
)
def test_invalid_profile_patch_is_400_naming_the_field_and_changes_nothing(auth_client, user, changes, field):
    # given
    before = User.objects.values().get(pk=user.pk)
    # when
    response = auth_client.patch("/api/users/me/", {**changes, "full_name": "Changed Anyway"})
    # then
    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.values().get(pk=user.pk) == before


@pytest.mark.parametrize("visibility", ["public", "groups", "private"])
def test_profile_visibility_is_a_preference(auth_client, user, visibility):
    # when
    response = auth_client.patch("/api/users/me/", {"preferences": {"profile_visibility": visibility, "theme": "dark"}})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["preferences"] == {"profile_visibility": visibility, "theme": "dark"}
    user.refresh_from_db()
    assert user.preferences["profile_visibility"] == visibility


@pytest.mark.parametrize("visibility", ["friends", "PUBLIC", "", None, 1, ["public"]])
def test_a_bad_profile_visibility_is_400_naming_it_and_changes_nothing(auth_client, user, visibility):
    # given
    User.objects.filter(pk=user.pk).update(preferences={"profile_visibility": "groups"})
    # when
    response = auth_client.patch("/api/users/me/", {"preferences": {"profile_visibility": visibility}}, format="json")
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"preferences"}
    assert "profile_visibility must be one of: public, groups, private." in response.json()["preferences"]
    user.refresh_from_db()
    assert user.preferences == {"profile_visibility": "groups"}


def test_onboarding_refuses_a_bad_profile_visibility(auth_client, user):
    # when
    response = auth_client.put("/api/users/onboarding/complete", {"preferences": {"profile_visibility": "world"}})
    # then
    assert response.status_code == 400
    assert "profile_visibility" in response.json()["preferences"][0]
    user.refresh_from_db()
    assert (user.onboarding_completed, user.preferences) == (False, {})


@pytest.mark.parametrize("goal", [1, 1440])
def test_daily_focus_goal_accepts_the_bounds(auth_client, user, goal):
    # when
    response = auth_client.patch("/api/users/me/", {"daily_focus_goal_minutes": goal})
    # then
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.daily_focus_goal_minutes == goal


def test_put_on_me_is_405_json(auth_client):
    # when
    response = auth_client.put("/api/users/me/", {"full_name": "X"})
    # then
    assert response.status_code == 405
    assert "detail" in response.json()


# --- avatar -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "avatar_url",
    ["/avatars/avatar-1.png", "https://cdn.example.com/u/1.png", "http://example.com/a.jpg?size=64"],
)
def test_put_avatar_answers_the_user_as_the_contract_shows(auth_client, user, avatar_url):
    # when
    response = auth_client.put("/api/users/profile/avatar", {"avatar_url": avatar_url})
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) >= CONTRACT_USER_KEYS
    assert body["id"] == str(user.pk)
    assert body["username"] == user.username
    assert body["email"] == user.email
    assert body["full_name"] == user.full_name
    assert body["avatar_url"] == avatar_url
    assert body["created_at"].endswith("Z")
    user.refresh_from_db()
    assert user.avatar_url == avatar_url


@pytest.mark.parametrize("path", ["/api/users/profile/avatar", "/api/users/profile/avatar/"])
def test_get_avatar_answers_only_the_avatar_url(auth_client, user, path):
    # given
    User.objects.filter(pk=user.pk).update(avatar_source="/avatars/avatar-1.png")
    # when
    response = auth_client.get(path)
    # then
    assert response.status_code == 200
    assert response.json() == {"avatar_url": "/avatars/avatar-1.png"}


def test_get_avatar_is_the_generated_default_when_none_is_set(auth_client, user):
    # when
    response = auth_client.get("/api/users/profile/avatar")
    # then
    assert response.status_code == 200
    assert response.json()["avatar_url"].startswith(f"/api/users/{user.pk}/avatar?v=d")


def test_data_url_avatar_is_400_naming_avatar_url_with_a_clear_message(auth_client, user):
    # given
    User.objects.filter(pk=user.pk).update(avatar_source="/avatars/avatar-1.png")
    # when
    response = auth_client.put("/api/users/profile/avatar", {"avatar_url": "data:image/png;base64,iVBORw0KGgo="})
    # then
    assert response.status_code == 400
    assert response.json() == {"avatar_url": ["Data URLs are not accepted: send the image's URL or path instead."]}
    user.refresh_from_db()
    assert user.avatar_url == "/avatars/avatar-1.png"


@pytest.mark.parametrize(
    "avatar_url",
    [
        pytest.param("javascript:alert(1)", id="javascript"),
        pytest.param("//evil.com/x.png", id="protocol-relative"),
        pytest.param("https://example.com/" + "a" * 481, id="501-chars"),
        pytest.param("ftp://example.com/a.png", id="ftp"),
        pytest.param("avatar.png", id="relative-path"),
        pytest.param("/avatars/a b.png", id="space"),
        pytest.param("DATA:image/png;base64,AAAA", id="upper-case-data"),
    ],
)
def test_unsafe_or_malformed_avatar_is_400_naming_avatar_url(auth_client, user, avatar_url):
    # when
    response = auth_client.put("/api/users/profile/avatar", {"avatar_url": avatar_url})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"avatar_url"}
    user.refresh_from_db()
    assert (user.avatar_source, user.avatar_key) == (None, "")


def test_avatar_of_500_chars_is_accepted(auth_client, user):
    # given
    avatar_url = "https://example.com/" + "a" * 480
    assert len(avatar_url) == 500
    # when
    response = auth_client.put("/api/users/profile/avatar", {"avatar_url": avatar_url})
    # then
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.avatar_url == avatar_url


@pytest.mark.parametrize("cleared", [None, ""])
def test_null_avatar_clears_it_to_the_generated_default(auth_client, user, cleared):
    # given
    User.objects.filter(pk=user.pk).update(avatar_source="/avatars/avatar-1.png")
    # when
    response = auth_client.put("/api/users/profile/avatar", {"avatar_url": cleared})
    # then
    assert response.status_code == 200, response.content
    assert response.json()["avatar_url"].startswith(f"/api/users/{user.pk}/avatar?v=d")
    user.refresh_from_db()
    assert user.avatar_source is None


def test_put_avatar_without_avatar_url_is_400_naming_it(auth_client):
    # when
    response = auth_client.put("/api/users/profile/avatar", {})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"avatar_url"}


# --- onboarding -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/users/onboarding/complete", "/api/users/onboarding/complete/"])
def test_onboarding_merges_preferences_sets_avatar_and_completes(auth_client, user, path):
    # given
    User.objects.filter(pk=user.pk).update(preferences={"theme": "dark", "work_hours": "8-4"})
    # when
    response = auth_client.put(
        path,
        {"preferences": {"work_hours": "9-5", "notification_enabled": True}, "avatar_url": "/avatars/avatar-1.png"},
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert {*CONTRACT_USER_KEYS, "onboarding_completed"} <= set(body)
    assert body["id"] == str(user.pk)
    assert body["username"] == user.username
    assert body["email"] == user.email
    assert body["full_name"] == user.full_name
    assert body["avatar_url"] == "/avatars/avatar-1.png"
    assert body["onboarding_completed"] is True
    assert body["created_at"].endswith("Z")
    expected_preferences = {"theme": "dark", "work_hours": "9-5", "notification_enabled": True}
    assert body["preferences"] == expected_preferences
    user.refresh_from_db()
    assert user.onboarding_completed is True
    assert user.avatar_url == "/avatars/avatar-1.png"
    assert user.preferences == expected_preferences


def test_repeating_onboarding_is_harmless(auth_client, user):
    # given
    first = auth_client.put(
        "/api/users/onboarding/complete", {"preferences": {"theme": "dark"}, "avatar_url": "/avatars/avatar-1.png"}
    )
    assert first.status_code == 200, first.content
    # when
    again = auth_client.put("/api/users/onboarding/complete", {})
    # then
    assert again.status_code == 200, again.content
    assert again.json()["onboarding_completed"] is True
    user.refresh_from_db()
    assert user.onboarding_completed is True
    assert user.preferences == {"theme": "dark"}
    assert user.avatar_url == "/avatars/avatar-1.png"


@pytest.mark.parametrize("preferences", [["dark"], "dark", 7, None])
def test_onboarding_preferences_not_an_object_is_400_naming_preferences(auth_client, user, preferences):
    # when
    response = auth_client.put("/api/users/onboarding/complete", {"preferences": preferences})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"preferences"}
    user.refresh_from_db()
    assert user.onboarding_completed is False


def test_onboarding_with_a_data_url_avatar_is_400_and_does_not_complete(auth_client, user):
    # when
    response = auth_client.put(
        "/api/users/onboarding/complete",
        {"preferences": {"theme": "dark"}, "avatar_url": "data:image/png;base64,iVBORw0KGgo="},
    )
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"avatar_url"}
    user.refresh_from_db()
    assert (user.onboarding_completed, user.preferences, user.avatar_source) == (False, {}, None)


def test_onboarding_ignores_privileged_fields(auth_client, user):
    # when
    response = auth_client.put("/api/users/onboarding/complete", {"tier": "premium", "is_staff": True})
    # then
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert (user.tier, user.is_staff, user.onboarding_completed) == (Tier.FREE, False, True)


# --- directory and public profiles ------------------------------------------------------------


def test_user_list_shows_names_and_avatars_but_never_email(auth_client, user):
    # given
    other = UserFactory(username="grace", full_name="Grace Hopper", avatar_source="/avatars/avatar-3.png")
    # when
    response = auth_client.get("/api/users/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 2
    assert {row["username"]: row for row in body["results"]}["grace"] == {
        "id": str(other.pk),
        "username": "grace",
        "full_name": "Grace Hopper",
        "avatar_url": "/avatars/avatar-3.png",
    }
    assert "@" not in response.content.decode()


def test_user_list_search_finds_by_username(auth_client):
    # given
    UserFactory(username="alice_smith", full_name="A. S.")
    UserFactory(username="bob", full_name="B. B.")
    # when
    response = auth_client.get("/api/users/?search=ALICE")
    # then
    assert response.status_code == 200
    assert [row["username"] for row in response.json()["results"]] == ["alice_smith"]


def test_user_list_search_does_not_match_emails(auth_client):
    # given
    UserFactory(username="carol", email="carol@secret-domain.example")
    # when
    response = auth_client.get("/api/users/?search=secret-domain")
    # then
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_inactive_users_are_not_listed(auth_client, user):
    # given
    UserFactory(username="gone", is_active=False)
    # when
    response = auth_client.get("/api/users")
    # then
    assert response.status_code == 200
    assert [row["username"] for row in response.json()["results"]] == [user.username]


def test_user_list_is_paginated_and_ordered_by_username(auth_client, user):
    # given
    for name in ["zed", "amy", "kim"]:
        UserFactory(username=name)
    # when
    first = auth_client.get("/api/users/?page_size=2")
    second = auth_client.get(first.json()["next"])
    # then
    assert first.status_code == 200
    assert first.json()["count"] == 4
    assert first.json()["previous"] is None
    names = [row["username"] for row in first.json()["results"] + second.json()["results"]]
    assert names == sorted(["zed", "amy", "kim", user.username])
    assert second.json()["next"] is None
    assert second.json()["previous"] is not None


def test_user_list_query_count_does_not_grow_with_the_number_of_users(auth_client, django_assert_num_queries):
    # given
    with CaptureQueriesContext(connection) as one_user:
        assert auth_client.get("/api/users/").json()["count"] == 1
    UserFactory.create_batch(29)
    # when
    # the full page's count comes with the page (learnflow.pagination): no COUNT query
    with django_assert_num_queries(len(one_user.captured_queries)):
        response = auth_client.get("/api/users/")
    # then
    assert response.json()["count"] == 30
    assert len(response.json()["results"]) == 20


@pytest.mark.parametrize("slash", ["/", ""])
def test_public_profile_shows_only_public_fields(auth_client, slash):
    # given
    other = UserFactory(
        username="grace",
        full_name="Grace Hopper",
        bio="Compilers.",
        avatar_source="/avatars/avatar-3.png",
        timezone="America/New_York",
        preferences={"theme": "light"},
    )
    # when
    response = auth_client.get(f"/api/users/{other.pk}{slash}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PUBLIC_KEYS | STATS_KEYS
    assert body["id"] == str(other.pk)
    assert (body["username"], body["full_name"], body["bio"], body["avatar_url"]) == (
        "grace",
        "Grace Hopper",
        "Compilers.",
        "/avatars/avatar-3.png",
    )
    content = response.content.decode()
    assert other.email not in content
    assert "America/New_York" not in content


def test_public_profile_of_an_unknown_user_is_404_json(auth_client):
    # when
    response = auth_client.get(f"/api/users/{uuid.uuid4()}/")
    # then
    assert response.status_code == 404
    assert response.json() == {"detail": "No User matches the given query."}


def test_public_profile_of_an_inactive_user_is_404(auth_client):
    # given
    gone = UserFactory(is_active=False)
    # when
    response = auth_client.get(f"/api/users/{gone.pk}/")
    # then
    assert response.status_code == 404


def test_public_profile_is_401_without_a_token(api_client, other_user):
    # when
    response = api_client.get(f"/api/users/{other_user.pk}/")
    # then
    assert response.status_code == 401
    assert "username" not in response.json()


def test_public_profile_cannot_be_changed(auth_client, other_user):
    # when
    response = auth_client.patch(f"/api/users/{other_user.pk}/", {"full_name": "Mallory"})
    # then
    assert response.status_code == 405
    other_user.refresh_from_db()
    assert other_user.full_name != "Mallory"


def test_another_users_token_sees_their_own_profile_not_mine(user, other_user):
    # when
    response = client_for(other_user).get("/api/users/me/")
    # then
    assert response.status_code == 200
    assert response.json()["id"] == str(other_user.pk)
    assert response.json()["email"] != user.email
