#!/usr/bin/env python3
"""Run causal-learn's PC-stable on a CSV and print its skeleton, sepsets and CPDAG as JSON.

Reference side of causeway-pc's cross-check (see docs/executor-pc.md):

    python3 compare_causal_learn.py DATA.csv {fisherz|chisq|gsq} ALPHA [--index-col]

* The CSV has a header row; `--index-col` drops the first column (a row index).
* Non-numeric columns (e.g. True/False) are turned into category codes.
* Variables are numbered 0..p-1 in column order.

Output (one JSON object on stdout):
    n_vars, n_tests (distinct CI tests, from causal-learn's p-value cache), seconds,
    skeleton: [[i, j], ...] with i < j,
    sepsets:  [[i, j, [k, ...]], ...] for every removed pair i < j: the union of the separating
              sets causal-learn recorded for the pair (it keeps one set per endpoint pass),
    cpdag:    [[from, to], ...]: directed edges once, undirected edges in both directions.
"""

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
from causallearn.search.ConstraintBased.PC import pc


def load(path, index_col):
    df = pd.read_csv(path)
    if index_col:
        df = df.iloc[:, 1:]
    for name in df.columns:
        col = df[name]
        if col.dtype == bool:
            df[name] = col.astype(int)
        elif not pd.api.types.is_numeric_dtype(col):
            df[name] = pd.Categorical(col.astype(str)).codes
    return df.to_numpy(dtype=float)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("test", choices=["fisherz", "chisq", "gsq"])
    ap.add_argument("alpha", type=float)
    ap.add_argument("--index-col", action="store_true")
    args = ap.parse_args()

    data = load(args.csv, args.index_col)
    started = time.perf_counter()
    cg = pc(data, args.alpha, args.test, stable=True, uc_rule=0, uc_priority=2, show_progress=False)
    seconds = time.perf_counter() - started

    g = cg.G.graph
    p = g.shape[0]
    skeleton, sepsets, cpdag = [], [], []
    for i in range(p):
        for j in range(i + 1, p):
            if g[i, j] != 0 or g[j, i] != 0:
                skeleton.append([i, j])
                if g[i, j] == -1 and g[j, i] == 1:
                    cpdag.append([i, j])
                elif g[j, i] == -1 and g[i, j] == 1:
                    cpdag.append([j, i])
                else:
                    cpdag += [[i, j], [j, i]]
            else:
                sets = cg.sepset[i, j] or []
                union = sorted({int(v) for s in sets for v in s})
                sepsets.append([i, j, union])
    cpdag.sort()
    n_tests = sum(1 for k in cg.test.pvalue_cache if ";" in str(k))
    json.dump(
        {
            "n_vars": p,
            "n_tests": n_tests,
            "seconds": seconds,
            "skeleton": skeleton,
            "sepsets": sepsets,
            "cpdag": cpdag,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
