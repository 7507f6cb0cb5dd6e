"""After a prediction, in one place: the JSON log line and the sinks, off the request path.

Taught in notebooks 04_serving_fastapi (the log line) and 07_monitoring_drift (the log,
monitor and Prometheus sinks). A route hands a request's :class:`PredictionRecord` list
to :meth:`PredictionSinks.submit` and answers; a :class:`SinkWorker` thread then delivers
them (:meth:`PredictionSinks.deliver`): one JSON line per record on the logger
``mlops_course.predictions`` (when ``MLOPS_COURSE_LOG_PREDICTIONS`` is on), then every sink.

Why a thread: a 1,000-row batch costs about 7 ms to predict and about 15 ms to log and
monitor; done inline, monitoring would dominate the response time. Delivering costs a
fixed part per call (a file write, a log call, a lock) and a part per record, so the
worker lingers a little (``linger``, 20 ms by default) after the first record arrives:
under load it delivers hundreds of requests in one call instead of waking up for each.

Nothing is dropped: the queue is only bounded for back-pressure, :meth:`SinkWorker.flush`
cuts the linger short and waits until everything submitted so far is delivered (the
monitoring endpoints call it before they read), and :meth:`SinkWorker.close` drains the
queue when the app stops.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from mlops_course.records import PredictionRecord, json_line

if TYPE_CHECKING:  # pragma: no cover
    from fastapi import FastAPI

logger = logging.getLogger("mlops_course.api")
prediction_logger = logging.getLogger("mlops_course.predictions")

Records = list[PredictionRecord]
#: A sink: called with the records of one or several requests, on the worker's thread.
PredictionSink = Callable[[Records], object]
_STOP = object()


class PredictionSinks:
    """What runs after every prediction: the log line, then each sink, in submission order.

    ``sinks`` is a plain list: append a callable to it to receive every record (the
    monitoring routes add the prediction log, the monitor and the Prometheus counters).
    A failing sink is logged and skipped: the others still get their records.
    """

    def __init__(self, sinks: list[PredictionSink] | None = None, *, log_lines: bool = True):
        self.sinks: list[PredictionSink] = [] if sinks is None else sinks
        self.log_lines = log_lines
        self.worker = SinkWorker(self.deliver)

    @classmethod
    def of(cls, app: FastAPI) -> PredictionSinks:
        """The sinks of ``app`` (``app.state.sinks``, set by ``create_app``).

        A bare FastAPI app (notebook 07 builds one, and calls its sinks itself) gets one
        around its ``app.state.prediction_sinks`` list, if it has one.
        """
        state = app.state
        found: PredictionSinks | None = getattr(state, "sinks", None)
        if found is None:
            found = cls(getattr(state, "prediction_sinks", None))
            state.sinks = found
            state.prediction_sinks = found.sinks
        return found

    def submit(self, records: Records) -> None:
        """Hand a request's records over; they are delivered on the worker's thread."""
        self.worker.submit(records)

    def flush(self) -> None:
        """Return once every record submitted so far has been delivered."""
        self.worker.flush()

    def close(self) -> None:
        """Deliver what is queued, then stop the worker's thread."""
        self.worker.close()

    def deliver(self, records: Sequence[PredictionRecord]) -> None:
        """Log one JSON line per record (one logging call), then call every sink."""
        records = list(records)
        if self.log_lines and prediction_logger.isEnabledFor(logging.INFO):
            text = b"\n".join(map(json_line, records)).decode()
            # makeRecord + handle: logger.info minus its stack walk to find the caller (always
            # this function), a noticeable share of a log call made on every prediction.
            prediction_logger.handle(
                prediction_logger.makeRecord(
                    prediction_logger.name, logging.INFO, __file__, 0, text, (), None, "emit"
                )
            )
        for sink in list(self.sinks):
            try:
                sink(records)
            except Exception:
                logger.exception(
                    "échec du sink de prédictions %r (les prédictions ont été rendues)", sink
                )


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
            raise ValueError(f"linger doit être >= 0 seconds, reçu {linger}")
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
                logger.exception(
                    "échec de la livraison de %d enregistrement(s) de prédiction", len(records)
                )
            finally:
                for _ in items:
                    self._queue.task_done()
            if items[-1] is _STOP:
                return
