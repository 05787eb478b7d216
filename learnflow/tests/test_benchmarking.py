"""The timing helpers shared by ``manage.py benchmark_cache`` and ``bench/``, and the HTTP benchmark's
ceiling view, routed only on the benchmark's server."""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

from learnflow import urls
from learnflow.benchmarking import percentile, timed


@pytest.fixture
def reload_urls():
    """Rebuild the root URLconf under the settings in force; rebuild it again afterwards."""

    def rebuild():
        importlib.reload(urls)
        clear_url_caches()

    yield rebuild
    rebuild()


def test_the_ceiling_view_is_not_routed_unless_the_benchmark_asks(client):
    # when
    response = client.get("/bench/ceiling")
    # then
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_benchmark_server_routes_the_ceiling_without_auth_or_database(
    client, reload_urls, django_assert_num_queries
):
    # given
    with override_settings(LEARNFLOW_BENCH_CEILING=True):
        reload_urls()
        # when
        with django_assert_num_queries(0):
            response = client.get("/bench/ceiling")
    # then
    assert response.status_code == 200
    assert response.json() == {"ok": True, "service": "learnflow"}


def test_percentiles_interpolate_between_the_nearest_ranks():
    samples = [float(n) for n in range(1, 101)]
    assert (percentile(samples, 50), percentile(samples, 99)) == (50.5, 99.01)
    assert percentile([7.0], 99) == 7.0


def test_timed_calls_get_what_an_untimed_setup_prepared_each_time():
    # given
    prepared = iter(range(100))
    received = []
    # when
    samples = timed(received.append, 3, warm_up=True, setup=lambda: next(prepared))
    # then
    assert received == [0, 1, 2, 3]
    assert len(samples) == 3
    assert all(sample >= 0 for sample in samples)
