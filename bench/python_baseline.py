#!/usr/bin/env python3
"""The Python path co2stream replaces, at its best: a confluent-kafka consumer,
json.loads, scikit-learn StandardScaler.partial_fit/transform and
SGDRegressor.partial_fit (default parameters) on micro-batches, read from a
topic that is already filled.

Two modes:
  train  what the issue measured as "the old system at its best" (about
         110,000 rows/s on 1,000-row batches): consume, decode, scale, learn.
  full   the same work as co2stream-trainer per batch: also the prequential
         prediction (RMSE and MAE before learning), the RMSE after learning,
         one metrics line appended and fdatasync'ed, the model written
         atomically (temp file, fsync, rename) with the next offset, and an
         asynchronous offset commit.

Timing, like bench/pipeline.py's for co2stream-trainer: the clock reads after
every batch; the rate is the rows of batches 2..n over the time from the end
of batch 1 to the end of batch n (no start-up, group join or first fetch).
The rate from the first message to the end is printed too.

Prints one JSON object on stdout: mode, batch_rows, rows, batches, seconds,
rows_per_s, rows_per_s_from_first_message, final_rmse, maxrss_kb.
"""

import argparse
import json
import os
import resource
import sys
import time
import uuid

import numpy as np
from confluent_kafka import Consumer, KafkaError, TopicPartition
from sklearn.linear_model import SGDRegressor
from sklearn.preprocessing import StandardScaler

FEATURES = (
    "Engine_Size",
    "Cylinders",
    "Fuel_Consumption_City",
    "Fuel_Consumption_Hwy",
    "Fuel_Consumption_Comb",
    "Fuel_Type_D",
    "Fuel_Type_E",
    "Fuel_Type_N",
    "Fuel_Type_X",
    "Fuel_Type_Z",
)
TARGET = "CO2_Emissions"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--brokers", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--rows", type=int, required=True, help="rows to learn, from offset 0")
    p.add_argument("--batch-rows", type=int, default=1000)
    p.add_argument("--mode", choices=("train", "full"), default="train")
    p.add_argument("--model-dir", help="folder for metrics.jsonl and model.json (mode full)")
    return p.parse_args()


def save_model(path, scaler, sgd, next_offset, topic):
    doc = {
        "algo": "sgd",
        "features": FEATURES,
        "coef": sgd.coef_.tolist(),
        "intercept": float(sgd.intercept_[0]),
        "t": float(sgd.t_),
        "scaler_mean": scaler.mean_.tolist(),
        "scaler_var": scaler.var_.tolist(),
        "rows_seen": int(scaler.n_samples_seen_),
        "offsets": {topic: {"0": next_offset}},
        "updated_at": time.time(),
    }
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


def main():
    args = parse_args()
    if args.mode == "full" and not args.model_dir:
        sys.exit("python_baseline: --mode full needs --model-dir")

    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": "python-baseline-" + uuid.uuid4().hex[:8],
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "enable.partition.eof": False,
    })
    consumer.assign([TopicPartition(args.topic, 0, 0)])

    scaler = StandardScaler()
    sgd = SGDRegressor()
    fitted = False
    metrics = None
    model_path = None
    if args.mode == "full":
        os.makedirs(args.model_dir, exist_ok=True)
        metrics = open(os.path.join(args.model_dir, "metrics.jsonl"), "w")
        model_path = os.path.join(args.model_dir, "model.json")

    rows = 0
    batches = 0
    pending = []
    t_first_msg = None
    t_first_batch = None
    rows_first_batch = 0
    t_last = None
    rmse = float("nan")
    next_offset = 0

    while rows < args.rows:
        want = min(args.batch_rows - len(pending), args.rows - rows - len(pending))
        msgs = consumer.consume(num_messages=want, timeout=1.0)
        for m in msgs:
            if m.error() is not None:
                if m.error().code() != KafkaError._PARTITION_EOF:
                    sys.exit("python_baseline: Kafka error: %s" % m.error())
                continue
            pending.append(m)
        if not msgs:
            if t_first_msg is not None:
                sys.exit("python_baseline: the topic ran dry after %d rows" % rows)
            continue
        if t_first_msg is None:
            t_first_msg = time.perf_counter()
        if len(pending) < args.batch_rows and rows + len(pending) < args.rows:
            continue

        records = [json.loads(m.value()) for m in pending]
        X = np.array([[r[k] for k in FEATURES] for r in records], dtype=np.float64)
        y = np.array([r[TARGET] for r in records], dtype=np.float64)
        next_offset = pending[-1].offset() + 1
        pending = []

        if args.mode == "full" and fitted:
            err = sgd.predict(scaler.transform(X)) - y
            rmse = float(np.sqrt(np.mean(err * err)))
            mae = float(np.mean(np.abs(err)))
        else:
            mae = float("nan")
        scaler.partial_fit(X)
        Xs = scaler.transform(X)
        sgd.partial_fit(Xs, y)
        fitted = True
        rows += len(y)
        batches += 1

        if args.mode == "full":
            err = sgd.predict(Xs) - y
            rmse_fit = float(np.sqrt(np.mean(err * err)))
            metrics.write(json.dumps({"batch": batches, "rows": len(y), "rows_seen": rows,
                                      "rmse": rmse, "mae": mae, "rmse_fit": rmse_fit,
                                      "timestamp_us": int(time.time() * 1e6)}) + "\n")
            metrics.flush()
            os.fdatasync(metrics.fileno())
            save_model(model_path, scaler, sgd, next_offset, args.topic)
            consumer.commit(offsets=[TopicPartition(args.topic, 0, next_offset)],
                            asynchronous=True)

        t_last = time.perf_counter()
        if t_first_batch is None:
            t_first_batch = t_last
            rows_first_batch = rows

    if args.mode == "full":
        metrics.close()
    consumer.close()

    if args.mode == "train":
        err = sgd.predict(scaler.transform(X)) - y
        rmse = float(np.sqrt(np.mean(err * err)))
    steady_s = t_last - t_first_batch
    steady_rows = rows - rows_first_batch
    print(json.dumps({
        "mode": args.mode,
        "batch_rows": args.batch_rows,
        "rows": rows,
        "batches": batches,
        "seconds": steady_s,
        "rows_per_s": steady_rows / steady_s if steady_s > 0 else float("nan"),
        "rows_per_s_from_first_message": rows / (t_last - t_first_msg),
        "final_rmse": rmse,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
