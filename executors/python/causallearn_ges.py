#!/usr/bin/env python3
"""causal-learn's GES (catalogue: causal-learn / ges) as an MPCSL executor. The result is a
CPDAG: directed edges once, undirected edges in both directions.

    python causallearn_ges.py -j JOB -d DATASET --api_host HOST --send_sepsets 0|1 \
        --score local_score_BIC [--maxP -1] [--lambda_value 0.5]
"""

import sys

from causallearn.search.ScoreBased.GES import ges

import causallearn_graph as graph
from mpcsl_executor import Learned, main, option_parser, unlimited


def parser():
    p = option_parser("causallearn_ges", "causal-learn GES")
    p.add_argument("--score", choices=sorted(graph.SCORES), required=True)
    p.add_argument("--maxP", type=unlimited, default=None, help="most parents per node; -1: any")
    p.add_argument("--lambda_value", type=float, default=None, help="BIC penalty weight (causal-learn: 0.5)")
    return p


def learn(options, dataset):
    data = dataset.matrix(discrete=graph.SCORES[options.score])
    record = ges(data, score_func=options.score, maxP=options.maxP, lambda_value=options.lambda_value)
    score = record["score"]
    meta = {
        "executor": "causal-learn",
        "causal_learn_version": graph.version(),
        "algorithm": "ges",
        "score_value": float(score.item() if hasattr(score, "item") else score),
    }
    return Learned(edges=graph.directed_edges(record["G"].graph), meta=meta)


if __name__ == "__main__":
    sys.exit(main(parser(), learn))
