#!/usr/bin/env python3
"""bench/latency.py — the true per-row latency of the whole pipeline, from
the API's emit to the checkpoint that makes the row durable, on a real
Apache Kafka: co2stream-api → co2stream-producer → Kafka → co2stream-trainer.

    bench/latency.py [--rates 5000,50000] [--seconds 10] [--runs 3]
                     [--batch-rows 100] [--brokers HOST:PORT] [--keep]

For each rate R and run: a fresh topic, a trainer (defaults: --batch-rows
100, group commit with --checkpoint-ms 200) already following it, then the
producer reading the API's /stream?rate=R&limit=N (N = R × seconds) into it.
The trainer stops after N rows (--max-rows). Its model.json then holds the
histogram of every row's latency (latency_us: emit time ts_us stamped by the
API → the checkpoint that saved the row, co2s-latency-histogram.h, within
1 %), merged exactly over all batches: p50, p99 and p99.9 are read from it,
not estimated. Prints a Markdown table of the medians over the runs (and
their range) and saves it in bench/results/latency.md.

Needs: a build (CO2S_BUILDDIR, default builddir) with co2stream-api,
co2stream-producer and co2stream-trainer, and tests/trainer/fill-topic (to
create the topics); Java 17+ for tests/kafka-broker.sh unless --brokers.
Python 3 standard library only.
"""

import argparse
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from benchlib import HERE, ROOT, BenchError, Kafka, log


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def tail(path, n=15):
    return "\n".join(read_text(path).splitlines()[-n:])


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise BenchError("timed out after %g s waiting for %s" % (timeout, what))
        time.sleep(0.05)


# ---- the histogram's text form (src/pipeline/co2s-latency-histogram.h) --------

def bucket_value(low):
    """The value a quantile in the bucket starting at @low is answered with."""
    if low < 256:
        return low
    k = low.bit_length() - 1          # 2^k <= low < 2^(k+1)
    return low + (1 << (k - 7)) // 2  # buckets are 2^(k-7) wide in that octave


def parse_histogram(text):
    buckets = []
    for entry in filter(None, text.split(",")):
        low, count = entry.split(":")
        buckets.append((int(low), int(count)))
    return buckets


def quantile(buckets, q):
    """Nearest-rank quantile, as co2s_latency_histogram_quantile."""
    total = sum(c for _, c in buckets)
    if total == 0:
        return None
    rank = min(max(math.ceil(q * total - 1e-9), 1), total)
    seen = 0
    for low, count in buckets:
        seen += count
        if seen >= rank:
            return bucket_value(low)
    return bucket_value(buckets[-1][0])


# ---- processes -----------------------------------------------------------------

class Child:
    children = []

    def __init__(self, name, argv, workdir):
        self.name = name
        self.out_path = os.path.join(workdir, name + ".out")
        self.err_path = os.path.join(workdir, name + ".log")
        with open(self.out_path, "w") as o, open(self.err_path, "w") as e:
            self.proc = subprocess.Popen(argv, stdout=o, stderr=e, stdin=subprocess.DEVNULL, cwd=workdir)
        Child.children.append(self)

    def poll(self):
        return self.proc.poll() is not None

    def check(self, timeout):
        try:
            status = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            raise BenchError("%s did not finish within %g s; log %s:\n%s"
                             % (self.name, timeout, self.err_path, tail(self.err_path)))
        Child.children.remove(self)
        if status != 0:
            raise BenchError("%s exited with status %d; log %s:\n%s"
                             % (self.name, status, self.err_path, tail(self.err_path)))

    @classmethod
    def stop_all(cls):
        for c in list(cls.children):
            if c.proc.poll() is None:
                c.proc.terminate()
        for c in list(cls.children):
            try:
                c.proc.wait(15)
            except subprocess.TimeoutExpired:
                c.proc.kill()
                c.proc.wait(10)
        cls.children.clear()


