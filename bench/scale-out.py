#!/usr/bin/env python3
"""bench/scale-out.py — co2stream-trainer --scale-out (issue 13) against the
single trainer, on a real Apache Kafka: rows/s on a pre-filled 6-partition
topic, the size of one partition state and the state topic's traffic, and
the cost of the merge each batch is scored with. Prints Markdown tables
(medians of several runs, ratios to the single trainer measured in the same
run) and saves them in bench/results/scale-out.md.

    bench/scale-out.py [--runs N] [--quick] [--rows N] [--brokers HOST:PORT] [--keep]

  --runs N      runs of each measurement (default 3; 1 with --quick)
  --quick       1 run, 100,000 rows (~3 min instead of ~10)
  --rows N      rows of the pre-filled topic (default 300,000)
  --partitions P  partitions of that topic (default 6)
  --brokers B   use this Kafka instead of starting one (the broker is then
                not pinned, and the state records cannot be read from its
                log folder: the state size comes from model.json instead)
  --keep        keep the state folder (trainer logs, Kafka's data)

What runs (each trainer with a fresh model folder, group and state topic):

- single: co2stream-trainer without --scale-out (--reset), the baseline;
- 1 scale-out: one --scale-out trainer owns all partitions;
- 2 scale-out, 1 core: two in one group, both pinned to CPU 1 (the CPU the
  baseline has);
- 2 scale-out, 2 cores: two in one group, one on CPU 1, one on CPU 0 (which
  the broker shares).

The broker is pinned to CPU 0, single and 1 scale-out to CPU 1 (all threads,
`taskset -c`). Each case at --batch-rows 100 (the app's default) and 1000,
with --algo ls and ls,ls:fuel, default consumer settings. Then the same at
--algo ls with a prefetch queue large enough for the whole topic (-X
queued.min.messages=1000000 -X queued.max.messages.kbytes=1048576): the
trainer's own speed with librdkafka 2.0's fetch stall out of the way (see
src/trainer/co2s-fetch-waker.h, which both trainers use).

rows/s = rows of every trainer's full batches but the first one / (close of
the last full batch - close of the first), batch closes from every trainer's
metrics.jsonl (wall clock, timestamp_us): the aggregate steady rate, start-up
and each partition's partial last batch (closed --batch-ms after its first
row) left out. The trainers get SIGTERM once their metrics files hold every row
(not --exit-when-idle: the fetch stall below can leave a scale-out trainer
without a message for about a second, and it would leave early). "pauses": share of each trainer's span spent in
gaps of 50 ms or more between two batch closes (waiting for the fetcher or a
transaction), the trainers' mean. "rows per CPU-s": rows / user+system CPU
time of all trainer processes.

State topic: the records of each run's state topic are read from the
broker's log segment (record batch format v2, uncompressed): value bytes of
one state record (a partition's checkpoint JSON), records per transaction
(state records / transactions from the trainers' final lines), and the bytes
the log grew by per second of the run's span (batch headers, keys, headers
and transaction markers included), next to the product records per
transaction x size x transactions per second.

Merge: bench/bench-merge (the same build), µs per co2s_model_merge_all of 6
partition models and per learn() of 100 rows, for 10 (ls) and 35 (ls:fuel)
features.

Needs: a build (CO2S_BUILDDIR, default builddir) with co2stream-trainer,
tests/trainer/fill-topic and bench/bench-merge; taskset; Java 17+ for
tests/kafka-broker.sh unless --brokers. Python 3 standard library only.
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

from benchlib import HERE, ROOT, BenchError, Kafka, fmt_int, loadavg, log, median, psi, read_metrics

TRAINER_CPU = "1"
OTHER_CPU = "0"
BATCHES = (100, 1000)
ALGOS = ("ls", "ls,ls:fuel")
# name, label, CPUs of the trainers (None: the single trainer)
MODES = (
    ("single", "single trainer", None),
    ("so1", "1 scale-out", (TRAINER_CPU,)),
    ("so2", "2 scale-out, 1 core", (TRAINER_CPU, TRAINER_CPU)),
    ("so2x", "2 scale-out, 2 cores", (TRAINER_CPU, OTHER_CPU)),
)
PREFETCH = ["-X", "queued.min.messages=1000000", "-X", "queued.max.messages.kbytes=1048576"]
PAUSE_US = 50_000
STALL_S = 15
FINAL_SO = re.compile(r"scale-out trainer (\S+): (\d+) messages in ([\d.]+) s; (\d+) transactions "
                      r"\((\d+) aborted, (\d+) rollbacks(?:, \d+ new state writers)?\)")
FINAL_SINGLE = re.compile(r"(\d+) messages in ([\d.]+) s \(.*checkpoints: (\d+)")


def fmt_pct(v):
    return "–" if v is None else "%.0f %%" % (100 * v)


def fmt_x(v, base):
    return "%.2f" % (v / base) if v and base else "–"


# -- Kafka log segments (record batch v2), for the state records' sizes

def _varint(data, pos):
    shift = result = 0
    while True:
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            break
        shift += 7
    return (result >> 1) ^ -(result & 1), pos


def read_segment_dir(path):
    """Value sizes of the data records, their batches and control batches,
    and the bytes of every *.log segment under @path."""
    values, data_batches, control_batches, total = [], 0, 0, 0
    for seg in sorted(glob.glob(os.path.join(path, "*.log"))):
        with open(seg, "rb") as f:
            data = f.read()
        pos = 0
        while pos + 61 <= len(data):
            batch_len = struct.unpack_from(">i", data, pos + 8)[0]
            if batch_len <= 0 or pos + 12 + batch_len > len(data):
                break
            attrs = struct.unpack_from(">h", data, pos + 21)[0]
            count = struct.unpack_from(">i", data, pos + 57)[0]
            total += 12 + batch_len
            if attrs & 0x20:
                control_batches += 1
            elif attrs & 0x07:
                raise BenchError("%s: compressed record batch: not read here" % seg)
            else:
                data_batches += 1
                p = pos + 61
                for _ in range(count):
                    length, p = _varint(data, p)
                    end = p + length
                    p += 1                      # attributes
                    _, p = _varint(data, p)     # timestamp delta
                    _, p = _varint(data, p)     # offset delta
                    klen, p = _varint(data, p)
                    p += max(klen, 0)
                    vlen, p = _varint(data, p)
                    values.append(max(vlen, 0))
                    p = end
            pos += 12 + batch_len
    return {"values": values, "data_batches": data_batches, "control_batches": control_batches,
            "bytes": total}


class Proc:
    """One trainer, pinned, its stderr in a file."""

    def __init__(self, argv, cpu, err_path):
        self.err_path = err_path
        self.err = open(err_path, "w")
        self.proc = subprocess.Popen(["taskset", "-c", cpu] + argv, stdout=subprocess.DEVNULL, stderr=self.err)
        self.status = None
        self.rusage = None

    def poll(self):
        if self.status is None:
            pid, status, rusage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                self.proc.returncode = self.status
                self.rusage = rusage
                self.err.close()
        return self.status

    def kill(self):
        if self.poll() is None:
            self.proc.kill()
            _, status, self.rusage = os.wait4(self.proc.pid, 0)
            self.status = os.waitstatus_to_exitcode(status)
            self.proc.returncode = self.status
            self.err.close()

    def log_text(self):
        with open(self.err_path) as f:
            return f.read()


class Tail:
    """Rows of the complete lines of a growing metrics.jsonl."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.total = 0

    def rows(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return self.total
        end = data.rfind(b"\n") + 1
        for line in data[:end].splitlines():
            if line.strip():
                self.total += json.loads(line)["rows"]
        self.offset += end
        return self.total


class Bench:
    def __init__(self, args):
        self.args = args
        builddir = os.path.join(ROOT, os.environ.get("CO2S_BUILDDIR", "builddir"))
        self.trainer_bin = os.path.join(builddir, "src/trainer/co2stream-trainer")
        self.fill_bin = os.path.join(builddir, "tests/trainer/fill-topic")
        self.merge_bin = os.path.join(builddir, "bench/bench-merge")
        for b in (self.trainer_bin, self.fill_bin, self.merge_bin):
            if not os.access(b, os.X_OK):
                raise BenchError("%s is missing: build first (meson compile -C %s), or set CO2S_BUILDDIR"
                                 % (b, builddir))
        self.state = tempfile.mkdtemp(prefix="co2s-scale-out-", dir=os.environ.get("CO2S_BENCH_TMP"))
        self.kafka_state = os.path.join(self.state, "kafka")
        self.kafka = Kafka(self.kafka_state, args.brokers, heap="-Xms512m -Xmx1g")
        self.brokers = args.brokers
        self.own_kafka = self.kafka.own
        self.loads = []
        self.lost = []   # (case, rows never learned, its folder)
        self.failed = []  # first lines of the failed cases' errors
        self.run_id = "%x" % int(time.time())

    def start_kafka(self):
        self.brokers = self.kafka.start(pin_cpus=OTHER_CPU)

    def stop_kafka(self):
        self.kafka.stop()

    def fill(self, topic, rows, partitions):
        argv = ["taskset", "-c", OTHER_CPU, self.fill_bin, "--brokers", self.brokers, "--topic", topic,
                "--create", "--partitions", str(partitions), "--rows", str(rows),
                "--csv", os.path.join(ROOT, "data/co2_processed.csv")]
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        m = re.search(r"(\d+) delivered, 0 failed in ([\d.]+) s \((\d+) rows/s\)", r.stdout)
        if r.returncode != 0 or not m or int(m.group(1)) != rows:
            raise BenchError("fill-topic failed:\n%s%s" % (r.stdout, r.stderr))

    def merge_cost(self):
        r = subprocess.run(["taskset", "-c", TRAINER_CPU, self.merge_bin,
                            "--csv", os.path.join(ROOT, "data/co2_processed.csv"),
                            "--runs", "3" if self.args.quick else "7",
                            "--merges", "5000" if self.args.quick else "20000"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise BenchError("bench-merge failed:\n" + r.stdout)
        rows = {}
        for line in r.stdout.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 6 and cells[0] in ("ls", "ls:fuel"):
                rows[cells[0]] = {"features": int(cells[1]), "merge": float(cells[2]),
                                  "batch": float(cells[3]), "all": float(cells[5])}
        if len(rows) != 2:
            raise BenchError("bench-merge: unexpected output:\n" + r.stdout)
        return rows, r.stdout

    # -- one case: the trainers of @mode on the pre-filled topic

    def case(self, topic, rows, mode, batch, algos, prefetch, run):
        name, _, cpus = mode
        tag = "%s-%d-%s%s-%d" % (name, batch, algos.replace(",", "+").replace(":", ""),
                                 "-pf" if prefetch else "", run)
        base = os.path.join(self.state, tag)
        os.makedirs(base)
        group = "so-%s-%s" % (self.run_id, tag)
        state_topic = "so_%s_%s" % (self.run_id, tag.replace("-", "_").replace("+", "_"))
        common = [self.trainer_bin, "--brokers", self.brokers, "--topic", topic, "--group", group,
                  "--batch-rows", str(batch), "--algo", algos]
        if prefetch:
            common += PREFETCH
        procs = []
        if cpus is None:
            d = os.path.join(base, "single")
            procs.append(("single", d, Proc(common + ["--model-dir", d, "--reset"], TRAINER_CPU,
                                            os.path.join(base, "single.log"))))
        else:
            for i, cpu in enumerate(cpus):
                tid = "t%d" % (i + 1)
                d = os.path.join(base, tid)
                procs.append((tid, d, Proc(common + ["--model-dir", d, "--scale-out", "--state-topic",
                                                     state_topic, "--trainer-id", tid], cpu,
                                           os.path.join(base, tid + ".log"))))
        # Every row learned and committed (the metrics files get a batch's
        # line after its commit): SIGTERM, which commits and exits.
        # Not --exit-when-idle: the fetch stall can keep a trainer without
        # a message for about a second, and it would leave early.
        paths = [self.metrics_path(cpus, tid, d) for tid, d, _ in procs]
        tails = [Tail(path) for path in paths]
        deadline = time.monotonic() + 90 + rows / 10000
        seen, progress_at, skipped = 0, time.monotonic(), False
        try:
            while True:
                total = sum(t.rows() for t in tails)
                now = time.monotonic()
                if total >= rows:
                    break
                if total != seen:
                    seen, progress_at = total, now
                elif now - progress_at > 2:
                    # Rows a trainer skipped never come: stop waiting for them.
                    skipped = any("rows skipped" in p.log_text() for _, _, p in procs)
                    if skipped or now - progress_at > STALL_S:
                        log("  %s: %s; stopping at %d of %d rows" % (
                            tag, "a trainer skipped rows (\"rows skipped\" in its log)" if skipped
                            else "no progress for %d s" % STALL_S, total, rows))
                        break
                if now > deadline:
                    raise BenchError("%s: the trainers did not learn %d rows in time (their metrics: %s); "
                                     "logs in %s" % (tag, rows, "/".join(str(t.total) for t in tails), base))
                for tid, _, p in procs:
                    if p.poll() is not None:
                        raise BenchError("%s: trainer %s exited early (status %s); log %s:\n%s"
                                         % (tag, tid, p.status, p.err_path, p.log_text()[-2000:]))
                time.sleep(0.05)
            for _, _, p in procs:
                p.proc.send_signal(signal.SIGTERM)
            while any(p.poll() is None for _, _, p in procs):
                if time.monotonic() > deadline + 60:
                    raise BenchError("%s: the trainers did not exit after SIGTERM; logs in %s" % (tag, base))
                time.sleep(0.02)
        finally:
            for _, _, p in procs:
                p.kill()
        for tid, _, p in procs:
            if p.status != 0:
                raise BenchError("%s: trainer %s failed (status %s); log %s:\n%s"
                                 % (tag, tid, p.status, p.err_path, p.log_text()[-2000:]))

        lines, pauses, transactions, split, cpu_s = [], [], 0, [], 0.0
        for (tid, d, p), path in zip(procs, paths):
            # A trainer may learn nothing: the other took every partition
            # and finished before the group gave it some.
            ms = sorted(read_metrics(path), key=lambda m: m["timestamp_us"]) if os.path.exists(path) else []
            split.append(sum(m["rows"] for m in ms))
            lines += ms
            # The steady rate: full batches only. Each partition's last,
            # partial batch closes --batch-ms (1 s) after its first row;
            # a scale-out trainer has one such tail per partition, the
            # single trainer one in all, which would make the comparison
            # one of waits on a small topic.
            ms = [m for m in ms if m["rows"] == batch]
            gaps = sum(b["timestamp_us"] - a["timestamp_us"] for a, b in zip(ms, ms[1:])
                       if b["timestamp_us"] - a["timestamp_us"] >= PAUSE_US)
            span = ms[-1]["timestamp_us"] - ms[0]["timestamp_us"] if ms else 0
            if span > 0:
                pauses.append(gaps / span)
            cpu_s += p.rusage.ru_utime + p.rusage.ru_stime
            text = p.log_text()
            if cpus is None:
                f = FINAL_SINGLE.search(text)
                transactions += int(f.group(3)) if f else 0
            else:
                f = FINAL_SO.search(text)
                if not f:
                    raise BenchError("%s: no final line from trainer %s; log %s" % (tag, tid, p.err_path))
                transactions += int(f.group(4))
                if int(f.group(5)) or int(f.group(6)):
                    log("  %s: trainer %s: %s aborted, %s rollbacks" % (tag, tid, f.group(5), f.group(6)))
        learned = sum(split)
        if not lines:
            raise BenchError("%s: no trainer learned anything; logs in %s" % (tag, base))
        if learned > rows:
            raise BenchError("%s: the trainers' metrics hold %d rows, more than the %d of the topic; logs in %s"
                             % (tag, learned, rows, base))
        if learned < rows:
            self.lost.append((tag, rows - learned, base))
        lines = sorted((m for m in lines if m["rows"] == batch), key=lambda m: m["timestamp_us"])
        if not lines:
            raise BenchError("%s: no full batch of %d rows; logs in %s" % (tag, batch, base))
        span_s = (lines[-1]["timestamp_us"] - lines[0]["timestamp_us"]) / 1e6
        r = {
            "rows_s": (sum(m["rows"] for m in lines) - lines[0]["rows"]) / span_s if span_s > 0 else None,
            "per_cpu_s": learned / cpu_s if cpu_s > 0 else None,
            "pauses": statistics.mean(pauses) if pauses else None,
            "split": "/".join("%d" % round(100 * s / learned) for s in sorted(split, reverse=True)) + " %",
            "transactions": transactions,
            "txn_s": transactions / span_s if span_s > 0 else None,
            "span_s": span_s,
            "lost": rows - learned,
        }
        if cpus is not None:
            r.update(self.state_figures(state_topic, procs, transactions, span_s))
        return r

    @staticmethod
    def metrics_path(cpus, tid, d):
        return (os.path.join(d, "metrics.jsonl") if cpus is None
                else os.path.join(d, "trainers", tid, "metrics.jsonl"))

    def state_figures(self, state_topic, procs, transactions, span_s):
        seg_dir = os.path.join(self.kafka_state, "data", state_topic + "-0")
        if self.own_kafka and os.path.isdir(seg_dir):
            s = read_segment_dir(seg_dir)
            if not s["values"]:
                return {}
            return {
                "state_bytes": statistics.median(s["values"]),
                "state_max": max(s["values"]),
                "records_per_txn": len(s["values"]) / transactions if transactions else None,
                "log_bytes_s": s["bytes"] / span_s if span_s > 0 else None,
                "log_bytes": s["bytes"],
                "markers": s["control_batches"],
            }
        # Another Kafka: the merged model file's size stands in for one state.
        sizes = [os.path.getsize(os.path.join(d, "model.json")) for _, d, _ in procs
                 if os.path.exists(os.path.join(d, "model.json"))]
        return {"state_bytes": median(sizes), "approx": True} if sizes else {}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--rows", type=int)
    p.add_argument("--partitions", type=int, default=6)
    p.add_argument("--brokers")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.rows = args.rows or (100_000 if args.quick else 300_000)
    if not shutil.which("taskset"):
        raise SystemExit("bench: taskset (util-linux) is needed")
    if os.cpu_count() < 2:
        raise SystemExit("bench: needs 2 CPUs")

    bench = Bench(args)
    out = []

    def say(line=""):
        out.append(line)
        print(line, flush=True)

    def on_sigterm(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    rc = 0
    t_start = time.monotonic()
    try:
        commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %cs"],
                                stdout=subprocess.PIPE, text=True).stdout.strip()
        say("# co2stream-trainer --scale-out against the single trainer")
        say()
        say("Commit %s, build `%s`, %s, %d CPUs (shared with other work: read the load averages at the "
            "end); load average at the start: %s. A %d-partition topic of %s rows (the data set's, looped, "
            "`fill-topic`; no keys, so the partitions are uneven)."
            % (commit, os.environ.get("CO2S_BUILDDIR", "builddir"), os.uname().machine, os.cpu_count(),
               loadavg(), args.partitions, fmt_int(args.rows)))
        say()
        merge, merge_text = bench.merge_cost()
        bench.start_kafka()
        topic = "so_%s_rows" % bench.run_id
        log("filling %s with %s rows in %d partitions" % (topic, fmt_int(args.rows), args.partitions))
        bench.fill(topic, args.rows, args.partitions)

        cases = [(m, b, a, False) for b in BATCHES for a in ALGOS for m in MODES]
        cases += [(m, b, "ls", True) for b in BATCHES for m in MODES]
        res = {}
        for run in range(args.runs):
            for mode, batch, algos, pf in cases:
                log("%s, --batch-rows %d --algo %s%s, run %d/%d"
                    % (mode[1], batch, algos, ", prefetch all" if pf else "", run + 1, args.runs))
                try:
                    r = bench.case(topic, args.rows, mode, batch, algos, pf, run)
                except BenchError as e:
                    # One case failing does not lose the others' figures.
                    log("  FAILED: %s" % e)
                    bench.failed.append(str(e).splitlines()[0])
                    continue
                log("  %s rows/s, %s rows per CPU-s, pauses %s, rows %s, %d transactions%s"
                    % (fmt_int(r["rows_s"]), fmt_int(r["per_cpu_s"]), fmt_pct(r["pauses"]), r["split"],
                       r["transactions"],
                       ", state %s B" % fmt_int(r["state_bytes"]) if r.get("state_bytes") else ""))
                res.setdefault((mode[0], batch, algos, pf), []).append(r)
        bench.loads.append(("end", loadavg()))

        def m(key, *k):
            return median([r.get(key) for r in res.get(k, [])])

        def split(*k):
            rs = res.get(k, [])
            return rs[len(rs) // 2]["split"] if rs else "–"

        for pf in (False, True):
            algos_list = ALGOS if not pf else ("ls",)
            if not pf:
                say("## Rows/s, default consumer settings")
                say()
                say("Medians of %d run(s). × = rows/s against the single trainer of the same row (batch "
                    "size, models), measured in this run. Broker on CPU %s; single and 1 scale-out on CPU %s."
                    % (args.runs, OTHER_CPU, TRAINER_CPU))
            else:
                say("## Rows/s, whole topic prefetched")
                say()
                say("As above, `--algo ls`, with `%s`: the fetcher never stops (librdkafka 2.0 stops "
                    "fetching while the queue holds more than `queued.min.messages` and looks again up to a "
                    "second later; both trainers wake it, co2s-fetch-waker.h). Memory is not flat in this "
                    "mode: a measuring aid, not a setting to ship."
                    % " ".join(PREFETCH))
            say()
            say("| `--batch-rows` | `--algo` | trainers | rows/s | × single | rows per CPU-s | pauses ≥ 50 ms "
                "| rows per trainer | transactions/s | runs that lost rows |")
            say("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for batch in BATCHES:
                for algos in algos_list:
                    base = m("rows_s", "single", batch, algos, pf)
                    for mode in MODES:
                        k = (mode[0], batch, algos, pf)
                        v = m("rows_s", *k)
                        rs = res.get(k, [])
                        say("| %s | `%s` | %s | %s | %s | %s | %s | %s | %s | %d of %d |"
                            % (fmt_int(batch), algos, mode[1], fmt_int(v), fmt_x(v, base),
                               fmt_int(m("per_cpu_s", *k)), fmt_pct(m("pauses", *k)), split(*k),
                               "%.1f" % m("txn_s", *k) if m("txn_s", *k) else "–",
                               sum(1 for r in rs if r["lost"] > 0), len(rs)))
            say()

        if bench.failed:
            say("**Failed cases** (left out of the medians): " + "; ".join(bench.failed))
            say()
        if bench.lost:
            say("**Rows lost:** in %d run(s) the trainers' metrics hold fewer rows than the topic (the "
                "rates above are of the rows they learned): %s. The trainer logs say why (e.g. "
                "\"offsets A-B were pruned from the log before they were read; N rows skipped\" on a topic "
                "nothing prunes)." % (len(bench.lost), "; ".join("%s: %s rows" % (t, fmt_int(n))
                                                                for t, n, _ in bench.lost)))
            say()
        say("## State topic")
        say()
        say("One state record = one partition's checkpoint JSON (value bytes, median of all records of "
            "the runs; max in brackets). Records per transaction = state records in the log / "
            "transactions (all trainers). Traffic: the state topic's log bytes / the run's span (record "
            "batches, keys, headers, transaction markers), and the product records/txn × size × "
            "transactions/s. Default consumer settings, medians of %d run(s)." % args.runs)
        say()
        say("| `--batch-rows` | `--algo` | trainers | state record, bytes | records per transaction "
            "| transactions/s | state topic, bytes/s (log) | records/txn × size × txn/s |")
        say("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |")
        for batch in BATCHES:
            for algos in ALGOS:
                for mode in MODES[1:]:
                    k = (mode[0], batch, algos, False)
                    size, rpt, tps = m("state_bytes", *k), m("records_per_txn", *k), m("txn_s", *k)
                    approx = any(r.get("approx") for r in res.get(k, []))
                    say("| %s | `%s` | %s | %s%s%s | %s | %s | %s | %s |"
                        % (fmt_int(batch), algos, mode[1], "~" if approx else "", fmt_int(size),
                           " (%s)" % fmt_int(m("state_max", *k)) if m("state_max", *k) else "",
                           "%.2f" % rpt if rpt else "–", "%.1f" % tps if tps else "–",
                           fmt_int(m("log_bytes_s", *k)),
                           fmt_int(rpt * size * tps) if rpt and size and tps else "–"))
        say()

        say("## Merge cost (bench-merge, pinned to CPU %s)" % TRAINER_CPU)
        say()
        say("Each batch is scored with the merge of every partition state the trainer knows "
            "(co2s_model_merge_all of P = %d models, per model of `--algo`). From bench-merge: µs per "
            "merge (one model added, then solved), per merge_all of 6 (5 added, one solve) and per learn() "
            "of 100 rows. add ≈ (merge_all − merge) / 4 and solve ≈ merge − add: a two-point estimate; "
            "P = 100 is projected from it, not measured." % args.partitions)
        say()
        say("| model | features | µs merge_all P=6 | µs learn 100 rows | merge_all / learn | µs add (est.) "
            "| µs solve (est.) | µs merge_all P=100 (projected) |")
        say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name in ("ls", "ls:fuel"):
            mc = merge[name]
            add = max((mc["all"] - mc["merge"]) / 4, 0.0)
            solve = max(mc["merge"] - add, 0.0)
            say("| `%s` | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |"
                % (name, mc["features"], mc["all"], mc["batch"], mc["all"] / mc["batch"], add, solve,
                   solve + 99 * add))
        say()
        say("bench-merge's own table:")
        say()
        for line in merge_text.strip().splitlines():
            say(line)
        say()
        say("Command: `%s`." % " ".join(["bench/scale-out.py"] + sys.argv[1:]))
        say()
    except BenchError as e:
        log("FAILED: %s" % e)
        say("**The benchmark failed:** %s" % str(e).splitlines()[0])
        rc = 1
    except KeyboardInterrupt:
        log("interrupted")
        rc = 130
    except Exception:
        rc = 1
        raise
    finally:
        bench.stop_kafka()
        say("Load average (1, 5, 15 min): " + "; ".join("%s: %s" % (w, l) for w, l in bench.loads)
            + "; CPU pressure at the end (avg300): %s %%. Total time: %.0f s." % (psi(), time.monotonic() - t_start))
        if args.keep or rc != 0 or bench.lost or bench.failed:
            log("state kept in %s" % bench.state)
        else:
            shutil.rmtree(bench.state, ignore_errors=True)
    if rc == 0:
        os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
        path = os.path.join(HERE, "results", "scale-out%s.md" % ("-quick" if args.quick else ""))
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
        log("saved in %s" % os.path.relpath(path, ROOT))
    return rc


if __name__ == "__main__":
    sys.exit(main())
