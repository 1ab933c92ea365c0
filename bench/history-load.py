#!/usr/bin/env python3
"""How long co2stream --export-plot takes to load a long metrics history.

Makes, with bench/history-gen (the trainer's own metrics log and rotation):
  - a metrics.jsonl of 1,000,000 batches and no budget (every batch at full
    resolution, one line each: the file an older trainer leaves);
  - a 30-day run under the default budget (--metrics-max-mb 100): 2,000,000
    batches 1.296 s apart. What the files hold (and so what loading costs) is
    bounded by the budget, not by the run's length or rate: after the budget
    is full, a run at 50 batches/s (130 million batches in 30 days) leaves
    files of the same sizes, only with coarser old buckets. The bench fills
    the budget about 8 times over.
then times `co2stream --export-plot out.png --metrics FILE` (and with
--last 100) RUNS times each and prints the medians of wall-clock and CPU
(user + sys) time, and the two metrics-line readers alone on the
1,000,000-line file (bench/bench-metrics-parse.c: json-glib, as loading
was, against the fast reader). With --old CO2STREAM, a co2stream built from an older
commit (json-glib on every line) is timed on the 1,000,000-line file too,
and the ratio printed.

  python3 bench/history-load.py [--build builddir] [--runs 5] [--old PATH] [--keep DIR]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run_timed(argv):
    """Wall-clock and CPU seconds of one run of argv (must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit("failed (%d): %s\n%s" % (proc.returncode, " ".join(argv), proc.stderr))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout.strip()


def median_of(argv, runs):
    walls, cpus, out = [], [], ""
    for _ in range(runs):
        wall, cpu, out = run_timed(argv)
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus), out


def size_of(path):
    return os.path.getsize(path) if os.path.exists(path) else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="builddir")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--old", help="a co2stream built from an older commit (json-glib path)")
    parser.add_argument("--keep", help="make the files here and keep them (default: a temporary folder)")
    args = parser.parse_args()

    gen = os.path.join(args.build, "bench", "history-gen")
    app = os.path.join(args.build, "src", "app", "co2stream")
    for exe in (gen, app):
        if not os.access(exe, os.X_OK):
            sys.exit("%s is missing: meson compile -C %s" % (exe, args.build))

    root = args.keep or tempfile.mkdtemp(prefix="co2s-history-load-")
    cases = [
        ("1,000,000 batches, one line each", "lines-1m",
         ["1000000", "--budget-mb", "0"]),
        ("30-day run, --metrics-max-mb 100", "run-30d",
         ["2000000", "--budget-mb", "100", "--seconds-per-batch", "1.296"]),
    ]
    # Each run gets the same environment; no settings schema needed.
    env_note = "medians of %d runs; CPU = user + sys" % args.runs
    rows = []
    rows_parse = []
    try:
        for title, name, gen_args in cases:
            folder = os.path.join(root, name)
            metrics = os.path.join(folder, "metrics.jsonl")
            if not os.path.exists(metrics):
                os.makedirs(folder, exist_ok=True)
                print("making %s…" % title, file=sys.stderr)
                subprocess.run([gen, folder] + gen_args, check=True, stdout=sys.stderr)
            history = os.path.join(folder, "metrics-history.jsonl")
            files_mb = (size_of(metrics) + size_of(history)) / 1e6
            png = os.path.join(root, name + ".png")
            for last in (None, 100):
                argv = [app, "--export-plot", png, "--metrics", metrics]
                if last:
                    argv += ["--last", str(last)]
                wall, cpu, out = median_of(argv, args.runs)
                rows.append((title, "--last %d" % last if last else "all", files_mb, wall, cpu, out))
            if name == "lines-1m":
                parse = os.path.join(args.build, "bench", "bench-metrics-parse")
                rows_parse.append(subprocess.run([parse, metrics], check=True, stdout=subprocess.PIPE,
                                                 text=True).stdout.strip())
            if args.old and name == "lines-1m":
                wall, cpu, out = median_of([args.old, "--export-plot", png, "--metrics", metrics], args.runs)
                rows.append((title + " (older co2stream, json-glib)", "all", files_mb, wall, cpu, out))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    print("co2stream --export-plot (%s)" % env_note)
    print("| history | batches shown | files (MB) | wall (s) | CPU (s) | printed |")
    print("|---|---|---:|---:|---:|---|")
    for title, shown, mb, wall, cpu, out in rows:
        print("| %s | %s | %.1f | %.2f | %.2f | %s |" % (title, shown, mb, wall, cpu, out))
    print()
    print("The line readers alone on the 1,000,000-line file (bench-metrics-parse, best of 3):")
    for text in rows_parse:
        print(text)
    if args.old:
        new = next(r for r in rows if r[0].startswith("1,000,000") and r[1] == "all")
        old = next(r for r in rows if "older" in r[0])
        print("json-glib path / now, 1,000,000 lines: %.1f× wall, %.1f× CPU" % (old[3] / new[3], old[4] / new[4]))


if __name__ == "__main__":
    main()
