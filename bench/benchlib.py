"""benchlib.py — what the bench/*.py scripts share: their log, the machine's load, medians, the
trainer's metrics files, run-queue waits, and a throwaway Apache Kafka (tests/kafka-broker.sh).
Python 3 standard library only; imported from the scripts' own folder."""

import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def log(msg):
    sys.stderr.write("bench %s: %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class BenchError(Exception):
    pass


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def psi():
    """The CPU pressure (share of time some task waited for a CPU) over 5 minutes, in %."""
    try:
        with open("/proc/pressure/cpu") as f:
            return re.search(r"avg300=([\d.]+)", f.readline()).group(1)
    except (OSError, AttributeError):
        return "?"


def fmt_int(v):
    return "–" if v is None else "{:,.0f}".format(v)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def read_metrics(path):
    """The JSON objects of a metrics.jsonl, one a line, blank lines skipped."""
    out = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def runq_wait_s(pid):
    """Run-queue wait of every thread of @pid so far (schedstat), in seconds; None when gone."""
    total = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                    total += int(f.read().split()[1])
            except (OSError, IndexError, ValueError):
                pass
    except OSError:
        return None
    return total / 1e9


class Kafka:
    """A single-node Kafka of tests/kafka-broker.sh with its data in @state_dir, stopped with the
    script's process at the latest; or, with @brokers, a Kafka already running, which is neither
    started nor stopped. @heap: the JVM's heap options (None: the script's default)."""

    SCRIPT = os.path.join(ROOT, "tests/kafka-broker.sh")

    def __init__(self, state_dir, brokers=None, heap=None):
        self.state_dir = state_dir
        self.brokers = brokers
        self.own = brokers is None
        self.heap = heap
        self.pid = None

    def start(self, pin_cpus=None):
        """Starts it (when it is ours), its threads pinned to @pin_cpus if given; the bootstrap address."""
        if not self.own:
            return self.brokers
        log("starting Apache Kafka (tests/kafka-broker.sh) in %s" % self.state_dir)
        env = dict(os.environ, CO2S_KAFKA_OWNER_PID=str(os.getpid()), CO2S_KAFKA_OWNER_CLEANUP="1")
        if self.heap:
            env.setdefault("CO2S_KAFKA_HEAP", self.heap)
        r = subprocess.run([self.SCRIPT, "start", self.state_dir],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        m = re.search(r"^bootstrap\.servers=(\S+)$", r.stdout, re.M)
        if r.returncode != 0 or not m:
            raise BenchError("Kafka did not start:\n" + r.stdout + r.stderr)
        self.brokers = m.group(1)
        with open(os.path.join(self.state_dir, "pid")) as f:
            self.pid = int(f.read().strip())
        if pin_cpus is not None:
            self.pin(pin_cpus)
        log("Kafka at %s (pid %d)%s" % (self.brokers, self.pid,
                                        ", pinned to CPU %s" % pin_cpus if pin_cpus is not None else ""))
        return self.brokers

    def pin(self, cpus):
        """Moves every thread of our Kafka to @cpus."""
        subprocess.run(["taskset", "-a", "-p", "-c", cpus, str(self.pid)], stdout=subprocess.DEVNULL, check=True)

    def stop(self):
        if self.own and self.brokers:
            subprocess.run([self.SCRIPT, "stop", self.state_dir],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.brokers = None
