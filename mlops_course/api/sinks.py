"""Prediction sinks (log line, prediction log, monitor, metrics) run off the request path.

A 1,000-row batch costs about 7 ms to predict and about 15 ms to log and monitor: done
inline, monitoring would dominate the response time. :class:`SinkWorker` hands each
request's records to one background thread, which delivers them in submission order.

Delivering costs a fixed part per call (a file write, a log call, a lock) and a part per
record. The worker lingers a little (``linger`` seconds, 20 ms by default) after the first
record arrives, so under load it delivers hundreds of requests in one call instead of
waking up for each of them.

Nothing is dropped: the queue is only bounded for back-pressure, :meth:`SinkWorker.flush`
cuts the linger short and waits until everything submitted so far is delivered (the
monitoring endpoints call it before they read), and :meth:`SinkWorker.close` drains the
queue when the app stops.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger("mlops_course.api")

Records = list[dict[str, Any]]
_STOP = object()


class SinkWorker:
    """Deliver records to ``deliver`` on one background thread, in submission order."""

    def __init__(
        self,
        deliver: Callable[[Records], None],
        *,
        max_pending: int = 10_000,
        max_batches: int = 4096,
        linger: float = 0.02,
    ) -> None:
        if linger < 0:
            raise ValueError(f"linger must be >= 0 seconds, got {linger}")
        self._deliver = deliver
        self.max_batches = max_batches
        self.linger = linger
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_pending)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        # Set to end a linger early: by flush() and close(), and when the queue is half full.
        self._wake = threading.Event()
        self._flushing = 0

    def submit(self, records: Records) -> None:
        """Queue one request's records (blocks only when ``max_pending`` batches wait)."""
        self._ensure_started()
        self._queue.put(records)
        if self._queue.qsize() * 2 >= self._queue.maxsize:
            self._wake.set()

    def flush(self) -> None:
        """Return once every record submitted so far has been delivered."""
        if self._thread is None:
            return
        with self._lock:
            self._flushing += 1
            self._wake.set()
        try:
            self._queue.join()
        finally:
            with self._lock:
                self._flushing -= 1

    def close(self) -> None:
        """Deliver what is queued, then stop the thread (it restarts on the next submit)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._wake.set()
            self._queue.put(_STOP)
            thread.join()

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="prediction-sinks", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            if self.linger and items[0] is not _STOP:
                # Let the requests of the next few milliseconds join this delivery: one file
                # write, one log call, one monitor update for all of them.
                self._wake.wait(self.linger)
            with self._lock:
                if not self._flushing:
                    self._wake.clear()
            while items[-1] is not _STOP and len(items) < self.max_batches:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            records = [r for item in items if item is not _STOP for r in item]
            try:
                if records:
                    self._deliver(records)
            except Exception:  # a broken sink must not stop the delivery of later records
                logger.exception("delivering %d prediction record(s) failed", len(records))
            finally:
                for _ in items:
                    self._queue.task_done()
            if items[-1] is _STOP:
                return
