"""End to end: staff sign in through the admin's login form in a real browser (Debian's headless
chromium, driven by Selenium through chromium-driver), open Activity from the admin index, and every
chart draws the seeded numbers, read back from its Chart.js instance.

The browser is required, never skipped: ``scripts/test.sh`` installs it when it is missing."""

import shutil
from datetime import UTC, datetime, time, timedelta

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from analytics.activity import DEFAULT_DAYS, site_today
from challenges.tests.factories import ParticipationFactory
from focus.choices import SessionSource
from focus.tests.factories import StudySessionFactory
from tasks.tests.factories import TaskFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHARTS = ("active-users", "focus-minutes", "sessions-by-hour", "challenges", "top-topics", "registrations")


@pytest.fixture
def browser():
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.fail(
            "The end-to-end tests need Debian's chromium and chromium-driver on PATH; scripts/test.sh "
            "installs them (apt-get install chromium chromium-driver)."
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@pytest.fixture
def seeded():
    """Three days of activity ending today (the site calendar is UTC), in timezones without DST so
    the local hours do not depend on the time of year."""
    today = site_today()
    two_days_ago, yesterday = today - timedelta(days=2), today - timedelta(days=1)
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    alice = UserFactory(timezone="Asia/Tokyo")
    bob = UserFactory(timezone="UTC")
    carol = UserFactory(timezone="Asia/Kolkata")
    StudySessionFactory(user=alice, topic="Algebra", started_at=at(two_days_ago, 1), planned_duration=30)
    StudySessionFactory(user=alice, topic="Algebra", started_at=at(yesterday, 3), planned_duration=45)
    StudySessionFactory(
        user=bob, topic="Chemistry", source=SessionSource.ROOM, verified=True, started_at=at(yesterday, 9),
        planned_duration=25,
    )  # fmt: skip
    TaskFactory(user=carol, completed=True, completed_at=at(two_days_ago, 8))
    joined = ParticipationFactory(user=carol)
    joined.completed_at = at(yesterday, 12)
    joined.save(update_fields=["completed_at"])

    days = [today - timedelta(days=n) for n in range(DEFAULT_DAYS - 1, -1, -1)]

    def per_day(numbers: dict) -> list[int]:
        return [numbers.get(day, 0) for day in days]

    hours = [0] * 24
    hours[10] = hours[12] = hours[9] = 1  # 01:00 and 03:00 UTC in Tokyo, 09:00 UTC in UTC
    return {
        "staff": staff,
        "labels": [day.isoformat() for day in days],
        "active-users": [per_day({two_days_ago: 2, yesterday: 2, today: 1})],
        "focus-minutes": [per_day({two_days_ago: 30, yesterday: 45 + 25})],
        "sessions-by-hour": [hours],
        "challenges": [per_day({today: 1}), per_day({yesterday: 1})],
        "top-topics": [[75, 25]],
        "registrations": [per_day({today: 4})],
    }


def chart_data(browser, name: str) -> dict:
    return browser.execute_script(
        "const chart = Chart.getChart(document.getElementById(arguments[0]));"
        "return chart && {type: chart.config.type, labels: chart.data.labels,"
        " datasets: chart.data.datasets.map((set) => set.data)};",
        f"chart-{name}",
    )


def test_staff_sign_in_open_activity_and_every_chart_draws_the_seeded_numbers(browser, live_server, seeded):
    # given staff signed in through the admin's login form
    browser.get(f"{live_server.url}/admin/login/?next=/admin/")
    browser.find_element(By.ID, "id_username").send_keys(seeded["staff"].username)
    browser.find_element(By.ID, "id_password").send_keys(DEFAULT_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait = WebDriverWait(browser, 20)
    wait.until(expected_conditions.presence_of_element_located((By.ID, "staff-pages")))

    # when they open Activity from the admin index
    browser.find_element(By.LINK_TEXT, "Activity").click()
    wait.until(lambda driver: driver.find_element(By.ID, "activity").get_attribute("data-state") != "loading")

    # then every chart drew the seeded numbers over the last 30 days
    root = browser.find_element(By.ID, "activity")
    assert root.get_attribute("data-state") == "ready", browser.find_element(By.ID, "activity-error").text
    assert browser.find_element(By.ID, "activity-start").get_attribute("value") == seeded["labels"][0]
    assert browser.find_element(By.ID, "activity-end").get_attribute("value") == seeded["labels"][-1]
    drawn = {name: chart_data(browser, name) for name in CHARTS}
    for name in CHARTS:
        assert drawn[name] is not None, f"no chart on #chart-{name}"
        assert drawn[name]["datasets"] == seeded[name], name
    for name in ("active-users", "focus-minutes", "challenges", "registrations"):
        assert drawn[name]["labels"] == seeded["labels"], name
    assert drawn["sessions-by-hour"]["labels"] == [f"{hour:02d}" for hour in range(24)]
    assert drawn["top-topics"]["labels"] == ["Algebra", "Chemistry"]

    # and a range the API refuses is shown, not drawn
    browser.get(f"{live_server.url}/admin/activity/?start=2024-03-10&end=2024-03-01")
    wait.until(lambda driver: driver.find_element(By.ID, "activity").get_attribute("data-state") != "loading")
    assert browser.find_element(By.ID, "activity").get_attribute("data-state") == "error"
    assert "end: The end comes before the start." in browser.find_element(By.ID, "activity-error").text
