import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_every_dependency_up(api_client):
    # when
    response = api_client.get("/health/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "up",
        "cache": "up",
        "broker": "up",
    }


def test_health_is_503_naming_the_failing_dependency(api_client, monkeypatch):
    # given
    from learnflow import health

    def broken():
        raise ConnectionError("refused")

    monkeypatch.setitem(health.CHECKS, "broker", broken)
    # when
    response = api_client.get("/health")
    # then
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"status": "down", "error": "ConnectionError"}
    assert response.json()["checks"]["database"]["status"] == "up"
