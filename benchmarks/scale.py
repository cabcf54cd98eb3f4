"""Corpus scale: batch N small budgets with `--jobs 2` and print the batch parent's peak
memory and the time per document, for N = 300, 3,000 and 30,000 (or the N given).

    python benchmarks/scale.py                 # 300 3000 30000
    python benchmarks/scale.py 300 3000        # these only

The budgets are the shipped sample explanation under other departments' names, one file each (a real batch reads each file anew). The parent's peak is its own resident set
(`ru_maxrss` of the process that runs the batch), which the workers, separate processes, do not
count in. A benchmark, not a test: its numbers are in the README.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "corpus"
_RUN = """
import json, resource, sys, time
import budgetextract
started = time.perf_counter()
counts = budgetextract.batch([sys.argv[1]], sys.argv[2], jobs=2, progress=False)
print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "documents": counts["tables"]}))
"""


def _corpus(folder: Path, n: int) -> None:
    """n budgets: the sample explanation, each under a department of its own."""
    text = (SAMPLES / "sample_haikou_style.txt").read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"{i:06d}.txt").write_text(text.replace("示例市青少年活动中心", f"示例市第{i}活动中心"), encoding="utf-8")


def measure(n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="budgetextract-scale-") as work:
        inputs, out = Path(work, "in"), Path(work, "out")
        inputs.mkdir()
        _corpus(inputs, n)
        done = subprocess.run([sys.executable, "-c", _RUN, str(inputs), str(out)], check=True, capture_output=True, text=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        shutil.rmtree(out, ignore_errors=True)
    return {"n": n, **result, "ms_per_document": 1000 * result["seconds"] / n}


def main(argv: list[str]) -> None:
    sizes = [int(a) for a in argv] or [300, 3000, 30000]
    print(f"{'N':>7} {'parent peak MB':>15} {'seconds':>9} {'ms/document':>12}")
    for n in sizes:
        started = time.perf_counter()
        r = measure(n)
        print(f"{n:>7} {r['peak_mb']:>15.0f} {r['seconds']:>9.1f} {r['ms_per_document']:>12.1f}   ({time.perf_counter() - started:.0f} s with setup)",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
