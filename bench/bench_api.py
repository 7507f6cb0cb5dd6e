"""Benchmark: our API vs the chapter's §4.3 API, over HTTP on loopback, in one run.

Run: ``uv run python bench/bench_api.py [--duration 5] [--rounds 3]``. Not a test: it starts
three uvicorn servers (one worker each, same options) on free loopback ports and prints what
it measured side by side, with the ratios and the targets of chapter 04:

- ``POST /predict`` at 8 connections: requests/s, p50, p99 — ours (ONNX, ``async def``) vs
  the naive app (``bench/naive_app.py``: scikit-learn, model loaded at import, per-row loop);
  target: ours ≥ 15× the naive requests/s, with p99 ≤ 15 ms;
- our ``/predict`` vs our ``GET /health`` (what the framework alone can do): target ≥ 70 %;
- one 1,000-row ``POST /predict/batch``: target ours ≥ 200× faster.

``--layers`` also serves ``bench/layers_app.py`` (our app plus one endpoint per step of
``/predict``) and prints what each step costs, against ``/health`` in the same process.

On a machine with two CPUs or more, each server process is pinned to the first CPU and
the load generator to the others (``--no-pin`` to let the scheduler place them): one
worker is one core, and the figures no longer depend on where the scheduler puts the
server's threads next to wrk (unpinned, runs of the same server differed by up to 40 %).

The load generator is ``wrk`` (``apt-get install wrk``). Without it the bench says so and
uses a small asyncio + httpx generator instead (bounded in requests and time; it is slower
than the servers, so its figures are lower bounds). Measurements alternate between the
servers in several rounds and report medians, so a busy moment on a shared machine hits
both. Nothing is written outside a temporary folder; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
CONNECTIONS = 8
ROW = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}
PLAN_KEYS = ("ours /predict", "ours /health", "naive /predict")
TARGETS = {"predict_speedup": 15.0, "p99_ms": 15.0, "batch_speedup": 200.0, "vs_health": 0.70}


@dataclass
class Load:
    """Result of one load run."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int = 0

    def line(self) -> str:
        errors = f", {self.errors} errors" if self.errors else ""
        return (
            f"{self.rps:8.0f} req/s   p50 {self.p50_ms:6.2f} ms   p99 {self.p99_ms:6.2f} ms"
            f"   ({self.requests} requests{errors})"
        )


