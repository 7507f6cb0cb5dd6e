"""Benchmark: how long ``mlflow server`` takes to answer ``/health``, by configuration.

Run: ``uv run python bench/bench_mlflow_server.py [--repeat 1]``. Not a test: it starts the
MLflow server of the locked environment three ways, one after the other, each on a fresh
SQLite store (creating the tables is part of a first start, as for a learner), and prints
the seconds until ``GET /health`` answers 200:

- the defaults (4 workers, background job processes);
- ``--workers 1``;
- ``--workers 1`` and ``MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false`` (``make mlflow`` and the
  Compose service do this).

Each server is stopped with its whole process group (the job processes included).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CONFIGURATIONS = {
    "défaut (4 workers, jobs en arrière-plan)": ([], {}),
    "--workers 1": (["--workers", "1"], {}),
    "--workers 1 et jobs coupés": (
        ["--workers", "1"],
        {"MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
    ),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def time_to_health(arguments: list[str], env: dict[str, str], timeout: float = 300.0) -> float:
    """Seconds from starting ``mlflow server`` to its first 200 on ``/health``."""
    mlflow = Path(sys.executable).parent / "mlflow"
    with tempfile.TemporaryDirectory() as folder:
        port = _free_port()
        command = [
            str(mlflow), "server", "--host", "127.0.0.1", "--port", str(port),
            "--backend-store-uri", f"sqlite:///{folder}/mlflow.db",
            "--default-artifact-root", f"{folder}/artifacts", *arguments,
        ]  # fmt: skip
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", **env},
            start_new_session=True,
        )
        try:
            while time.perf_counter() - start < timeout:
                if process.poll() is not None:
                    raise RuntimeError(f"mlflow server exited with {process.returncode}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                        return time.perf_counter() - start
                except OSError:
                    time.sleep(0.2)
            raise TimeoutError(f"no /health after {timeout:.0f} s")
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="starts per configuration")
    args = parser.parse_args(argv)
    results = {}
    for name, (arguments, env) in CONFIGURATIONS.items():
        times = sorted(time_to_health(arguments, env) for _ in range(args.repeat))
        results[name] = times[len(times) // 2]
        print(f"{name:44} {results[name]:6.1f} s".replace(".", ","), flush=True)
    fastest = min(results.values())
    print("\nRapport au plus rapide :")
    for name, seconds in results.items():
        print(f"  {name:42} x{seconds / fastest:.1f}".replace(".", ","))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
