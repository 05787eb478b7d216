"""The admin's Activity page (``/admin/activity/``), reached from the admin index, staff only."""

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PAGE = "/admin/activity/"


def test_the_admin_index_links_to_the_activity_page():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert b'id="staff-pages"' in response.content
    assert f'<a href="{PAGE}">Activity</a>'.encode() in response.content
    assert b"Users" in response.content  # the models are still listed


def test_staff_get_the_page_with_its_charts_and_scripts():
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    response = client.get(PAGE, {"start": "2024-03-01", "end": "2024-03-31"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-api-url="/api/admin/activity"' in html
    assert 'value="2024-03-01"' in html and 'value="2024-03-31"' in html
    for chart in ("active-users", "focus-minutes", "sessions-by-hour", "challenges", "top-topics", "registrations"):
        assert f'id="chart-{chart}"' in html
    assert "/static/analytics/vendor/chart.js-4.6.2/chart.umd.js" in html
    assert "/static/analytics/activity.js" in html


def test_the_range_typed_in_the_page_is_escaped():
    client = Client()
    client.force_login(UserFactory(is_staff=True))

    response = client.get(PAGE, {"start": '"><script>alert(1)</script>'})

    assert b"<script>alert(1)</script>" not in response.content


@pytest.mark.parametrize("is_staff", [False, None])
def test_others_are_sent_to_the_admin_login(is_staff):
    client = Client()
    if is_staff is not None:
        client.force_login(UserFactory(is_staff=is_staff))

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={PAGE}"
