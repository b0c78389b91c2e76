"""Startup benchmark: how long until the user sees the script titles, against how long a bare
Textual app takes to show its one Input; and the peak memory of each at that point.

Standalone script, not collected by pytest (timings never belong in tests):

    python tests/benchmarks/bench_startup.py [--runs 15] [--cols 100 --rows 30]

Each run starts a fresh Python process in a real pseudo-terminal (pexpect), feeds what it
draws to a terminal emulator (pyte) and stops the clock when the text the user waits for is
on the emulated screen: the first script title for rehearse (`python -m rehearse`, as the
`rehearse` command runs it, with an empty REHEARSE_HOME), the Input's placeholder for the
bare app. The two alternate, so both see the same machine load. Bytecode is as an installed
user has it: Python writes .pyc files as usual and an untimed warm-up run of each writes
them first (an installed wheel's are compiled at install time).

Peak memory: after the titles are on screen, the run waits until the catalog has arrived
(the home list shows "not tried yet"), stays at home SETTLE seconds more and reads the
process's peak resident set (VmHWM); for the bare app, SETTLE seconds after its Input
shows. Budgets: titles within 1.2x of the bare app, peak memory within 1.5x.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BARE_APP = """
from textual.app import App
from textual.widgets import Input

class Bare(App):
    def compose(self):
        yield Input(placeholder="type here")

Bare().run()
"""
BARE_TEXT = "type here"
LOADED_TEXT = "not tried yet"
TIME_BUDGET = 1.2
MEMORY_BUDGET = 1.5
SETTLE = 1.5  # seconds at home (or with the bare app's Input shown) before the peak is read


def first_title() -> str:
    """The title the home list shows first (the scan the app itself uses)."""
    sys.path.insert(0, str(ROOT))
    from rehearse.workspace.titles import titles

    found = titles()
    if not found:
        raise SystemExit("no bundled scripts found")
    return found[0].title[:30]


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _run(argv: list[str], env: dict[str, str], size: tuple[int, int], wanted: str, later: str | None):
    """Seconds until ``wanted`` is on screen, and the peak memory (kB) SETTLE seconds after
    ``later`` is (after ``wanted`` when None): what the user lives with at home, not a
    snapshot mid-load, since the app keeps drawing and adding styles for a moment."""
    import pexpect
    import pyte

    cols, rows = size
    screen = pyte.Screen(cols, rows)
    stream = pyte.ByteStream(screen)
    start = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(rows, cols), cwd=str(ROOT))
    seen: float | None = None
    settled: float | None = None  # when to read the peak
    deadline = start + 60
    try:
        while time.perf_counter() < deadline:
            if settled is not None and time.perf_counter() >= settled:
                return seen or 0.0, _peak_kb(child.pid)
            try:
                chunk = child.read_nonblocking(65536, timeout=0.005)
            except pexpect.TIMEOUT:
                continue
            stream.feed(chunk)
            shown = "\n".join(screen.display)
            if seen is None and wanted in shown:
                seen = time.perf_counter() - start
            if settled is None and seen is not None and (later is None or later in shown):
                settled = time.perf_counter() + SETTLE
        raise SystemExit(f"{' '.join(argv)}: {wanted!r} never appeared:\n" + "\n".join(screen.display))
    finally:
        child.terminate(force=True)


def summary(name: str, values: list[float], unit: str, scale: float) -> str:
    med = statistics.median(values)
    return (
        f"{name:<22} median {med * scale:8.1f} {unit}  "
        f"(min {min(values) * scale:.1f}, max {max(values) * scale:.1f}, n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each app (default 15)")
    parser.add_argument("--cols", type=int, default=100)
    parser.add_argument("--rows", type=int, default=30)
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="rehearse-bench-")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL") and k != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(TERM="xterm-256color", REHEARSE_HOME=home, PYTHONPATH=str(ROOT))
    env.pop("REHEARSE_EXIT_WHEN_READY", None)
    bare = ([sys.executable, "-c", BARE_APP], BARE_TEXT, None)
    title = first_title()
    rehearse = ([sys.executable, "-m", "rehearse"], title, LOADED_TEXT)
    size = (args.cols, args.rows)

    for argv, wanted, later in (bare, rehearse):  # untimed: bytecode and the OS file cache
        _run(argv, env, size, wanted, later)

    times: dict[str, list[float]] = {"bare": [], "rehearse": []}
    peaks: dict[str, list[float]] = {"bare": [], "rehearse": []}
    for _ in range(args.runs):
        for name, (argv, wanted, later) in (("bare", bare), ("rehearse", rehearse)):
            seconds, peak = _run(argv, env, size, wanted, later)
            times[name].append(seconds)
            peaks[name].append(float(peak))

    print(f"runs each: {args.runs}, alternating, {args.cols}x{args.rows} pty; waiting for {title!r}")
    print(summary("bare Textual + Input", times["bare"], "ms", 1000))
    print(summary("rehearse titles", times["rehearse"], "ms", 1000))
    ratio = statistics.median(times["rehearse"]) / statistics.median(times["bare"])
    ratios = sorted(r / b for r, b in zip(times["rehearse"], times["bare"], strict=True))
    print(
        f"ratio of medians: {ratio:.2f}x (pairwise {ratios[0]:.2f}-{ratios[-1]:.2f}); "
        f"budget {TIME_BUDGET}x: {'OK' if ratio <= TIME_BUDGET else 'OVER'}"
    )
    print(summary("peak memory, bare", peaks["bare"], "MB", 1 / 1024))
    print(summary("peak memory, home", peaks["rehearse"], "MB", 1 / 1024))
    mem = statistics.median(peaks["rehearse"]) / statistics.median(peaks["bare"])
    print(f"memory ratio: {mem:.2f}x; budget {MEMORY_BUDGET}x: {'OK' if mem <= MEMORY_BUDGET else 'OVER'}")


if __name__ == "__main__":
    main()