def median_load(runs: list[Load]) -> Load:
    """Median of each figure over several runs."""
    return Load(
        rps=statistics.median(r.rps for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        requests=sum(r.requests for r in runs),
        errors=sum(r.errors for r in runs),
    )


# --- servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def cpu_split(pin: bool) -> tuple[set[int] | None, set[int] | None]:
    """(server CPUs, load-generator CPUs): the first CPU and the others, or (None, None)."""
    if not pin or not hasattr(os, "sched_getaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return {cpus[0]}, set(cpus[1:])


class Server:
    """One uvicorn process on loopback (one worker, no access log, logs to a file)."""

    def __init__(
        self,
        name: str,
        app: str,
        env: dict[str, str],
        folder: Path,
        ready: str,
        cpus: set[int] | None = None,
    ) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log = folder / f"{name}.log"
        command = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(self.port)]
        command += ["--workers", "1", "--no-access-log", "--log-level", "warning"]
        command += ["--app-dir", str(HERE)]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **env},
                # before exec: every thread the server starts inherits the mask
                preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
            )
        self.started_s = self._wait(ready)

    def _wait(self, path: str, timeout: float = 120.0) -> float:
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + path, timeout=2).status_code == 200:
                    return time.perf_counter() - start
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready in {timeout} s")

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server process (Linux), for CPU per request."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the server is idle (requests still running after a load run finish).

        The servers share one CPU: the naive app's last requests (13 ms each) would
        otherwise run during the next measurement and show up in its p99.
        """
        deadline = time.perf_counter() + timeout
        previous = self.cpu_seconds()
        while previous is not None and time.perf_counter() < deadline:
            time.sleep(0.1)
            now = self.cpu_seconds()
            if now is None or now - previous < 0.005:
                return
            previous = now

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- load generators ---------------------------------------------------------------------

_WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{body}'
"""


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"cannot read the wrk latency {text!r}")
    value, unit = float(match[1]), match[2]
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk_load(url: str, body: dict | None, duration: float, folder: Path) -> Load:
    """Run wrk (1 thread, 8 connections) and parse requests/s and the latency percentiles."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration:.0f}s", "--latency"]
    if body is not None:
        script = folder / "post.lua"
        script.write_text(_WRK_SCRIPT.format(method="POST", body=json.dumps(body)))
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p50 = _ms(re.search(r"\n\s+50%\s+(\S+)", out)[1])
    p99 = _ms(re.search(r"\n\s+99%\s+(\S+)", out)[1])
    requests = int(re.search(r"(\d+) requests in", out)[1])
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = int(bad[1]) if bad else 0
    return Load(rps, p50, p99, requests, errors)


async def _httpx_load(url: str, body: dict | None, duration: float, limit: int) -> Load:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline and len(latencies) < limit:
                start = time.perf_counter()
                if body is None:
                    response = await client.get(url)
                else:
                    response = await client.post(url, json=body)
                latencies.append((time.perf_counter() - start) * 1000)
                errors += response.status_code >= 300

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    return Load(len(latencies) / elapsed, pick(0.50), pick(0.99), len(latencies), errors)


def httpx_load(url: str, body: dict | None, duration: float, folder: Path) -> Load:
    """Fallback load generator: 8 asyncio workers, at most 20,000 requests or ``duration``."""
    return asyncio.run(_httpx_load(url, body, duration, limit=20_000))


# --- measurements ------------------------------------------------------------------------


def time_batch(url: str, rows: int, repeats: int) -> float:
    """Median seconds of a ``rows``-row POST /predict/batch (after one warm-up call)."""
    body = {"instances": [ROW] * rows}
    times = []
    with httpx.Client(timeout=300) as client:
        for attempt in range(repeats + 1):
            start = time.perf_counter()
            response = client.post(url + "/predict/batch", json=body)
            elapsed = time.perf_counter() - start
            if response.status_code != 200 or len(response.json()) != rows:
                raise RuntimeError(f"batch failed: {response.status_code} {response.text[:200]}")
            if attempt or repeats == 0:
                times.append(elapsed)
    return statistics.median(times)


LAYER_STEPS = (
    ("/health", "GET /health: routing, a small JSON answer"),
    ("/layers/body", "+ read and validate the JSON body"),
    ("/layers/model", "+ one ONNX call"),
    ("/layers/record", "+ the prediction record and its answer"),
    ("/layers/sinks", "+ the log, monitor and metrics sinks"),
    ("/predict", "the real /predict (FastAPI parameters)"),
)


def measure_layers(server: Server, load: Any, args: argparse.Namespace, folder: Path) -> None:
    """Print the requests/s of each step of /predict, alternating rounds, medians."""
    runs: dict[str, list[Load]] = {path: [] for path, _ in LAYER_STEPS}
    for path in runs:
        load(server.url + path, None if path == "/health" else ROW, 1, folder)  # warm up
    for _ in range(args.rounds):
        for path in runs:
            server.settle()
            runs[path].append(load(server.url + path, None if path == "/health" else ROW,
                                   args.duration, folder))  # fmt: skip
    health = statistics.median(r.rps for r in runs["/health"])
    print(f"\n/predict step by step (one server, median of {args.rounds} × "
          f"{args.duration:.0f} s):")  # fmt: skip
    previous = None
    for path, text in LAYER_STEPS:
        rps = statistics.median(r.rps for r in runs[path])
        cost = 1e6 / rps
        step = f"{cost - previous:+6.0f} µs" if previous is not None and path != "/predict" else ""
        print(f"  {text:<42} {rps:7.0f} req/s  {cost:5.0f} µs/req  {rps / health:5.0%}  {step}")
        if path != "/predict":
            previous = cost


def verdict(ok: bool) -> str:
    return "OK " if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (medians)")
    parser.add_argument("--naive-batch-repeats", type=int, default=1, help="1,000-row naive runs")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--no-wrk", action="store_true", help="use the httpx generator")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers and wrk to CPUs")
    parser.add_argument("--layers", action="store_true", help="also measure /predict step by step")
    args = parser.parse_args(argv)

    server_cpus, load_cpus = cpu_split(not args.no_pin)
    if server_cpus and load_cpus:
        os.sched_setaffinity(0, load_cpus)  # this process, and wrk after it
        print(f"CPUs: servers on {sorted(server_cpus)}, load generator on {sorted(load_cpus)}")
    else:
        print("CPUs: not pinned")

    wrk = None if args.no_wrk else shutil.which("wrk")
    load = wrk_load if wrk else httpx_load
    print(
        f"load generator: {'wrk ' + wrk if wrk else 'httpx (wrk not found; apt-get install wrk)'}"
    )
    if not wrk:
        print("  the httpx generator is slower than wrk: figures below are lower bounds")

    from mlops_course import serialization

    folder = Path(tempfile.mkdtemp(prefix="bench-api-"))
    servers: list[Server] = []
    try:
        files = serialization.build_model_files(folder / "model")
        common = {"MLOPS_COURSE_HOME": str(folder), "MLOPS_COURSE_TRAIN_IF_MISSING": "false"}

        def start(name: str, app: str, env: dict[str, str], ready: str) -> Server:
            server = Server(name, app, {**common, **env}, folder, ready, cpus=server_cpus)
            servers.append(server)
            return server

        ours_env = {"MLOPS_COURSE_MODEL": str(files.onnx)}
        ours = start("ours", "mlops_course.api:app", ours_env, ready="/ready")
        naive = start("naive", "naive_app:app", {"NAIVE_MODEL_PATH": str(files.joblib)}, "/health")
        print(f"started: ours ready in {ours.started_s:.2f} s, naive in {naive.started_s:.2f} s")
        for server in servers:  # warm up both
            load(server.url + "/predict", ROW, 1, folder)

        runs: dict[str, list[Load]] = {
            "ours /predict": [],
            "ours /health": [],
            "naive /predict": [],
        }
        cpu: dict[str, list[float]] = {key: [] for key in runs}
        plan = [
            ("ours /predict", ours, "/predict", ROW),
            ("ours /health", ours, "/health", None),
            ("naive /predict", naive, "/predict", ROW),
        ]
        for round_number in range(args.rounds):
            for key, server, path, body in plan:
                for other in servers:
                    other.settle()
                before = server.cpu_seconds()
                result = load(server.url + path, body, args.duration, folder)
                after = server.cpu_seconds()
                runs[key].append(result)
                if before is not None and after is not None and result.requests:
                    cpu[key].append((after - before) / result.requests * 1e6)
            print(f"  round {round_number + 1}/{args.rounds} done")
        figures = {key: median_load(values) for key, values in runs.items()}

        print(
            f"\nPOST /predict and GET /health, {CONNECTIONS} connections, one worker each, "
            f"median of {args.rounds} × {args.duration:.0f} s:"
        )
        for key, figure in figures.items():
            per = f"   server CPU {statistics.median(cpu[key]):5.0f} µs/req" if cpu[key] else ""
            print(f"  {key:<15} {figure.line()}{per}")

        for server in servers:
            server.settle()
        batch_ours = time_batch(ours.url, 1000, repeats=10)
        batch_naive = time_batch(naive.url, 1000, repeats=args.naive_batch_repeats)
        print("\nPOST /predict/batch, 1,000 rows (median):")
        print(f"  ours   {batch_ours * 1e3:9.1f} ms")
        print(f"  naive  {batch_naive * 1e3:9.1f} ms")

        ours_p, naive_p, health = (
            figures["ours /predict"],
            figures["naive /predict"],
            figures["ours /health"],
        )
        speedup = ours_p.rps / naive_p.rps
        batch_speedup = batch_naive / batch_ours
        share = ours_p.rps / health.rps
        goal = TARGETS
        checks = [
            (
                speedup >= goal["predict_speedup"],
                f"/predict: ×{speedup:.1f} the naive requests/s "
                f"(target ≥ ×{goal['predict_speedup']:.0f})",
            ),
            (
                ours_p.p99_ms <= goal["p99_ms"],
                f"/predict p99: {ours_p.p99_ms:.2f} ms (target ≤ {goal['p99_ms']:.0f} ms)",
            ),
            (
                batch_speedup >= goal["batch_speedup"],
                f"1,000-row batch: ×{batch_speedup:.0f} faster "
                f"(target ≥ ×{goal['batch_speedup']:.0f})",
            ),
            (
                share >= goal["vs_health"],
                f"/predict at {share:.0%} of /health's requests/s "
                f"(target ≥ {goal['vs_health']:.0%})",
            ),
        ]
        print("\ntargets:")
        for ok, text in checks:
            print(f"  [{verdict(ok)}] {text}")
        missed = sum(not ok for ok, _ in checks)
        if args.layers:
            ours.stop()
            naive.stop()
            layered = start("layers", "layers_app:app", ours_env, ready="/ready")
            measure_layers(layered, load, args, folder)
        return 1 if (missed and args.strict) else 0
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
