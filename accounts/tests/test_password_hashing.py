"""How passwords are stored (accounts.hashers): Argon2id at OWASP's parameters for every new password,
and an older hash (Django's PBKDF2) still signing in and re-made as Argon2id at that sign-in. The test
settings hash with MD5 for speed; these tests put the production hashers back."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher

from accounts.models import User
from accounts.tests.factories import UserFactory
from learnflow import settings as project_settings

pytestmark = pytest.mark.django_db

ARGON2ID_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"
PASSWORD = "Quiet-river-stones-42"


@pytest.fixture(autouse=True)
def production_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post("/api/token/", {"username": username, "password": password})


def user_with_hash(username: str, hasher) -> str:
    """A user whose password was stored by ``hasher`` (an instance); the stored hash."""
    encoded = hasher.encode(PASSWORD, hasher.salt())
    UserFactory(username=username)
    User.objects.filter(username=username).update(password=encoded)
    return encoded


def stored_hash(username: str) -> str:
    return User.objects.values_list("password", flat=True).get(username=username)


def test_a_registered_password_is_stored_as_argon2id_with_owasp_parameters(api_client):
    registration = {"username": "ada", "email": "ada@example.com", "password": PASSWORD}
    response = api_client.post("/api/auth/register", registration)

    assert response.status_code == 201
    assert stored_hash("ada").startswith(ARGON2ID_PREFIX)
    assert sign_in(api_client, "ada").status_code == 200


def test_a_pbkdf2_password_signs_in_and_is_then_stored_as_argon2id(api_client):
    assert user_with_hash("grace", PBKDF2PasswordHasher()).startswith("pbkdf2_sha256$")

    assert sign_in(api_client, "grace").status_code == 200

    assert stored_hash("grace").startswith(ARGON2ID_PREFIX)
    assert sign_in(api_client, "grace").status_code == 200
    assert sign_in(api_client, "grace", "Wrong-river-stones-42").status_code == 401


def test_a_wrong_password_leaves_an_older_hash_as_it_was(api_client):
    before = user_with_hash("grace", PBKDF2PasswordHasher())

    assert sign_in(api_client, "grace", "Wrong-river-stones-42").status_code == 401

    assert stored_hash("grace") == before


def test_an_argon2_hash_of_other_parameters_is_remade_with_these(api_client):
    assert not user_with_hash("alan", Argon2PasswordHasher()).startswith(ARGON2ID_PREFIX)  # 100 MiB, 8 lanes

    assert sign_in(api_client, "alan").status_code == 200

    assert stored_hash("alan").startswith(ARGON2ID_PREFIX)
