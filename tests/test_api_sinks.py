"""The sink worker: records leave the request path, in order, and none is lost."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from mlops_course.api.sinks import SinkWorker


def test_records_are_delivered_in_order_and_flush_waits_for_all() -> None:
    delivered: list[int] = []

    def slow(records: list[dict[str, Any]]) -> None:
        time.sleep(0.001)
        delivered.extend(r["n"] for r in records)

    worker = SinkWorker(slow)
    for n in range(200):
        worker.submit([{"n": n}])
    worker.flush()
    assert delivered == list(range(200))
    worker.close()


def test_concurrent_submitters_lose_nothing_and_close_drains_the_queue() -> None:
    delivered: list[int] = []
    worker = SinkWorker(lambda records: delivered.extend(r["n"] for r in records), max_pending=8)

    def submit(offset: int) -> None:
        for n in range(500):
            worker.submit([{"n": offset + n}])

    threads = [threading.Thread(target=submit, args=(k * 1000,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    worker.close()
    assert sorted(delivered) == sorted(k * 1000 + n for k in range(8) for n in range(500))


def test_requests_waiting_together_are_delivered_in_one_call() -> None:
    calls: list[int] = []
    gate = threading.Event()

    def deliver(records: list[dict[str, Any]]) -> None:
        gate.wait(5)
        calls.append(len(records))

    worker = SinkWorker(deliver)
    worker.submit([{"n": 0}])  # held at the gate while the next ones queue up
    for n in range(1, 50):
        worker.submit([{"n": n}])
    gate.set()
    worker.flush()
    assert sum(calls) == 50 and len(calls) < 50
    worker.close()


def test_a_failing_delivery_is_logged_and_later_records_still_arrive(caplog: Any) -> None:
    delivered: list[int] = []

    def fragile(records: list[dict[str, Any]]) -> None:
        if records[0]["n"] == 1:
            raise OSError("disk full")
        delivered.append(records[0]["n"])

    worker = SinkWorker(fragile, max_batches=1)
    for n in range(3):
        worker.submit([{"n": n}])
    worker.flush()
    assert delivered == [0, 2]
    assert "disk full" in caplog.text
    worker.close()
    worker.submit([{"n": 3}])  # a closed worker restarts on the next submit
    worker.flush()
    assert delivered == [0, 2, 3]
    worker.close()


def test_records_of_one_linger_share_a_delivery_and_flush_does_not_wait_for_it() -> None:
    calls: list[list[int]] = []
    worker = SinkWorker(lambda records: calls.append([r["n"] for r in records]), linger=60.0)
    for n in range(20):
        worker.submit([{"n": n}])
    flusher = threading.Thread(target=worker.flush)
    flusher.start()
    flusher.join(10)  # a flush that waited for the 60 s linger would still be running
    assert not flusher.is_alive()
    assert calls == [list(range(20))]
    worker.submit([{"n": 20}])
    closer = threading.Thread(target=worker.close)
    closer.start()
    closer.join(10)  # close delivers what is queued without lingering either
    assert not closer.is_alive()
    assert calls == [list(range(20)), [20]]


def test_a_full_queue_ends_the_linger() -> None:
    delivered: list[int] = []
    worker = SinkWorker(lambda records: delivered.extend(r["n"] for r in records), linger=60.0,
                        max_pending=4)  # fmt: skip
    submitter = threading.Thread(target=lambda: [worker.submit([{"n": n}]) for n in range(40)])
    submitter.start()
    submitter.join(10)  # each linger ends once the queue is half full: the submitter never blocks
    assert not submitter.is_alive()
    worker.close()
    assert delivered == list(range(40))


def test_linger_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="linger"):
        SinkWorker(lambda records: None, linger=-1)
