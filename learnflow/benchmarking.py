"""Timing helpers of ``manage.py benchmark_cache`` and the scripts in ``bench/``: repeated calls in
milliseconds, their percentiles and a mean / p95 table; and the ceiling view of the HTTP benchmark."""

import statistics
import time

from django.http import JsonResponse


def timed(call, n: int, *, warm_up: bool = False, setup=None) -> list[float]:
    """``n`` timings of ``call()`` in milliseconds (after one untimed call with ``warm_up``). With
    ``setup``, each timed ``call(setup())`` gets what an untimed ``setup()`` just prepared."""
    run = (lambda: call(setup())) if setup else call
    if warm_up:
        run()
    samples = []
    for _ in range(n):
        prepared = (setup(),) if setup else ()
        began = time.perf_counter()
        call(*prepared)
        samples.append((time.perf_counter() - began) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]


def percentile(samples: list[float], pct: int) -> float:
    """The ``pct``-th percentile (1-99) of ``samples``, interpolated between the nearest ranks."""
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1] if len(samples) > 1 else samples[0]


def report(title: str, results: dict[str, list[float]]) -> None:
    print(title)
    print(f"  {'method':<14} {'mean ms':>9} {'p95 ms':>9}")
    for name, samples in results.items():
        print(f"  {name:<14} {statistics.fmean(samples):>9.2f} {p95(samples):>9.2f}")


def ceiling(request):
    """The HTTP benchmark's ceiling (``bench/http/run.py``): a bare Django JSON view behind the same
    middleware and server as the API, with no authentication, no database and no DRF. Routed at
    ``/bench/ceiling`` only when ``LEARNFLOW_BENCH_CEILING`` is set (the benchmark's server), never
    otherwise."""
    return JsonResponse({"ok": True, "service": "learnflow"})
