#!/usr/bin/python3
# prom-parse.py — reads a Prometheus text exposition on stdin, parses it with
# the reference parser (prometheus_client.parser, Debian's
# python3-prometheus-client) and prints it as JSON for the C tests
# (co2s-test-prom.h): {"NAME": {"type": T, "help": H, "samples":
# [{"name": N, "labels": {...}, "value": "repr"}]}}. Values are strings
# (repr of the float: "nan", "inf" read back with g_ascii_strtod).
# Fails (exit 1, saying why) when the parser refuses the text, or when a
# family has no HELP, an unknown TYPE, or a sample outside its family.
import json
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as e:  # loud: the test must not pass without the parser
    sys.exit("prom-parse.py: cannot import prometheus_client (%s): install Debian's "
             "python3-prometheus-client (scripts/deps-debian.txt, scripts/setup.sh)" % e)

text = sys.stdin.read()
out = {}
try:
    for family in text_string_to_metric_families(text):
        if family.type not in ("counter", "gauge", "histogram", "summary"):
            sys.exit("prom-parse.py: %s has type %s (no # TYPE line?)" % (family.name, family.type))
        if not family.documentation:
            sys.exit("prom-parse.py: %s has no # HELP text" % family.name)
        if family.name in out:
            sys.exit("prom-parse.py: %s appears twice" % family.name)
        # prometheus_client strips _total from a counter's family name.
        name = family.name + "_total" if family.type == "counter" else family.name
        out[name] = {
            "type": family.type,
            "help": family.documentation,
            "samples": [{"name": s.name, "labels": dict(s.labels), "value": repr(float(s.value))}
                        for s in family.samples],
        }
except ValueError as e:
    sys.exit("prom-parse.py: not valid Prometheus text: %s\n---\n%s" % (e, text))
json.dump(out, sys.stdout, sort_keys=True)
