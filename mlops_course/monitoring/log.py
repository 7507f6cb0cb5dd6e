"""The prediction log: an append-only JSON-lines file, one record per prediction (§7.3).

Taught in notebook 07_monitoring_drift. Each call writes whole lines with one ``O_APPEND``
write, so a crash leaves at most the last line incomplete; the reader skips it, and a
writer restarting after a crash first ends that line. The feedback log uses it too.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mlops_course.records import json_line

logger = logging.getLogger("mlops_course.monitoring")


class PredictionLog:
    """Append-only JSON-lines log of prediction records (also used for feedback).

    Args:
        path: the ``.jsonl`` file (its folder is created on first write).
        fsync: also flush each write to disk (survives a power loss, slower).
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.fsync = bool(fsync)
        self._lock = threading.Lock()
        self._tail_checked = False
        self.skipped_lines = 0
        self._reported: set[tuple[int, int]] = set()

    def __repr__(self) -> str:
        return f"PredictionLog({str(self.path)!r})"

    def _end_partial_line(self, fd: int) -> None:
        """After a crash the file may end in the middle of a line: end it first."""
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            os.write(fd, b"\n")

    def append_many(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Append one line per record in a single write; return the number written."""
        lines = [json_line(r) for r in records]
        if not lines:
            return 0
        payload = b"\n".join(lines) + b"\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                if not self._tail_checked:
                    self._end_partial_line(fd)
                    self._tail_checked = True
                view = memoryview(payload)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
                if self.fsync:
                    os.fsync(fd)
            finally:
                os.close(fd)
        return len(lines)

    def append(self, record: Mapping[str, Any]) -> None:
        """Append one record."""
        self.append_many([record])

    def __call__(self, records: Iterable[Mapping[str, Any]]) -> None:
        """A log is a prediction sink (see :mod:`mlops_course.api.sinks`)."""
        self.append_many(records)

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Yield the records in order; an incomplete or corrupt line is skipped and counted.

        Each skipped line is logged once per log object (a warning of the logger
        ``mlops_course.monitoring``), not again at every read: :attr:`skipped_lines` counts
        them at each read.
        """
        self.skipped_lines = 0
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.endswith(b"\n"):
                    if line.strip():
                        self._skip(number, "dernière ligne incomplète (écriture interrompue)")
                    break
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    self._skip(number, "ligne illisible (pas du JSON)")
                    continue
                if isinstance(record, dict):
                    yield record
                else:
                    self.skipped_lines += 1

    def _skip(self, number: int, why: str) -> None:
        self.skipped_lines += 1
        try:
            key = (number, self.path.stat().st_ino)
        except OSError:
            key = (number, 0)
        if key not in self._reported:
            self._reported.add(key)
            logger.warning("%s : %s, ligne %d ignorée", self.path, why, number)

    def read(self) -> list[dict[str, Any]]:
        """Return every complete record (see :meth:`iter_records`)."""
        return list(self.iter_records())
