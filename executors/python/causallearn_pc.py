#!/usr/bin/env python3
"""causal-learn's PC (catalogue: causal-learn / pc) as an MPCSL executor.

    python causallearn_pc.py -j JOB -d DATASET --api_host HOST --send_sepsets 0|1 \
        --alpha 0.01 --independence_test gsq [--stable True] [--subset_size -1] ...
"""

import sys

from causallearn.search.ConstraintBased.PC import pc

import causallearn_graph as graph
from mpcsl_executor import Learned, boolean, main, option_parser, unlimited


def parser():
    p = option_parser("causallearn_pc", "causal-learn PC")
    p.add_argument("-a", "--alpha", type=float, required=True)
    p.add_argument("-t", "--independence_test", choices=sorted(graph.TESTS), required=True)
    p.add_argument("--stable", type=boolean, default=True, help="PC-stable's order-independent skeleton")
    p.add_argument("--uc_rule", type=int, choices=[0, 1, 2], default=0, help="collider rule")
    p.add_argument("--uc_priority", type=int, choices=[-1, 0, 1, 2, 3, 4], default=2)
    p.add_argument(
        "-s", "--subset_size", type=unlimited, default=None, help="largest conditioning set; -1: any"
    )
    return p


def learn(options, dataset):
    data = dataset.matrix(discrete=graph.TESTS[options.independence_test])
    cg = pc(
        data,
        options.alpha,
        options.independence_test,
        stable=options.stable,
        uc_rule=options.uc_rule,
        uc_priority=options.uc_priority,
        verbose=bool(options.verbose),
        show_progress=False,
        max_k=options.subset_size,
    )
    matrix = cg.G.graph
    sepsets = []
    p = matrix.shape[0]
    for i in range(p):
        for j in range(i + 1, p):
            recorded = cg.sepset[i, j]
            if matrix[i, j] != 0 or not recorded:
                continue
            # causal-learn keeps one set per endpoint pass; the first is the one that removed the edge.
            nodes = sorted(int(k) for k in recorded[0])
            sepsets.append((i, j, nodes, cg.ci_test(i, j, tuple(nodes))))
    n_tests = sum(1 for key in cg.test.pvalue_cache if ";" in str(key))
    meta = {
        "executor": "causal-learn",
        "causal_learn_version": graph.version(),
        "algorithm": "pc-stable" if options.stable else "pc",
        "n_tests": n_tests,
    }
    return Learned(edges=graph.directed_edges(matrix), sepsets=sepsets, meta=meta)


if __name__ == "__main__":
    sys.exit(main(parser(), learn))
