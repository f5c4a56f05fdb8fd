"""MPCSL's executor helper code path (its `mpci_utils` download and upload functions), written
from shared/spec/executor-contract.md sections 2-4 to check that unmodified MPCSL executors
work against Causeway. What MPCSL's helpers rely on is kept as they rely on it: the download
header `X-Content-Length` is read by indexing (a missing header is a KeyError, which kills the
executor), the CSV is parsed with pandas, and the result goes out as a JSON string without a
Content-Type. Any failed call is reported with `PUT /api/job/<id>` before exiting non-zero.

Run as an executor: `python mpcsl_helpers.py -j <job> -d <dataset> --api_host <host:port>
--send_sepsets 0`. It "learns" a chain over the dataset's columns in header order.
"""

import argparse
import io
import json
import sys
import time

import pandas as pd
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


def session():
    """The HTTP adapter with 5 retries the contract describes."""
    http = requests.Session()
    http.mount("http://", HTTPAdapter(max_retries=Retry(total=5, backoff_factor=0.1)))
    return http


def report_failure(api_host, job_id):
    requests.put(f"http://{api_host}/api/job/{job_id}", timeout=30)


def get_dataset(api_host, dataset_id, job_id):
    """Downloads the dataset with node ids as header; returns (frame, loading time in s)."""
    started = time.time()
    response = session().get(f"http://{api_host}/api/dataset/{dataset_id}/loadwithids", timeout=600)
    if response.status_code != 200:
        report_failure(api_host, job_id)
        sys.exit(f"loading dataset {dataset_id} failed: {response.status_code}")
    print(f"X-Content-Length {response.headers['X-Content-Length']}", flush=True)
    frame = pd.read_csv(io.StringIO(response.text))
    return frame, time.time() - started


def store_graph_result(api_host, job_id, edges, sepsets, execution_time, loading_time, meta):
    """Uploads the learned graph; edges are (from node id, to node id, weight)."""
    body = {
        "job_id": job_id,
        "meta_results": meta,
        "edge_list": [{"from_node": f, "to_node": t, "weight": w} for f, t, w in edges],
        "sepset_list": sepsets,
        "node_list": [],
        "execution_time": execution_time,
        "dataset_loading_time": loading_time,
    }
    response = session().post(f"http://{api_host}/api/job/{job_id}/result", data=json.dumps(body), timeout=600)
    if response.status_code != 200:
        report_failure(api_host, job_id)
        sys.exit(f"uploading the result of job {job_id} failed: {response.status_code} {response.text}")
    print(f"stored result {response.json()['id']}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-j", "--job_id", type=int, required=True)
    parser.add_argument("-d", "--dataset_id", type=int, required=True)
    parser.add_argument("--api_host", required=True)
    parser.add_argument("--send_sepsets", type=int, default=0)
    args = parser.parse_args()
    frame, loading_time = get_dataset(args.api_host, args.dataset_id, args.job_id)
    started = time.time()
    nodes = [int(column) for column in frame.columns]
    edges = [(a, b, 0.0) for a, b in zip(nodes, nodes[1:])]
    print(f"{len(frame)} rows, {len(nodes)} columns", flush=True)
    store_graph_result(
        args.api_host, args.job_id, edges, [], time.time() - started, loading_time, {"rows": len(frame)}
    )


if __name__ == "__main__":
    main()
