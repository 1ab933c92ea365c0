#!/usr/bin/env python3
"""bench/group-commit.py — co2stream-trainer by batch size, with checkpoints
after every batch (--checkpoint-ms 0, the behaviour before group commit) and
with the default group commit, on a real Apache Kafka. Prints Markdown tables
(medians of several runs) and saves them in bench/results/group-commit.md.

    bench/group-commit.py [--runs N] [--quick] [--rows N] [--rate R]
                          [--seconds S] [--brokers HOST:PORT] [--keep]

  --runs N      runs of each measurement (default 3; 1 with --quick)
  --quick       1 run, 200,000 rows, 5 s of live stream (~2 min instead of ~10)
  --rows N      rows of the pre-filled topic (default 1,000,000)
  --rate R      rows per second of the live stream (default 50,000)
  --seconds S   length of the live stream (default 10)
  --brokers B   use this Kafka instead of starting one (the CPU pinning of
                the broker is then left alone)
  --batches L   batch sizes, comma-separated (default 100,1000,10000)
  --only WHAT   throughput, latency, sweep or models (default: the first
                three; models only when asked)
  --rows-from W dataset (default: the rows of data/co2_processed.csv, looped,
                as co2stream-api serves them, short decimals such as 21.7)
                or synthetic (the trainer tests' generated rows, whose
                values are written with up to 17 digits, 21.700000000000003,
                which the record decoder reads through strtod: its worst case)
  --keep        keep the state folder (trainer logs, Kafka's data)

Two measurements per batch size (100, 1,000, 10,000) and policy:

1. Throughput: a topic pre-filled with N records (fill-topic, as fast as
   Kafka takes them; the data set's rows unless --rows-from synthetic); the trainer learns them pinned to CPU 1 (all
   its threads, `taskset -c 1`), the broker moved to CPU 0. rows/s to
   durable = rows of batches 2..n / (start of the last checkpoint, which
   holds the last row - close of batch 1), i.e. steady state, with every
   checkpoint's cost in it except the last's own writes. Also: rows per
   CPU-second of the whole process (user + system, all threads) and the
   share of the run spent waiting for a CPU (run queue, /proc/PID/schedstat).
   With --checkpoint-ms 0 at 100 rows a batch, only N/5 rows (it is slow).
2. Latency: a live stream at R rows/s (fill-topic --rate, each row stamped
   with its send time as ts_us, as the API stamps its emit time) into a
   fresh topic the trainer (pinned as above, --batch-ms 1000) already
   follows. Latency is emit -> the start of the checkpoint that holds the
   row; the trainer writes per batch its p50 and max (latency_ms_p50/max),
   so the figures are per batch: p50 = the row-weighted median of the
   batches' p50, p99 = the row-weighted 99th percentile of the batches' max
   (an upper bound). The first 2 s are left out (warm-up). When the trainer
   cannot keep up with R, the latency grows for the whole run: the table
   says "behind" when most runs' last batch waited over a second.

4. Models (--only models): throughput as in 1, default group commit, of
   one model (--algo ls, the app's and compose's default, and ls:fuel) and
   of three side by side (--algo ls,ls:fuel,sgd), by batch size: the cost
   of scoring and learning several models on one stream. The table gives
   the ratio of each to ls alone, measured in the same run.

3. Sweep: throughput as in 1 at 100 rows a batch for --checkpoint-ms 20,
   50, 100, 200, 500 and 1000: how the default was chosen (the gain levels
   off while the work a crash makes the trainer redo grows with it).

Needs: a build (CO2S_BUILDDIR, default builddir) with co2stream-trainer and
tests/trainer/fill-topic; taskset; Java 17+ for tests/kafka-broker.sh
unless --brokers. Python 3 standard library only.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from benchlib import HERE, ROOT, BenchError, Kafka, fmt_int, loadavg, log, median, psi, read_metrics, runq_wait_s

TRAINER_CPU = "1"
OTHER_CPU = "0"
BATCHES = (100, 1000, 10000)
POLICIES = (("--checkpoint-ms 0", ["--checkpoint-ms", "0"]), ("default (200 ms)", []))
WARMUP_S = 2.0
SWEEP_MS = (20, 50, 100, 200, 500, 1000)
MODEL_SETS = ("ls", "ls:fuel", "ls,ls:fuel,sgd")


def fmt_ms(v):
    return "–" if v is None else ("{:,.0f}".format(v) if v >= 100 else "{:.1f}".format(v))


def weighted_quantile(pairs, q):
    """pairs: (value, weight); the value below which q of the weight lies."""
    pairs = sorted(p for p in pairs if p[0] is not None and p[1] > 0)
    total = sum(w for _, w in pairs)
    if total == 0:
        return None
    acc = 0
    for v, w in pairs:
        acc += w
        if acc >= q * total:
            return v
    return pairs[-1][0]


class Trainer:
    """co2stream-trainer pinned to TRAINER_CPU, its stderr in a file; the
    run-queue wait of its threads sampled until it exits."""

    def __init__(self, bench, name, topic, batch, policy_args, extra):
        self.dir = os.path.join(bench.state, name)
        os.makedirs(self.dir)
        self.models = os.path.join(self.dir, "models")
        self.err_path = os.path.join(self.dir, "trainer.log")
        argv = ["taskset", "-c", TRAINER_CPU, bench.trainer_bin, "--brokers", bench.brokers,
                "--topic", topic, "--group", "bench-" + name, "--model-dir", self.models,
                "--reset", "--batch-rows", str(batch)] + policy_args + extra
        self.err = open(self.err_path, "w")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.err)
        self.runq = None
        self.rusage = None
        self.status = None
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self):
        while self.status is None:
            w = runq_wait_s(self.proc.pid)
            if w is not None:
                self.runq = w
            time.sleep(0.05)

    def poll(self):
        """The exit status once the trainer has exited (reaped here, with
        its resource usage), else None."""
        if self.status is None:
            pid, status, rusage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                self.proc.returncode = self.status
                self.rusage = rusage
                self.wall = time.monotonic() - self.t0
                self.err.close()
        return self.status

    def log_text(self):
        with open(self.err_path) as f:
            return f.read()

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.poll() is not None:
                return self.status
            if time.monotonic() > deadline:
                self.proc.kill()
                raise BenchError("the trainer did not finish within %d s; log %s" % (timeout, self.err_path))
            time.sleep(0.02)

    def stop(self, timeout=60):
        if self.status is None:
            self.proc.send_signal(signal.SIGTERM)
            self.wait(timeout)
        if self.status != 0:
            raise BenchError("the trainer failed (status %s); log %s:\n%s"
                             % (self.status, self.err_path, self.log_text()[-2000:]))

    def checkpoint(self):
        with open(os.path.join(self.models, "model.json")) as f:
            return json.load(f)

    def metrics(self):
        return read_metrics(os.path.join(self.models, "metrics.jsonl"))


class Bench:
    def __init__(self, args):
        self.args = args
        builddir = os.path.join(ROOT, os.environ.get("CO2S_BUILDDIR", "builddir"))
        self.trainer_bin = os.path.join(builddir, "src/trainer/co2stream-trainer")
        self.fill_bin = os.path.join(builddir, "tests/trainer/fill-topic")
        for b in (self.trainer_bin, self.fill_bin):
            if not os.access(b, os.X_OK):
                raise BenchError("%s is missing: build first (meson compile -C %s), or set CO2S_BUILDDIR"
                                 % (b, builddir))
        self.state = tempfile.mkdtemp(prefix="co2s-group-commit-", dir=os.environ.get("CO2S_BENCH_TMP"))
        self.kafka_state = os.path.join(self.state, "kafka")
        self.kafka = Kafka(self.kafka_state, args.brokers, heap="-Xms512m -Xmx1g")
        self.brokers = args.brokers
        self.own_kafka = self.kafka.own
        self.loads = []
        # Topic names of this invocation (a --brokers Kafka may have older ones).
        self.run_id = "%x" % int(time.time())

    def decoder_speed(self):
        """rows/s of bench-json's fast decoder on the trainer's CPU, or None."""
        prog = os.path.join(os.path.dirname(self.fill_bin), "../../bench/bench-json")
        if not os.access(prog, os.X_OK):
            return None
        r = subprocess.run(["taskset", "-c", TRAINER_CPU, prog], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        m = re.search(r"decode, fast \(co2s_record_from_json\)\s+(\d+)", r.stdout)
        return int(m.group(1)) if m else None

    def start_kafka(self):
        self.brokers = self.kafka.start(pin_cpus=OTHER_CPU)

    def stop_kafka(self):
        self.kafka.stop()

    def fill(self, topic, rows, rate=None):
        argv = ["taskset", "-c", OTHER_CPU, self.fill_bin, "--brokers", self.brokers, "--topic", topic,
                "--create", "--rows", str(rows)]
        if self.args.rows_from == "dataset":
            argv += ["--csv", os.path.join(ROOT, "data/co2_processed.csv")]
        if rate:
            # As co2stream-producer sends (linger.ms=5).
            argv += ["--rate", str(rate), "-X", "linger.ms=5"]
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        m = re.search(r"(\d+) delivered, 0 failed in ([\d.]+) s \((\d+) rows/s\)", r.stdout)
        if r.returncode != 0 or not m or int(m.group(1)) != rows:
            raise BenchError("fill-topic failed:\n%s%s" % (r.stdout, r.stderr))
        return int(m.group(3))

    # -- 1. throughput on a pre-filled topic

    def throughput(self, topic, rows, batch, policy_args, run, tag=None):
        name = "tp-%d-%s-%d" % (batch, tag or ("ms0" if policy_args else "default"), run)
        t = Trainer(self, name, topic, batch, policy_args,
                    ["--max-rows", str(rows), "--exit-when-idle", "1"])
        t.wait(max(600, rows / 2000))
        t.stop()
        metrics = t.metrics()
        cp = t.checkpoint()
        if not metrics or metrics[-1]["rows_seen"] != rows or cp["rows_seen"] != rows:
            raise BenchError("%s learned %s rows, not %d; log %s" % (name, cp.get("rows_seen"), rows, t.err_path))
        span_s = (cp["updated_at_us"] - metrics[0]["timestamp_us"]) / 1e6
        cpu_s = t.rusage.ru_utime + t.rusage.ru_stime
        own = re.search(r"checkpoints: (\d+)", t.log_text())
        core = re.search(r"main thread CPU [\d.]+ s, (\d+)/s per core", t.log_text())
        return {
            "rows_s": (rows - metrics[0]["rows"]) / span_s if span_s > 0 else None,
            "per_cpu_s": rows / cpu_s if cpu_s > 0 else None,
            "main_per_core": float(core.group(1)) if core else None,
            "runq": t.runq / t.wall if t.runq is not None else None,
            "checkpoints": int(own.group(1)) if own else None,
        }

    # -- 2. latency on a live stream

    def latency(self, batch, policy_args, run):
        name = "lat-%d-%s-%d" % (batch, "ms0" if policy_args else "default", run)
        topic = "gc_%s_%s" % (self.run_id, name.replace("-", "_"))
        rows = int(self.args.rate * self.args.seconds)
        self.fill(topic, 0)
        t = Trainer(self, name, topic, batch, policy_args, [])
        deadline = time.monotonic() + 60
        while "assigned " + topic not in t.log_text():
            if time.monotonic() > deadline or t.poll() is not None:
                raise BenchError("%s: no assignment within 60 s; log %s" % (name, t.err_path))
            time.sleep(0.05)
        sent_rate = self.fill(topic, rows, rate=self.args.rate)
        # Wait for the last row to be saved (the trainer may be behind).
        deadline = time.monotonic() + 600
        while True:
            try:
                if t.checkpoint()["rows_seen"] >= rows:
                    break
            except (OSError, ValueError, KeyError):
                pass
            if time.monotonic() > deadline or t.poll() is not None:
                raise BenchError("%s: the trainer did not learn %d rows; log %s" % (name, rows, t.err_path))
            time.sleep(0.05)
        t.stop()
        metrics = t.metrics()
        start_us = metrics[0]["timestamp_us"] + WARMUP_S * 1e6
        kept = [m for m in metrics if m["timestamp_us"] >= start_us and m.get("latency_ms_p50") is not None]
        p50 = weighted_quantile([(m["latency_ms_p50"], m["rows"]) for m in kept], 0.5)
        p99 = weighted_quantile([(m["latency_ms_max"], m["rows"]) for m in kept], 0.99)
        # Behind: the stream's last rows waited over a second.
        behind = bool(kept) and kept[-1]["latency_ms_p50"] > 1000
        return {"p50": p50, "p99": p99, "sent": sent_rate, "behind": behind}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rows", type=int)
    p.add_argument("--rate", type=float, default=50000)
    p.add_argument("--seconds", type=float)
    p.add_argument("--brokers")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--batches", default=",".join(str(b) for b in BATCHES))
    p.add_argument("--only", choices=("throughput", "latency", "sweep", "models"))
    p.add_argument("--rows-from", choices=("dataset", "synthetic"), default="dataset")
    args = p.parse_args()
    batches = [int(b) for b in args.batches.split(",")]
    args.runs = args.runs or (1 if args.quick else 3)
    args.rows = args.rows or (200_000 if args.quick else 1_000_000)
    args.seconds = args.seconds or (5 if args.quick else 10)
    if not shutil.which("taskset"):
        raise SystemExit("bench: taskset (util-linux) is needed")
    if os.cpu_count() < 2:
        raise SystemExit("bench: needs 2 CPUs (trainer on CPU 1, broker and load generator on CPU 0)")

    bench = Bench(args)
    out = []

    def say(line=""):
        out.append(line)
        print(line, flush=True)

    rc = 0
    t_start = time.monotonic()
    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %cs"],
                                stdout=subprocess.PIPE, text=True).stdout.strip()
        say("# co2stream-trainer: group commit by batch size")
        say()
        say("Commit %s, build `%s`, %s, %d CPUs; load average at the start: %s. Rows: %s."
            % (commit, os.environ.get("CO2S_BUILDDIR", "builddir"), os.uname().machine, os.cpu_count(),
               loadavg(),
               "the data set's, looped (`--rows-from dataset`)" if args.rows_from == "dataset"
               else "synthetic, values of up to 17 digits (`--rows-from synthetic`)"))
        say()
        ref = bench.decoder_speed()
        if ref:
            say("Machine speed reference: the record decoder alone (`bench-json`, decode fast, pinned to "
                "CPU %s) reads %s rows/s now (the README's component figure was measured at 4.4 M on a "
                "quiet machine); CPU pressure (PSI, some, avg300): %s %%." % (TRAINER_CPU, fmt_int(ref), psi()))
            say()
        bench.start_kafka()
        rows_topic = "gc_%s_rows" % bench.run_id
        if args.only in (None, "throughput", "sweep", "models"):
            log("filling a topic with %s rows" % fmt_int(args.rows))
            bench.fill(rows_topic, args.rows)

        tp = {}
        for run in range(args.runs if args.only in (None, "throughput") else 0):
            for batch in batches:
                for label, pargs in POLICIES:
                    rows = args.rows // 5 if (pargs and batch == 100) else args.rows
                    log("throughput, --batch-rows %d, %s, run %d/%d: %s rows"
                        % (batch, label, run + 1, args.runs, fmt_int(rows)))
                    r = bench.throughput(rows_topic, rows, batch, pargs, run)
                    log("  %s rows/s, %s rows per CPU-second, %s checkpoints, run queue %.0f %%"
                        % (fmt_int(r["rows_s"]), fmt_int(r["per_cpu_s"]), r["checkpoints"],
                           100 * (r["runq"] or 0)))
                    tp.setdefault((batch, label), []).append(r)
        bench.loads.append(("after throughput", loadavg()))

        lat = {}
        for run in range(args.runs if args.only in (None, "latency") else 0):
            for batch in batches:
                for label, pargs in POLICIES:
                    log("latency, --batch-rows %d, %s, run %d/%d: %s rows/s for %g s"
                        % (batch, label, run + 1, args.runs, fmt_int(args.rate), args.seconds))
                    r = bench.latency(batch, pargs, run)
                    log("  p50 %s ms, p99 %s ms%s (sent at %s rows/s)"
                        % (fmt_ms(r["p50"]), fmt_ms(r["p99"]), ", behind" if r["behind"] else "",
                           fmt_int(r["sent"])))
                    lat.setdefault((batch, label), []).append(r)
        bench.loads.append(("after latency", loadavg()))

        sweep = {}
        for run in range(args.runs if args.only in (None, "sweep") else 0):
            for ms in SWEEP_MS:
                log("sweep, --batch-rows 100 --checkpoint-ms %d, run %d/%d" % (ms, run + 1, args.runs))
                r = bench.throughput(rows_topic, args.rows, 100, ["--checkpoint-ms", str(ms)],
                                     run, "sw%d" % ms)
                log("  %s rows/s, %s checkpoints" % (fmt_int(r["rows_s"]), r["checkpoints"]))
                sweep.setdefault(ms, []).append(r)
        models = {}
        for run in range(args.runs if args.only == "models" else 0):
            for batch in batches:
                for algos in MODEL_SETS:
                    log("models, --batch-rows %d --algo %s, run %d/%d" % (batch, algos, run + 1, args.runs))
                    r = bench.throughput(rows_topic, args.rows, batch, ["--algo", algos], run,
                                         "m%d" % MODEL_SETS.index(algos))
                    log("  %s rows/s, %s rows per CPU-second" % (fmt_int(r["rows_s"]), fmt_int(r["per_cpu_s"])))
                    models.setdefault((batch, algos), []).append(r)
        bench.loads.append(("end", loadavg()))

        def m(d, key, batch, label):
            return median([r[key] for r in d.get((batch, label), [])])

        a, b = POLICIES[0][0], POLICIES[1][0]
        if tp or lat:
            say("## Throughput and latency by batch size")
            say()
            say("Medians of %d run(s). Throughput: a pre-filled topic of %s rows (%s with "
                "`--checkpoint-ms 0` at 100 rows a batch), trainer pinned to one core (`taskset -c %s`, "
                "all its threads), broker on the other; rows/s from the close of batch 1 to the start of "
                "the checkpoint holding the last row. Latency: a live stream at %s rows/s for %g s, "
                "emit (`ts_us`) → start of the checkpoint holding the row, per batch (p99: upper bound, "
                "each row given its batch's max)."
                % (args.runs, fmt_int(args.rows), fmt_int(args.rows // 5), TRAINER_CPU, fmt_int(args.rate),
                   args.seconds))
            say()
            say("| `--batch-rows` | rows/s, `%s` | rows/s, %s | × | rows per CPU-second (0 / default) "
                "| checkpoints per run (0 / default) | latency p50, ms (0 / default) "
                "| latency p99 bound, ms (0 / default) |" % (a, b))
            say("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for batch in batches:
                ra, rb = m(tp, "rows_s", batch, a), m(tp, "rows_s", batch, b)

                def lat_cell(label, key):
                    v = m(lat, key, batch, label)
                    runs = lat.get((batch, label), [])
                    behind = sum(r["behind"] for r in runs) * 2 > len(runs)
                    return fmt_ms(v) + (" (behind)" if behind else "")

                say("| %s | %s | **%s** | %s | %s / %s | %s / %s | %s / %s | %s / %s |"
                    % (fmt_int(batch), fmt_int(ra), fmt_int(rb),
                       ("%.1f×" % (rb / ra)) if ra and rb else "–",
                       fmt_int(m(tp, "per_cpu_s", batch, a)), fmt_int(m(tp, "per_cpu_s", batch, b)),
                       fmt_int(m(tp, "checkpoints", batch, a)), fmt_int(m(tp, "checkpoints", batch, b)),
                       lat_cell(a, "p50"), lat_cell(b, "p50"), lat_cell(a, "p99"), lat_cell(b, "p99")))
            say()
            say("Main thread alone (the trainer's own figure, CPU time of its hot loop), rows/s per core: "
                + "; ".join("%s: %s / %s" % (fmt_int(batch), fmt_int(m(tp, "main_per_core", batch, a)),
                                              fmt_int(m(tp, "main_per_core", batch, b))) for batch in batches)
                + ". Share of the throughput runs spent waiting for a CPU (run queue): "
                + "; ".join("%s: %.0f %% / %.0f %%" % (fmt_int(batch), 100 * (m(tp, "runq", batch, a) or 0),
                                                     100 * (m(tp, "runq", batch, b) or 0)) for batch in batches)
                + ". Live stream sent at %s rows/s (median)."
                % fmt_int(median([r["sent"] for v in lat.values() for r in v])))
        if sweep:
            say("### Choosing the default `--checkpoint-ms`")
            say()
            say("`--batch-rows 100`, pre-filled topic of %s rows, pinned as above; medians of %d run(s)."
                % (fmt_int(args.rows), args.runs))
            say()
            say("| `--checkpoint-ms` | " + " | ".join(str(ms) for ms in SWEEP_MS) + " |")
            say("| --- |" + " ---: |" * len(SWEEP_MS))
            say("| rows/s | " + " | ".join(fmt_int(median([r["rows_s"] for r in sweep[ms]])) for ms in SWEEP_MS)
                + " |")
            say("| checkpoints per run | "
                + " | ".join(fmt_int(median([r["checkpoints"] for r in sweep[ms]])) for ms in SWEEP_MS) + " |")
            say()
        if models:
            say("## Several models on one stream")
            say()
            say("Medians of %d run(s); a pre-filled topic of %s rows, trainer pinned to one core as above, "
                "default group commit. × = rows/s against `--algo ls` at the same batch size, in this run."
                % (args.runs, fmt_int(args.rows)))
            say()
            say("| `--batch-rows` | `--algo` | rows/s | × ls | rows per CPU-second | main thread rows/s per core |")
            say("| ---: | --- | ---: | ---: | ---: | ---: |")
            for batch in batches:
                base = m(models, "rows_s", batch, MODEL_SETS[0])
                for algos in MODEL_SETS:
                    v = m(models, "rows_s", batch, algos)
                    say("| %s | `%s` | %s | %s | %s | %s |"
                        % (fmt_int(batch), algos, fmt_int(v), ("%.2f" % (v / base)) if v and base else "–",
                           fmt_int(m(models, "per_cpu_s", batch, algos)),
                           fmt_int(m(models, "main_per_core", batch, algos))))
            say()
        say("Command: `%s`." % " ".join(["bench/group-commit.py"] + sys.argv[1:]))
        say()
    except BenchError as e:
        log("FAILED: %s" % e)
        say("**The benchmark failed:** %s" % str(e).splitlines()[0])
        rc = 1
    except KeyboardInterrupt:
        log("interrupted")
        rc = 130
    finally:
        bench.stop_kafka()
        say("Load average (1, 5, 15 min): " + "; ".join("%s: %s" % (w, l) for w, l in bench.loads)
            + "; CPU pressure at the end (avg300): %s %%. Total time: %.0f s." % (psi(), time.monotonic() - t_start))
        if args.keep or rc != 0:
            log("state kept in %s" % bench.state)
        else:
            shutil.rmtree(bench.state, ignore_errors=True)
    if rc == 0:
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        path = os.path.join(HERE, "results", "group-commit%s%s.md"
                            % ("-models" if args.only == "models" else "", "-quick" if args.quick else ""))
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
        log("saved in %s" % os.path.relpath(path, ROOT))
    return rc


if __name__ == "__main__":
    sys.exit(main())
