"""The MPCSL executor contract for Python algorithms (docs/executor-python.md).

An algorithm script declares its own options on the parser from `option_parser()`, writes a
function that turns the loaded data into a `Learned` graph, and hands both to `main()`:

    parse options -> GET /api/dataset/<id>/loadwithids -> (sample) -> learn -> POST the result

When an HTTP call to the backend fails, the job is first reported with `PUT /api/job/<id>`
(no body), then the process exits non-zero (contract section 4). Everything printed becomes
the job log.
"""

import argparse
import io
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

RED, RESET = "\x1b[31m", "\x1b[0m"


class HttpFailure(Exception):
    """A call to the backend failed; the job is reported as failed before exiting."""


def boolean(text):
    """Parses an option the way the backend writes booleans (`True`/`False`, Python `str`)."""
    value = str(text).strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected True or False, got {text!r}")


def unlimited(text):
    """An integer option where -1 means "no limit": returns None for -1."""
    value = int(text)
    if value < -1:
        raise argparse.ArgumentTypeError(f"must be -1 (unlimited) or at least 0, got {value}")
    return None if value == -1 else value


def fraction(text):
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return value


def option_parser(prog, description):
    """The contract's fixed options plus the ones every Causeway Python executor accepts."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("-j", "--job_id", type=int, required=True)
    parser.add_argument("-d", "--dataset_id", type=int, required=True)
    parser.add_argument("--api_host", required=True, help="host[:port][/path] of the backend, no scheme")
    parser.add_argument("--send_sepsets", type=int, default=0)
    parser.add_argument("--sampling_factor", type=fraction, default=1.0)
    parser.add_argument("--sampling_method", choices=["random", "top"], default="random")
    parser.add_argument("-v", "--verbose", type=int, choices=[0, 1], default=0)
    return parser


def plain(value):
    """JSON form of the numpy scalars and arrays algorithms hand back."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def redacted(text):
    """`text` (an api host, a URL, an error message) without upload tokens: `/t/<token>` ->
    `/t/***`."""
    return re.sub(r"/t/[^/\s'\"]+", "/t/***", text)


@dataclass
class Dataset:
    """The loaded data: `frame` columns are in download order, `node_ids[i]` is column i's node."""

    frame: pd.DataFrame
    node_ids: list
    dropped_rows: int = 0
    loading_time: float = 0.0

    def sample(self, factor, method, seed):
        """Keeps floor(n * factor) rows: a random subset (in file order) or the first ones."""
        n = len(self.frame)
        if factor >= 1.0 or n == 0:
            return
        keep = int(np.floor(n * factor))
        if method == "top":
            self.frame = self.frame.iloc[:keep]
        else:
            rows = np.sort(np.random.default_rng(seed).choice(n, size=keep, replace=False))
            self.frame = self.frame.iloc[rows]

    def matrix(self, discrete):
        """The data as a float matrix. Discrete: every column as category codes 0..k-1 (what
        causal-learn's chi-square/G-square tests and BDeu score expect). Continuous: numbers as
        they are, booleans as 0/1, text as category codes."""
        columns = []
        for name in self.frame.columns:
            column = self.frame[name]
            if discrete or not (pd.api.types.is_numeric_dtype(column) or column.dtype == bool):
                codes, _ = pd.factorize(column, sort=True)
                columns.append(codes.astype(float))
            else:
                columns.append(column.to_numpy(dtype=float))
        return np.column_stack(columns) if columns else np.empty((len(self.frame), 0))


def parse_dataset(csv_bytes):
    """Parses `loadwithids` CSV: header of node ids, empty fields are NULL. Rows holding a NULL
    are dropped (complete-case analysis, as the tests need it)."""
    frame = pd.read_csv(io.BytesIO(csv_bytes), true_values=["True"], false_values=["False"])
    try:
        node_ids = [int(name) for name in frame.columns]
    except ValueError as err:
        raise ValueError(f"the dataset header must hold node ids: {err}") from err
    complete = frame.dropna()
    dropped = len(frame) - len(complete)
    return Dataset(frame=complete.reset_index(drop=True), node_ids=node_ids, dropped_rows=dropped)


