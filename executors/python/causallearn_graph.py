"""causal-learn's graphs and tests in the terms of the MPCSL result (docs/executor-python.md)."""

from importlib import metadata

# Endpoint marks of a causal-learn graph matrix: g[i, j] is the mark at i of the edge i - j.
TAIL, ARROW, CIRCLE = -1, 1, 2

# causal-learn's independence tests; True for the ones that need category codes.
TESTS = {"fisherz": False, "chisq": True, "gsq": True, "kci": False}

# causal-learn's GES scores; True for the ones that need category codes.
SCORES = {
    "local_score_BIC": False,
    "local_score_BDeu": True,
    "local_score_CV_general": False,
    "local_score_marginal_general": False,
}


def version():
    return metadata.version("causal-learn")


def edge_marks(matrix):
    """Every edge of a graph matrix once, as (i, j, mark at i, mark at j) with i < j."""
    p = matrix.shape[0]
    for i in range(p):
        for j in range(i + 1, p):
            at_i, at_j = int(matrix[i, j]), int(matrix[j, i])
            if at_i != 0 or at_j != 0:
                yield i, j, at_i, at_j


def directed_edges(matrix):
    """The edges of a graph matrix as directed pairs: `i --> j` and `i o-> j` as (i, j); every
    edge without one clear direction (`---`, `o-o`, `<->`, `--o`) in both directions, which the
    result format reads as undirected."""
    edges = []
    for i, j, at_i, at_j in edge_marks(matrix):
        if at_j == ARROW and at_i in (TAIL, CIRCLE):
            edges.append((i, j))
        elif at_i == ARROW and at_j in (TAIL, CIRCLE):
            edges.append((j, i))
        else:
            edges += [(i, j), (j, i)]
    return edges


def marked_edges(matrix, node_ids):
    """Every edge with its endpoint marks, e.g. `12 o-> 15`, `3 <-> 4` (node ids): what a PAG
    says that directed pairs cannot."""
    left = {TAIL: "-", ARROW: "<", CIRCLE: "o"}
    right = {TAIL: "-", ARROW: ">", CIRCLE: "o"}
    return [
        f"{node_ids[i]} {left.get(at_i, '?')}-{right.get(at_j, '?')} {node_ids[j]}"
        for i, j, at_i, at_j in edge_marks(matrix)
    ]
