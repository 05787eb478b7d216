"""A value cached under a generation is served until a change ends the generation, never after."""

import pytest

from learnflow.generation_cache import generation_cached, generation_end

pytestmark = pytest.mark.django_db

KEY, GENERATION = "test:value", "test:generation"


def read(compute):
    return generation_cached(key=KEY, generation_key=GENERATION, compute=compute, timeout=60)


def test_a_value_is_computed_once_while_its_generation_lasts():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert [read(compute), read(compute), read(compute)] == [1, 1, 1]
    assert len(calls) == 1


def test_the_next_read_after_a_change_computes_again():
    values = iter(["before", "after"])
    assert read(lambda: next(values)) == "before"
    # when
    generation_end(GENERATION)
    # then
    assert read(lambda: next(values)) == "after"


def test_a_value_computed_before_a_change_is_not_served_after_it():
    # given: a read that computes while a change ends the generation (its rows predate the change)
    def compute_racing_a_change():
        generation_end(GENERATION)
        return "stale"

    assert read(compute_racing_a_change) == "stale"
    # when
    fresh = read(lambda: "fresh")
    # then
    assert fresh == "fresh"
    assert read(lambda: "never computed") == "fresh"
