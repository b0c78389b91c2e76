"""Startup benchmark: is rehearse's home screen ready within 1.2x of a bare Textual app?

Standalone script, not collected by pytest:

    .venv/bin/python tests/benchmarks/bench_startup.py [--runs 15] [--cols 100 --rows 30]

Each run starts a fresh Python process in a real pseudo-terminal (pexpect) and times it
from spawn to exit. Both apps exit as soon as their first screen has been drawn and the
event loop is idle (`call_after_refresh` from on_mount): the bare app is a Textual App with
one Input; rehearse runs as `python -m rehearse` with REHEARSE_EXIT_WHEN_READY=1, so the
time includes the CLI, the app module, the stylesheet and the home screen's first frame,
but not the catalog, which loads in a worker after that frame (it is not needed to type or
move). The two apps alternate so both see the same machine load; the script prints the
median of each and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

BARE_APP = """
from textual.app import App
from textual.widgets import Input

class Bare(App):
    def compose(self):
        yield Input(placeholder="type here")

    def on_mount(self):
        self.call_after_refresh(self.exit)

Bare().run()
"""

BUDGET = 1.2


def _run(argv: list[str], env: dict[str, str], cols: int, rows: int) -> float:
    import pexpect

    start = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(rows, cols), timeout=60)
    child.expect(pexpect.EOF)
    elapsed = time.perf_counter() - start
    child.close()
    if child.exitstatus != 0:
        raise SystemExit(f"{' '.join(argv)} exited with {child.exitstatus}:\n{child.before!r}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each app (default 15)")
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="rehearse-bench-")
    # an installed package has its bytecode compiled; let the warm-up runs write it here too
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(TERM="xterm-256color", REHEARSE_HOME=home)
    rehearse_env = {**env, "REHEARSE_EXIT_WHEN_READY": "1"}
    bare_argv = [sys.executable, "-c", BARE_APP]
    rehearse_argv = [sys.executable, "-m", "rehearse"]

    # warm the OS file cache and Python's bytecode cache once, untimed
    _run(bare_argv, env, args.cols, args.rows)
    _run(rehearse_argv, rehearse_env, args.cols, args.rows)

    bare: list[float] = []
    rehearse: list[float] = []
    for _ in range(args.runs):
        bare.append(_run(bare_argv, env, args.cols, args.rows))
        rehearse.append(_run(rehearse_argv, rehearse_env, args.cols, args.rows))

    bare_median = statistics.median(bare)
    rehearse_median = statistics.median(rehearse)
    ratio = rehearse_median / bare_median
    print(f"runs each:          {args.runs} (alternating, {args.cols}x{args.rows} pty)")
    verdict = "OK" if ratio <= BUDGET else "OVER"
    print(f"bare Textual+Input: median {bare_median * 1000:7.1f} ms  (min {min(bare) * 1000:.1f})")
    print(f"rehearse home:      median {rehearse_median * 1000:7.1f} ms  (min {min(rehearse) * 1000:.1f})")
    print(f"ratio:              {ratio:.2f}x  (budget {BUDGET}x: {verdict})")


if __name__ == "__main__":
    main()