class Api:
    """The backend as an executor sees it, at `http://<api_host>`."""

    def __init__(self, api_host, retries=5, backoff=None):
        self.base = f"http://{api_host.rstrip('/')}"
        if backoff is None:
            backoff = float(os.environ.get("CAUSEWAY_RETRY_BACKOFF", "0.5"))
        self.session = requests.Session()
        # MPCSL's adapter with 5 retries; POST is retried only when the request never went out.
        retry = Retry(total=retries, backoff_factor=backoff, status_forcelist=(500, 502, 503, 504))
        self.session.mount("http://", HTTPAdapter(max_retries=retry))

    def load_dataset(self, dataset_id):
        url = f"{self.base}/api/dataset/{dataset_id}/loadwithids"
        started = time.perf_counter()
        response = self._call("GET", url)
        seconds = time.perf_counter() - started
        print(
            f"loaded dataset {dataset_id} in {seconds:.3f} s ({len(response.content)} bytes, "
            f"X-Content-Length {response.headers.get('X-Content-Length', 'absent')})",
            flush=True,
        )
        dataset = parse_dataset(response.content)
        dataset.loading_time = seconds
        return dataset

    def post_result(self, job_id, body):
        # No Content-Type, as MPCSL's Python executor: the backend parses the body either way.
        data = json.dumps(body, default=plain).encode()
        self._call("POST", f"{self.base}/api/job/{job_id}/result", data=data)
        return len(data)

    def mark_failed(self, job_id):
        return self.session.put(f"{self.base}/api/job/{job_id}", timeout=30).status_code

    def _call(self, method, url, **kwargs):
        try:
            response = self.session.request(method, url, timeout=600, **kwargs)
        except requests.RequestException as err:
            raise HttpFailure(redacted(f"{method} {url} failed: {err}")) from err
        if not response.ok:
            excerpt = response.text[:500]
            raise HttpFailure(f"{method} {redacted(url)} answered {response.status_code}: {excerpt}")
        return response


@dataclass
class Learned:
    """What an algorithm found, in column indices of the data matrix.

    `edges`: directed pairs; an undirected edge is given in both directions (contract section 3).
    `sepsets`: (i, j, [k, ...], p_value) for every removed pair with its separating set.
    `meta`: figures to add to `meta_results` (strings, numbers, lists of strings).
    """

    edges: list
    sepsets: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)


def result_body(options, dataset, learned, execution_time):
    """The body of `POST /api/job/<id>/result`. Weights are 0, as MPCSL's Python executor
    sends; sepsets (only when asked) are one entry per ordered pair with a non-empty set, the
    test's p-value as `statistic`, as the other executors do."""
    ids = dataset.node_ids
    edge_list = [{"from_node": ids[a], "to_node": ids[b], "weight": 0} for a, b in learned.edges]
    sepset_list = []
    if options.send_sepsets:
        for i, j, nodes, p_value in learned.sepsets:
            if not nodes:
                continue
            members = [ids[k] for k in nodes]
            for a, b in ((i, j), (j, i)):
                sepset_list.append(
                    {
                        "from_node": ids[a],
                        "to_node": ids[b],
                        "statistic": float(p_value),
                        "level": len(nodes),
                        "nodes": members,
                    }
                )
    meta = {key: value for key, value in vars(options).items()}
    meta["api_host"] = redacted(options.api_host)
    meta.update(
        n_samples=len(dataset.frame),
        dropped_rows=dataset.dropped_rows,
        n_variables=len(ids),
        n_edges=len(learned.edges),
    )
    meta.update(learned.meta)
    return {
        "job_id": options.job_id,
        "meta_results": meta,
        "edge_list": edge_list,
        "sepset_list": sepset_list,
        "execution_time": execution_time,
        "dataset_loading_time": dataset.loading_time,
    }


def main(parser, learn, argv=None):
    """Runs one job: `learn(options, dataset) -> Learned`. Returns the process exit status."""
    options = parser.parse_args(argv)
    api = Api(options.api_host)
    print(
        f"{parser.prog}: job {options.job_id} dataset {options.dataset_id} via {redacted(options.api_host)}"
    )
    print("options: " + " ".join(f"{k}={v}" for k, v in vars(options).items() if k != "api_host"), flush=True)
    try:
        dataset = api.load_dataset(options.dataset_id)
        if dataset.dropped_rows:
            print(f"dropped {dataset.dropped_rows} rows with NULL values")
        if options.sampling_factor < 1.0:
            seed = time.time_ns() % (2**32)
            before = len(dataset.frame)
            dataset.sample(options.sampling_factor, options.sampling_method, seed)
            print(f"sampled {len(dataset.frame)} of {before} rows ({options.sampling_method}, seed {seed})")
        print(f"data: {len(dataset.frame)} rows x {len(dataset.node_ids)} variables", flush=True)

        started = time.perf_counter()
        learned = learn(options, dataset)
        execution_time = time.perf_counter() - started
        print(f"learned {len(learned.edges)} directed edge entries in {execution_time:.3f} s", flush=True)
        if options.verbose:
            for a, b in learned.edges:
                print(f"  edge {dataset.node_ids[a]} -> {dataset.node_ids[b]}")

        body = result_body(options, dataset, learned, execution_time)
        size = api.post_result(options.job_id, body)
        print(f"uploaded result of job {options.job_id} ({size} bytes)")
        return 0
    except HttpFailure as err:
        print(f"{RED}{parser.prog}: {err}{RESET}", file=sys.stderr, flush=True)
        try:
            status = api.mark_failed(options.job_id)
            print(f"reported job {options.job_id} as failed (PUT answered {status})", file=sys.stderr)
        except requests.RequestException as put_err:
            print(f"could not report job {options.job_id} as failed: {put_err}", file=sys.stderr)
        return 1
