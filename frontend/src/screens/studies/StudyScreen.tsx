import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, apiUrl, unwrap } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { keys } from '../../api/keys';
import { useDeleteStudy, useStartStudy } from '../../api/mutations';
import { useAlgorithms, useBenchmark, useDatasets, useStudy } from '../../api/queries';
import type { Study } from '../../api/types';
import { useAccess } from '../../auth/access';
import { useConfirm } from '../../components/confirm';
import { DownloadLink } from '../../components/DownloadLink';
import { useToast } from '../../components/toast';
import { Empty, ErrorNote, Fact, Loading, PageHead } from '../../components/ui';
import { plural } from '../../util/format';
import { RunsHereBadge, useRunGate } from '../experiments/RunsHere';
import { latestResultId, type ChartPoint } from './benchmark';
import { BenchmarkView } from './BenchmarkView';
import { ProgressBar, StudyStateBadge } from './ProgressBar';

/** One study: live progress, Start, Delete, CSV, and its benchmark (charts and table). */
export function StudyScreen() {
  const id = Number(useParams().studyId);
  const study = useStudy(id);
  const benchmark = useBenchmark(id);
  const datasets = useDatasets();
  const algorithms = useAlgorithms();
  const start = useStartStudy();
  const remove = useDeleteStudy();
  const confirm = useConfirm();
  const toast = useToast();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { gate } = useAccess();
  const [opening, setOpening] = useState(false);

  const used = (study.data?.algorithms ?? []).map((a) => (algorithms.data ?? []).find((x) => x.id === a.algorithm_id));
  const runGate = useRunGate(...used);

  if (study.isPending) return <Loading />;
  if (study.isError) return <ErrorNote title={`Could not load study #${id}.`} error={study.error} onRetry={() => study.refetch()} />;
  const s: Study = study.data;
  const names = new Map((datasets.data ?? []).map((d) => [d.id, d.name ?? `#${d.id}`]));
  const studyNames = new Map(s.dataset_ids.map((d) => [d, names.get(d) ?? `#${d}`]));
  const busy = s.progress.waiting + s.progress.running > 0;

  const onStart = async () => {
    try {
      const started = await start.mutateAsync(id);
      toast({ kind: 'success', title: `${plural(started.jobs.length, 'job')} queued`, text: s.name });
    } catch (err) {
      toast({ kind: 'error', title: 'Could not start the study', text: errorMessage(err) });
    }
  };

  const onDelete = async () => {
    const ok = await confirm({
      title: 'Delete study?',
      text: (
        <p>
          “{s.name}” is deleted with its {plural(s.experiment_count, 'experiment')}, their jobs and results.
        </p>
      ),
      confirmLabel: 'Delete study',
      danger: true,
    });
    if (!ok) return;
    try {
      await remove.mutateAsync(id);
      toast({ kind: 'success', title: `Study “${s.name}” deleted` });
      navigate('/studies');
    } catch (err) {
      toast({ kind: 'error', title: 'Could not delete the study', text: errorMessage(err) });
    }
  };

  // A point opens its experiment's latest result (the experiment's page when it has none).
  const onOpen = async (p: ChartPoint) => {
    if (opening) return;
    setOpening(true);
    try {
      const experimentId = p.row.experiment_id;
      const jobs = await qc.fetchQuery({
        queryKey: keys.experimentJobs(experimentId),
        queryFn: () => unwrap(api.GET('/experiment/{experiment_id}/jobs', { params: { path: { experiment_id: experimentId } } })),
      });
      const result = latestResultId(jobs);
      navigate(result !== null ? `/results/${result}` : `/experiments/${experimentId}`);
    } catch (err) {
      toast({ kind: 'error', title: 'Could not open the result', text: errorMessage(err) });
    } finally {
      setOpening(false);
    }
  };

  return (
    <>
      <PageHead
        crumbs={[{ label: 'Studies', to: '/studies' }]}
        title={
          <span className="row">
            {s.name} <StudyStateBadge state={s.state} />
          </span>
        }
        subtitle={s.description || undefined}
        actions={
          <>
            <button
              className="primary"
              {...(busy ? { disabled: true, title: 'Its jobs are still waiting or running.' } : runGate)}
              disabled={busy || runGate.disabled || start.isPending}
              onClick={onStart}
            >
              {start.isPending ? 'Starting…' : s.state === 'new' ? 'Start' : 'Start again'}
            </button>
            <DownloadLink className="button" href={apiUrl('/study/{study_id}/benchmark.csv', { study_id: id })} filename={`study-${id}-benchmark.csv`}>
              Download CSV
            </DownloadLink>
            <button className="danger" {...gate('editor')} onClick={onDelete}>
              Delete
            </button>
          </>
        }
      />
      <div className="card">
        <div className="card-body study-head">
          <ProgressBar progress={s.progress} />
          <div className="facts">
            <Fact label="Datasets" value={[...studyNames.entries()].map(([d, n], i) => (
              <span key={d}>
                {i > 0 && ', '}
                <Link to={`/datasets/${d}`}>{n}</Link>
              </span>
            ))} />
            <Fact label="Experiments" value={s.experiment_count} />
            <Fact label="Jobs" value={s.progress.total} />
          </div>
          <div className="row">
            {s.algorithms.map((a, i) => {
              const alg = used[i];
              return (
                <span key={i} className="row" style={{ gap: '0.3rem' }}>
                  <span className="badge">
                    {alg ? `${alg.package} · ${alg.function}` : `algorithm #${a.algorithm_id}`}
                    {(a.runs ?? 1) > 1 && ` × ${a.runs} runs`}
                  </span>
                  <RunsHereBadge algorithm={alg} />
                </span>
              );
            })}
          </div>
        </div>
      </div>
      <section className="section">
        <div className="section-head">
          <h2>Benchmark</h2>
        </div>
        {benchmark.isPending ? (
          <Loading>Loading the benchmark…</Loading>
        ) : benchmark.isError ? (
          <ErrorNote error={benchmark.error} onRetry={() => benchmark.refetch()} />
        ) : benchmark.data.rows.every((r) => r.results === 0) ? (
          <Empty title="No results yet">
            {s.state === 'new' ? 'Start the study: its charts fill in as its jobs end.' : 'The charts fill in as the jobs end.'}
          </Empty>
        ) : (
          <BenchmarkView benchmark={benchmark.data} datasetNames={studyNames} onOpen={onOpen} />
        )}
      </section>
    </>
  );
}

export default StudyScreen;
