"""The executor contract (mpcsl_executor.py) against a small HTTP backend in this process:
argument forms, data loading, sampling, the result body, and failure reporting."""

import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pandas as pd

import causallearn_pc
from mpcsl_executor import Api, Dataset, parse_dataset, redacted

TOKEN = "0123abcd"


class Backend:
    """Answers `loadwithids` with `csv` (or `load_status`), stores uploads and PUTs."""

    def __init__(self, csv, load_status=200):
        self.csv, self.load_status = csv, load_status
        self.uploads, self.puts, self.paths = [], [], []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                backend.paths.append(self.path)
                body = backend.csv.encode() if backend.load_status == 200 else b'{"message": "no"}'
                self.send_response(backend.load_status)
                self.send_header("X-Content-Length", "0")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                backend.paths.append(self.path)
                length = int(self.headers["Content-Length"])
                backend.uploads.append(json.loads(self.rfile.read(length)))
                self._ok()

            def do_PUT(self):
                backend.paths.append(self.path)
                backend.puts.append(self.path)
                self._ok()

            def _ok(self):
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def api_host(self):
        return f"127.0.0.1:{self.server.server_address[1]}/t/{TOKEN}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def collider_csv(n=2000, seed=7):
    """Node 10 -> 12 <- 11, 12 -> 13 with binary values; node ids 10..13 as the header."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 2, n), rng.integers(0, 2, n)
    c = (a | b) ^ (rng.random(n) < 0.1)
    d = c ^ (rng.random(n) < 0.1)
    frame = pd.DataFrame({"10": a.astype(bool), "11": b, "12": c, "13": d})
    frame["10"] = frame["10"].map({True: "True", False: "False"})
    return frame.to_csv(index=False)


class RunsAgainstTheBackend(unittest.TestCase):
    def run_pc(self, backend, *extra):
        argv = ["-j", "5", "-d", "9", "--api_host", backend.api_host, *extra]
        return causallearn_pc.main(causallearn_pc.parser(), causallearn_pc.learn, argv)

    def test_a_run_uploads_the_cpdag_with_node_ids_and_sepsets(self):
        backend = Backend(collider_csv())
        self.addCleanup(backend.close)
        status = self.run_pc(backend, "--send_sepsets", "1", "-a", "0.01", "-t", "gsq", "--stable", "True")
        self.assertEqual(status, 0)
        self.assertEqual(backend.paths[0], f"/t/{TOKEN}/api/dataset/9/loadwithids")
        self.assertEqual(backend.paths[1], f"/t/{TOKEN}/api/job/5/result")
        body = backend.uploads[0]
        edges = sorted((e["from_node"], e["to_node"]) for e in body["edge_list"])
        self.assertEqual(edges, [(10, 12), (11, 12), (12, 13)])
        separated = sorted(
            (s["from_node"], s["to_node"], tuple(s["nodes"]), s["level"]) for s in body["sepset_list"]
        )
        self.assertEqual(
            separated,
            [(10, 13, (12,), 1), (11, 13, (12,), 1), (13, 10, (12,), 1), (13, 11, (12,), 1)],
        )
        self.assertTrue(all(0.01 < s["statistic"] <= 1 for s in body["sepset_list"]))
        meta = body["meta_results"]
        self.assertEqual(meta["api_host"].rsplit("/t/", 1)[1], "***")
        self.assertEqual((meta["alpha"], meta["independence_test"], meta["n_samples"]), (0.01, "gsq", 2000))
        self.assertGreater(body["dataset_loading_time"], 0)
        self.assertEqual(backend.puts, [])

    def test_sepsets_are_left_out_unless_asked_for(self):
        backend = Backend(collider_csv())
        self.addCleanup(backend.close)
        self.assertEqual(
            self.run_pc(backend, "--send_sepsets", "0", "--alpha", "0.01", "--independence_test", "chisq"), 0
        )
        self.assertEqual(backend.uploads[0]["sepset_list"], [])

    def test_a_failed_download_reports_the_job_and_exits_non_zero(self):
        backend = Backend("", load_status=404)
        self.addCleanup(backend.close)
        self.assertEqual(self.run_pc(backend, "--alpha", "0.01", "--independence_test", "gsq"), 1)
        self.assertEqual(backend.puts, [f"/t/{TOKEN}/api/job/5"])
        self.assertEqual(backend.uploads, [])

    def test_an_unreachable_backend_is_retried_then_reported(self):
        backend = Backend("")
        backend.close()  # nothing listens any more
        api = Api(backend.api_host, retries=2, backoff=0)
        with self.assertRaises(Exception) as caught:
            api.load_dataset(1)
        self.assertIn("/t/***/api/dataset/1/loadwithids", str(caught.exception))
        self.assertNotIn(TOKEN, str(caught.exception))


class Options(unittest.TestCase):
    def test_values_arrive_in_python_str_form_and_short_forms_work(self):
        o = causallearn_pc.parser().parse_args(
            [
                "-j",
                "1",
                "-d",
                "2",
                "--api_host",
                "h",
                "-a",
                "0.05",
                "-t",
                "fisherz",
                "--stable",
                "False",
                "-s",
                "-1",
                "-v",
                "1",
                "--sampling_factor",
                "0.5",
                "--sampling_method",
                "top",
            ]
        )
        self.assertEqual(
            (o.alpha, o.independence_test, o.stable, o.subset_size, o.verbose),
            (0.05, "fisherz", False, None, 1),
        )
        self.assertEqual((o.sampling_factor, o.sampling_method), (0.5, "top"))

    def test_bad_values_are_refused(self):
        base = ["-j", "1", "-d", "2", "--api_host", "h", "-a", "0.05"]
        for bad in (
            ["-t", "gaussCI"],
            ["-t", "gsq", "--stable", "maybe"],
            ["-t", "gsq", "--sampling_factor", "2"],
        ):
            with self.assertRaises(SystemExit):
                causallearn_pc.parser().parse_args(base + bad)

    def test_the_token_is_redacted(self):
        self.assertEqual(redacted("collector:8080/t/abc"), "collector:8080/t/***")
        self.assertEqual(redacted("collector:8080"), "collector:8080")


class Data(unittest.TestCase):
    def test_rows_with_nulls_are_dropped_and_booleans_read(self):
        ds = parse_dataset(b"3,4\nTrue,1.5\n,2\nFalse,\nFalse,0.25\n")
        self.assertEqual(ds.node_ids, [3, 4])
        self.assertEqual(ds.dropped_rows, 2)
        np.testing.assert_array_equal(ds.matrix(discrete=False), [[1.0, 1.5], [0.0, 0.25]])
        np.testing.assert_array_equal(ds.matrix(discrete=True), [[1, 1], [0, 0]])

    def test_a_header_without_node_ids_is_an_error(self):
        with self.assertRaisesRegex(ValueError, "node ids"):
            parse_dataset(b"a,b\n1,2\n")

    def test_sampling_keeps_the_first_rows_or_a_random_subset_in_order(self):
        frame = pd.DataFrame({"1": range(10)})
        top = Dataset(frame=frame, node_ids=[1])
        top.sample(0.35, "top", seed=1)
        self.assertEqual(top.frame["1"].tolist(), [0, 1, 2])
        rand = Dataset(frame=frame, node_ids=[1])
        rand.sample(0.5, "random", seed=1)
        kept = rand.frame["1"].tolist()
        self.assertEqual(len(kept), 5)
        self.assertEqual(kept, sorted(kept))


if __name__ == "__main__":
    unittest.main()
