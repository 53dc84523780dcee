"""The garbage collector is held back while an operation runs, and given back after."""
from __future__ import annotations

import gc
import threading
from types import SimpleNamespace

import pytest

from weiwen import collector
from weiwen.pipeline import Report, registry


@pytest.fixture(autouse=True)
def default_threshold():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_the_threshold_is_raised_inside_and_given_back_after():
    with collector.bulk_work():
        assert gc.get_threshold() == (collector.YOUNG, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)


def test_the_default_comes_back_when_an_operation_fails():
    with pytest.raises(ValueError):
        with collector.bulk_work():
            raise ValueError("boom")
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_operations_on_threads_give_back_the_default_once_both_end():
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[tuple[int, ...]] = []

    def first() -> None:
        with collector.bulk_work():
            first_in.set()
            second_done.wait(5)
            seen.append(gc.get_threshold())

    def second() -> None:
        first_in.wait(5)
        with collector.bulk_work():
            seen.append(gc.get_threshold())
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    # the second ended first: the first still ran with the raised threshold
    assert seen == [(collector.YOUNG, 10, 10)] * 2
    assert gc.get_threshold() == (700, 10, 10)


def test_every_operation_runs_with_it(monkeypatch):
    seen = []
    op = registry.OPERATIONS["check"]

    def run(book, options, progress):
        seen.append(gc.get_threshold())
        return Report(command="check")
    monkeypatch.setitem(registry.OPERATIONS, "check", registry.Operation(op.tag, op.label, run))
    registry.perform("check", book=SimpleNamespace(notes=[]))     # type: ignore[arg-type]
    assert seen == [(collector.YOUNG, 10, 10)]
    assert gc.get_threshold() == (700, 10, 10)
