#!/usr/bin/env python3
"""Writes a forward sample of the ALARM network (37 variables, 46 edges) as CSV, for the
cross-check in causal_learn.rs. The network comes from the BIF file pgmpy ships in its wheel
(no download); states are written as category codes 0..k-1 in the BIF's state order, and the
header numbers the variables 0..36 in the BIF's variable order.

    python alarm_sample.py OUT.csv ROWS SEED
"""

import gzip
import os
import sys

import pgmpy
from pgmpy.readwrite import BIFReader


def main():
    out, rows, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    path = os.path.join(os.path.dirname(pgmpy.__file__), "utils", "example_models", "alarm.bif.gz")
    with open(path, "rb") as f:
        reader = BIFReader(string=gzip.decompress(f.read()).decode("utf-8"))
    model = reader.get_model()
    names = reader.variable_names
    states = reader.variable_states
    frame = model.simulate(rows, seed=seed, show_progress=False)[names]
    for name in names:
        frame[name] = frame[name].map({state: code for code, state in enumerate(states[name])}).astype(int)
    frame.columns = [str(i) for i in range(len(names))]
    frame.to_csv(out, index=False)
    print(f"{len(names)} variables, {len(model.edges())} edges, {rows} rows")


if __name__ == "__main__":
    main()
