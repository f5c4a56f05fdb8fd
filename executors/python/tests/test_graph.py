"""causal-learn graph matrices to result edges (causallearn_graph.py)."""

import unittest

import numpy as np

from causallearn_graph import ARROW, CIRCLE, TAIL, directed_edges, marked_edges


def matrix_with(mark_at_0, mark_at_1):
    """A two-node graph matrix with one edge: g[0, 1] is the mark at node 0."""
    g = np.zeros((2, 2), dtype=int)
    g[0, 1], g[1, 0] = mark_at_0, mark_at_1
    return g


class DirectedEdges(unittest.TestCase):
    def test_clear_directions_give_one_pair(self):
        self.assertEqual(directed_edges(matrix_with(TAIL, ARROW)), [(0, 1)])
        self.assertEqual(directed_edges(matrix_with(ARROW, TAIL)), [(1, 0)])
        self.assertEqual(directed_edges(matrix_with(CIRCLE, ARROW)), [(0, 1)])
        self.assertEqual(directed_edges(matrix_with(ARROW, CIRCLE)), [(1, 0)])

    def test_edges_without_one_direction_go_both_ways(self):
        for marks in [(TAIL, TAIL), (CIRCLE, CIRCLE), (ARROW, ARROW), (TAIL, CIRCLE)]:
            self.assertEqual(directed_edges(matrix_with(*marks)), [(0, 1), (1, 0)], marks)

    def test_no_edge_no_pair(self):
        self.assertEqual(directed_edges(np.zeros((3, 3))), [])

    def test_marks_are_written_with_node_ids(self):
        g = np.zeros((3, 3), dtype=int)
        g[0, 1], g[1, 0] = CIRCLE, ARROW  # 0 o-> 1
        g[1, 2], g[2, 1] = ARROW, ARROW  # 1 <-> 2
        self.assertEqual(marked_edges(g, [10, 11, 12]), ["10 o-> 11", "11 <-> 12"])


if __name__ == "__main__":
    unittest.main()
