"""The timing helpers shared by ``manage.py benchmark_cache`` and ``bench/``."""

from learnflow.benchmarking import percentile, timed


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
