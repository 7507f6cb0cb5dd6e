"""Benchmark: scikit-learn vs onnxruntime on the chapter's pipeline (§3.2 claims "2 to 10×").

Run: ``uv run python bench/bench_onnx.py [--repeats 200]``. Not a test: it prints medians
measured side by side in one process (the two models alternate, so a busy moment hits both)
and their ratios. Nothing is written outside a temporary folder.

What is measured: ``predict_proba`` of the served pipeline (``make model``: StandardScaler +
RandomForest of ``training.DEFAULT_PARAMS``, 50 trees of depth 3) and of its ONNX export
served by :class:`OnnxPredictor` (one ``InferenceSession``, one thread), on 1 row and on
1,000 jittered Iris rows, both given the same DataFrame.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from mlops_course import data, serialization


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="calls per measurement")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        files = serialization.build_model_files(Path(folder))
        pipeline = serialization.load_joblib(files.joblib)
        start = time.perf_counter()
        predictor = serialization.OnnxPredictor.from_file(files.onnx)
        session_ms = (time.perf_counter() - start) * 1e3

    split = data.split()
    rows = {1: split.X_test.head(1), 1000: data.jittered(split.X_test, 1000)}
    print(f"predict_proba, median of {args.repeats} calls (scikit-learn vs onnxruntime)")
    reports = []
    for X in rows.values():
        report = serialization.compare_speed(pipeline, predictor, X, repeats=args.repeats)
        reports.append(report)
        print("  " + report.summary())
    one, many = reports
    per_row_sk = many.sklearn_seconds / many.n_rows * 1e6
    per_row_onnx = many.onnx_seconds / many.n_rows * 1e6
    print(f"  per row at 1,000 rows: scikit-learn {per_row_sk:.2f} µs, ONNX {per_row_onnx:.2f} µs")
    array = rows[1].to_numpy()
    raw = serialization.median_seconds(predictor.predict_proba, array, repeats=args.repeats)
    print(f"  ONNX, 1 row as a numpy array (the API's path): {raw * 1e6:.1f} µs")
    print(f"  creating the InferenceSession (once per model): {session_ms:.1f} ms")
    print(f"ratios: ×{one.speedup:.0f} at 1 row, ×{many.speedup:.1f} at 1,000 rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