class Bench:
    def __init__(self, args):
        self.args = args
        b = os.path.abspath(args.builddir)
        self.api_bin = os.path.join(b, "src/api/co2stream-api")
        self.producer_bin = os.path.join(b, "src/producer/co2stream-producer")
        self.trainer_bin = os.path.join(b, "src/trainer/co2stream-trainer")
        self.fill_bin = os.path.join(b, "tests/trainer/fill-topic")
        for path in (self.api_bin, self.producer_bin, self.trainer_bin, self.fill_bin):
            if not os.access(path, os.X_OK):
                raise BenchError("%s is missing: build first (meson compile -C %s)" % (path, args.builddir))
        self.state = tempfile.mkdtemp(prefix="co2s-bench-latency.")
        self.kafka_state = os.path.join(self.state, "kafka")
        self.kafka = Kafka(self.kafka_state, args.brokers)
        self.brokers = args.brokers
        self.api_url = None

    def start_kafka(self):
        self.brokers = self.kafka.start()

    def stop_kafka(self):
        self.kafka.stop()

    def start_api(self):
        api = Child("api", [self.api_bin, "--csv", os.path.join(ROOT, "data/co2_processed.csv"),
                            "--listen", "127.0.0.1:0", "--rate", "0"], self.state)
        wait_for(lambda: "listening on " in read_text(api.out_path) or api.poll(), 30, "co2stream-api to listen")
        m = re.search(r"listening on (\S+)", read_text(api.out_path))
        if not m:
            raise BenchError("co2stream-api did not start:\n" + tail(api.err_path))
        self.api_url = m.group(1)

    def create_topic(self, topic):
        r = subprocess.run([self.fill_bin, "--brokers", self.brokers, "--topic", topic, "--create",
                            "--rows", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise BenchError("could not create topic %s:\n%s%s" % (topic, r.stdout, r.stderr))

    def run(self, rate, i):
        n = int(rate * self.args.seconds)
        topic = "bench_latency_%d_%d_%d" % (os.getpid(), rate, i)
        workdir = os.path.join(self.state, "r%d-%d" % (rate, i))
        os.makedirs(workdir)
        self.create_topic(topic)
        model_dir = os.path.join(workdir, "models")
        trainer = Child("trainer", [self.trainer_bin, "--brokers", self.brokers, "--topic", topic,
                                    "--group", "bench-" + topic, "--model-dir", model_dir, "--reset",
                                    "--batch-rows", str(self.args.batch_rows), "--max-rows", str(n),
                                    "--exit-when-idle", "30"], workdir)
        wait_for(lambda: "assigned " in read_text(trainer.err_path) or trainer.poll(), 60,
                 "the trainer's assignment")
        producer = Child("producer", [self.producer_bin, "--api",
                                      "%s/stream?rate=%d&limit=%d" % (self.api_url, rate, n),
                                      "--brokers", self.brokers, "--topic", topic, "--exit-at-end"], workdir)
        producer.check(timeout=self.args.seconds * 3 + 60)
        trainer.check(timeout=self.args.seconds * 3 + 120)
        with open(os.path.join(model_dir, "model.json")) as f:
            latency = json.load(f).get("latency_us")
        if latency is None:
            raise BenchError("model.json has no latency_us: a trainer older than the latency histogram?")
        buckets = parse_histogram(latency["buckets"])
        if latency["count"] != n:
            raise BenchError("the histogram holds %d rows, not %d" % (latency["count"], n))
        lines = read_text(os.path.join(model_dir, "metrics.jsonl")).splitlines()
        r = {"p50": quantile(buckets, 0.5) / 1000, "p99": quantile(buckets, 0.99) / 1000,
             "p999": quantile(buckets, 0.999) / 1000, "max": bucket_value(buckets[-1][0]) / 1000,
             "rows_per_batch": n / max(len(lines), 1)}
        log("  %d rows/s run %d: p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, %d batches"
            % (rate, i + 1, r["p50"], r["p99"], r["p999"], len(lines)))
        if not self.args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        return r


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rates", default="5000,50000")
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--batch-rows", type=int, default=100)
    p.add_argument("--brokers")
    p.add_argument("--builddir", default=os.environ.get("CO2S_BUILDDIR", os.path.join(ROOT, "builddir")))
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    rates = [int(x) for x in args.rates.split(",")]

    bench = Bench(args)

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    results = {}
    try:
        bench.start_kafka()
        bench.start_api()
        for rate in rates:
            results[rate] = []
            for i in range(args.runs):
                log("%d rows/s, run %d/%d: %d rows" % (rate, i + 1, args.runs, int(rate * args.seconds)))
                results[rate].append(bench.run(rate, i))
    finally:
        Child.stop_all()
        bench.stop_kafka()
        if not args.keep:
            shutil.rmtree(bench.state, ignore_errors=True)
        else:
            log("state kept in %s" % bench.state)

    def cell(rs, key):
        vals = [r[key] for r in rs]
        med = statistics.median(vals)
        return "**%.1f** (%.1f–%.1f)" % (med, min(vals), max(vals)) if len(vals) > 1 else "**%.1f**" % med

    lines = [
        "| API rate (rows/s) | rows a run | p50 (ms) | p99 (ms) | p99.9 (ms) | largest (ms) | rows a batch |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for rate in rates:
        rs = results[rate]
        lines.append("| {:,} | {:,} | {} | {} | {} | {} | {:.0f} |".format(
            rate, int(rate * args.seconds), cell(rs, "p50"), cell(rs, "p99"), cell(rs, "p999"),
            cell(rs, "max"), statistics.median(r["rows_per_batch"] for r in rs)))
    note = ("Medians of %d runs (range in brackets); `bench/latency.py --runs %d --seconds %g "
            "--batch-rows %d`; trainer defaults otherwise (group commit, --checkpoint-ms 200)."
            % (args.runs, args.runs, args.seconds, args.batch_rows))
    text = "\n".join(lines) + "\n\n" + note + "\n"
    sys.stdout.write(text)
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latency.md"), "w") as f:
        f.write("# Per-row latency, API emit → durable checkpoint (%s)\n\n" % time.strftime("%Y-%m-%d")
                + text)


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        sys.stderr.write("bench/latency.py: %s\n" % e)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
