#!/usr/bin/env python3
"""causal-learn's FCI (catalogue: causal-learn / fci) as an MPCSL executor.

The result is a PAG. Directed pairs carry what they can (`a --> b` and `a o-> b` as a -> b,
every other edge in both directions); `meta_results.pag_edges` keeps every edge with its
endpoint marks.

    python causallearn_fci.py -j JOB -d DATASET --api_host HOST --send_sepsets 0|1 \
        --alpha 0.01 --independence_test fisherz [--subset_size -1] [--max_path_length -1]
"""

import sys

from causallearn.search.ConstraintBased.FCI import fci

import causallearn_graph as graph
from mpcsl_executor import Learned, main, option_parser, unlimited


def parser():
    p = option_parser("causallearn_fci", "causal-learn FCI")
    p.add_argument("-a", "--alpha", type=float, required=True)
    p.add_argument("-t", "--independence_test", choices=sorted(graph.TESTS), required=True)
    p.add_argument(
        "-s", "--subset_size", type=unlimited, default=None, help="largest conditioning set; -1: any"
    )
    p.add_argument(
        "--max_path_length", type=unlimited, default=None, help="longest discriminating path; -1: any"
    )
    return p


def learn(options, dataset):
    data = dataset.matrix(discrete=graph.TESTS[options.independence_test])
    pag, _ = fci(
        data,
        independence_test_method=options.independence_test,
        alpha=options.alpha,
        depth=-1 if options.subset_size is None else options.subset_size,
        max_path_length=-1 if options.max_path_length is None else options.max_path_length,
        verbose=bool(options.verbose),
        show_progress=False,
    )
    meta = {
        "executor": "causal-learn",
        "causal_learn_version": graph.version(),
        "algorithm": "fci",
        "pag_edges": graph.marked_edges(pag.graph, dataset.node_ids),
    }
    return Learned(edges=graph.directed_edges(pag.graph), meta=meta)


if __name__ == "__main__":
    sys.exit(main(parser(), learn))
