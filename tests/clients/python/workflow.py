"""MPCSL's main workflow through a client openapi-python-client generated from the server's
document, using only the generated functions and models (scripts/client-workflows).

    python workflow.py BASE_URL TOKEN CLIENT_DIR

BASE_URL ends in /api; CLIENT_DIR holds the generated package `causeway_client`.
"""

import csv
import io
import json
import random
import sys
import time
import xml.etree.ElementTree as ET

base_url, token, client_dir = sys.argv[1:4]
sys.path.insert(0, client_dir)

from causeway_client import AuthenticatedClient  # noqa: E402
from causeway_client.api.algorithms import list_algorithms  # noqa: E402
from causeway_client.api.datasets import download_dataset, download_dataset_with_ids, upload_dataset  # noqa: E402
from causeway_client.api.experiments import create_experiment, list_experiments  # noqa: E402
from causeway_client.api.jobs import get_job, start_experiment  # noqa: E402
from causeway_client.api.results import (  # noqa: E402
    compare_result_with_ground_truth,
    export_result,
    get_result,
    list_result_edges,
    upload_ground_truth,
)
from causeway_client.models import (  # noqa: E402
    Comparison,
    ExportResultFormat,
    JobStatus,
    NewExperiment,
    StartOptions,
    UploadDatasetBody,
    UploadGroundTruthBody,
)
from causeway_client.types import File  # noqa: E402

POLL_DEADLINE_S = 90


def ok(response):
    """The parsed body of a 200 answer; anything else fails with what the server said."""
    assert response.status_code == 200, f"{response.status_code}: {response.content[:500]!r}"
    return response.parsed


def chain_csv(rows=400, seed=7):
    """Binary samples of a → b → c (each copies its parent with probability 0.9)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["a", "b", "c"])
    for _ in range(rows):
        a = rng.randint(0, 1)
        b = a if rng.random() < 0.9 else 1 - a
        c = b if rng.random() < 0.9 else 1 - b
        writer.writerow([a, b, c])
    return out.getvalue()


client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)
with client:
    algorithms = ok(list_algorithms.sync_detailed(client=client))
    native_pc = next(a for a in algorithms if a.package == "causeway" and a.function == "pc")
    # Every experiment of the seeded catalogue parses, including ones that never ran.
    ok(list_experiments.sync_detailed(client=client))

    data = chain_csv()
    dataset = ok(
        upload_dataset.sync_detailed(
            client=client,
            body=UploadDatasetBody(
                file=File(payload=io.BytesIO(data.encode()), file_name="chain.csv", mime_type="text/csv"),
                name="client workflow (python)",
            ),
        )
    )
    experiment = ok(
        create_experiment.sync_detailed(
            client=client,
            body=NewExperiment(
                name="client workflow (python)",
                dataset_id=dataset.id,
                algorithm_id=native_pc.id,
                parameters={"alpha": 0.05, "independence_test": "disCI", "cores": 1},
            ),
        )
    )
    assert experiment.last_job is None, experiment.last_job

    job = ok(start_experiment.sync_detailed(experiment.id, client=client, body=StartOptions()))
    seen = {job.status}
    deadline = time.monotonic() + POLL_DEADLINE_S
    while job.status in (JobStatus.WAITING, JobStatus.RUNNING):
        assert time.monotonic() < deadline, f"job {job.id} still {job.status} after {POLL_DEADLINE_S} s"
        time.sleep(0.2)  # polling is the workflow under test: clients watch a job this way
        job = ok(get_job.sync_detailed(job.id, client=client))
        seen.add(job.status)
    assert job.status == JobStatus.DONE, f"job ended {job.status}: {job.log}"
    result_id = job.result.id

    result = ok(get_result.sync_detailed(result_id, client=client))
    names = {node.id: node.name for node in result.nodes}
    assert sorted(names.values()) == ["a", "b", "c"], names
    edges = ok(list_result_edges.sync_detailed(result_id, client=client))
    learned = {(names[e.from_node_id], names[e.to_node_id]) for e in edges}
    assert learned, "the chain has edges"
    assert not ({("a", "c"), ("c", "a")} & learned), f"a and c are independent given b: {learned}"

    assert ok(compare_result_with_ground_truth.sync_detailed(result_id, client=client)) is None
    gml = 'graph [\n  directed 1\n  node [ id 0 label "a" ]\n  node [ id 1 label "b" ]\n  node [ id 2 label "c" ]\n' \
        "  edge [ source 0 target 1 ]\n  edge [ source 1 target 2 ]\n]\n"
    ok(
        upload_ground_truth.sync_detailed(
            dataset.id,
            client=client,
            body=UploadGroundTruthBody(graph_file=File(payload=io.BytesIO(gml.encode()), file_name="truth.gml")),
        )
    )
    comparison = ok(compare_result_with_ground_truth.sync_detailed(result_id, client=client))
    assert isinstance(comparison, Comparison), comparison
    assert comparison.skeleton is not None

    for fmt in ExportResultFormat:
        text = ok(export_result.sync_detailed(result_id, client=client, format_=fmt))
        assert isinstance(text, str), type(text)
        if fmt in (ExportResultFormat.GEXF, ExportResultFormat.GRAPHML):
            root = ET.fromstring(text.encode())
            assert root.tag.endswith("gexf" if fmt == ExportResultFormat.GEXF else "graphml"), root.tag
        elif fmt == ExportResultFormat.GML:
            assert text.lstrip().startswith("graph [") and text.count("edge [") == len(learned), text
        else:
            assert len(json.loads(text)["links"]) == len(learned), text
    default = ok(export_result.sync_detailed(result_id, client=client))
    assert ET.fromstring(default.encode()).tag.endswith("gexf")

    csv_text = ok(download_dataset.sync_detailed(dataset.id, client=client))
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == ["a", "b", "c"] and len(rows) == 401, rows[:2]
    with_ids = ok(download_dataset_with_ids.sync_detailed(dataset.id, client=client))
    header = next(csv.reader(io.StringIO(with_ids)))
    assert sorted(int(i) for i in header) == sorted(names), header

print(f"python client workflow: ok (job states {sorted(s.value for s in seen)}, {len(learned)} edges)")
