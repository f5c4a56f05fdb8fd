import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, errorMessage } from '../../api/errors';
import { useStartGeneration } from '../../api/mutations';
import { useGenerationJobs, useK8sNodes } from '../../api/queries';
import { useAccess } from '../../auth/access';
import { Field } from '../../components/Field';
import { useToast } from '../../components/toast';
import { Empty, ErrorNote, Loading, PageHead, StatusBadge } from '../../components/ui';
import { errorCodeText, isActive, logExcerpt } from '../../jobs/status';
import { ParameterFields } from '../../params/ParameterFields';
import { useParameterForm } from '../../params/useParameterForm';
import { formatDateTime, formatSeconds, secondsBetween } from '../../util/format';
import {
  BUILTIN_GENERATOR,
  crossFieldErrors,
  DATASET_NAME,
  generatorFields,
  MODEL_LABEL,
  type Density,
  type Model,
} from './generator';

/** Generate a synthetic dataset (with its ground truth) and follow the generation jobs. */
export function GenerateScreen() {
  return (
    <>
      <PageHead
        title="Generate a dataset"
        subtitle="Draw a random causal graph and sample observations from it; the graph becomes the dataset's ground truth."
      />
      <div className="compare-grid generate-grid">
        <GeneratorForm />
        <GenerationJobs />
      </div>
    </>
  );
}

function Segmented<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: [T, string][]; onChange: (v: T) => void }) {
  return (
    <div className="field">
      <span className="label">{label}</span>
      <div className="segmented" role="radiogroup" aria-label={label}>
        {options.map(([v, text]) => (
          <button key={v} type="button" role="radio" aria-checked={value === v} className={value === v ? 'on' : ''} onClick={() => onChange(v)}>
            {text}
          </button>
        ))}
      </div>
    </div>
  );
}

function GeneratorForm() {
  const [density, setDensity] = useState<Density>('edge_probability');
  const [model, setModel] = useState<Model>('gaussian');
  const fields = useMemo(() => generatorFields(density, model), [density, model]);
  const form = useParameterForm(fields);
  const [name, setName] = useState('');
  const [node, setNode] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<unknown>(null);
  const nodes = useK8sNodes();
  const start = useStartGeneration();
  const { gate } = useAccess();
  const toast = useToast();

  const nameError = submitted && !DATASET_NAME.test(name) ? ['Lower-case letters and digits, starting with a letter.'] : undefined;
  const cross = crossFieldErrors(form.values);
  const errors = { ...(submitted ? cross : {}), ...form.errors };

  /** Another density or model: its fields, keeping the values the two share. */
  const switchTo = (d: Density, m: Model) => {
    setDensity(d);
    setModel(m);
    form.reset(generatorFields(d, m), form.parameters());
  };

  const submit = async () => {
    setSubmitted(true);
    setServerError(null);
    const ok = form.check();
    if (!ok || !DATASET_NAME.test(name) || Object.keys(crossFieldErrors(form.values)).length) return;
    try {
      const job = await start.mutateAsync({
        datasetName: name,
        generator_type: BUILTIN_GENERATOR,
        parameters: { ...form.parameters(), model },
        kubernetesNode: node || undefined,
      });
      toast({ kind: 'success', title: `Generating “${name}”`, text: `Job #${job.id}; the dataset appears when it is done.` });
      setName('');
      setSubmitted(false);
    } catch (err) {
      if (err instanceof ApiError && err.hasFields) form.setServerErrors(err.fields);
      setServerError(err);
      toast({ kind: 'error', title: 'Could not start the generator', text: errorMessage(err) });
    }
  };

  return (
    <form
      className="card card-body"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 style={{ marginBottom: '0.75rem' }}>Built-in generator</h2>
      <div className="grid-2">
        <Field label="Dataset name" htmlFor="gen-name" required errors={nameError} hint="a–z, 0–9">
          <input id="gen-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="synthetic1" autoComplete="off" />
        </Field>
        <Field label="Machine" htmlFor="gen-node">
          <select id="gen-node" value={node} onChange={(e) => setNode(e.target.value)}>
            <option value="">Default (any machine)</option>
            {(nodes.data ?? []).map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </Field>
      </div>
      <div>
        <Segmented<Model>
          label="Model"
          value={model}
          options={[
            ['gaussian', MODEL_LABEL.gaussian],
            ['discrete', MODEL_LABEL.discrete],
          ]}
          onChange={(m) => switchTo(density, m)}
        />
        <Segmented<Density>
          label="Graph density as"
          value={density}
          options={[
            ['edge_probability', 'Edge probability'],
            ['expected_degree', 'Expected degree'],
          ]}
          onChange={(d) => switchTo(d, model)}
        />
      </div>
      <ParameterFields fields={fields} form={{ ...form, errors }} idPrefix="gen" />
      <p className="faint" style={{ marginBottom: '0.75rem' }}>
        {model === 'gaussian'
          ? 'Each variable is a weighted sum of its parents plus Gaussian noise.'
          : 'Each variable takes one of its states with probabilities drawn per parent configuration.'}{' '}
        The same seed gives the same dataset.
      </p>
      {serverError != null && !(serverError instanceof ApiError && serverError.hasFields) && <ErrorNote error={serverError} />}
      <div className="row">
        <button type="submit" className="primary" {...gate('editor', { disabled: start.isPending })}>
          {start.isPending ? 'Starting…' : 'Generate'}
        </button>
      </div>
    </form>
  );
}

/** The generation jobs, live; a finished one links to its dataset. */
function GenerationJobs() {
  const jobs = useGenerationJobs();
  return (
    <section className="card card-body">
      <h2 style={{ marginBottom: '0.75rem' }}>Generation jobs</h2>
      {jobs.isPending ? (
        <Loading />
      ) : jobs.isError ? (
        <ErrorNote error={jobs.error} onRetry={() => jobs.refetch()} />
      ) : jobs.data.length === 0 ? (
        <Empty title="No generation jobs yet">Generated datasets and their progress show up here.</Empty>
      ) : (
        <div className="table-wrap" style={{ boxShadow: 'none' }}>
          <table data-testid="generation-jobs">
            <thead>
              <tr>
                <th>Job</th>
                <th>Dataset</th>
                <th>Status</th>
                <th className="num hide-sm">Time</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {jobs.data.map((job) => {
                const failure = job.status === 'error' ? errorCodeText(job.error_code) ?? logExcerpt(job.log) : null;
                return (
                  <tr key={job.id} data-job-id={job.id} data-status={job.status}>
                    <td>#{job.id}</td>
                    <td>
                      {job.dataset_id ? (
                        <Link to={`/datasets/${job.dataset_id}`}>{job.datasetName ?? `#${job.dataset_id}`}</Link>
                      ) : (
                        job.datasetName ?? '—'
                      )}
                      <div className="sub">
                        {job.generator_type} · {formatDateTime(job.start_time)}
                      </div>
                      {failure && <div className="sub" style={{ color: 'var(--danger)' }}>{failure}</div>}
                    </td>
                    <td>
                      <StatusBadge status={job.status} />
                    </td>
                    <td className="num hide-sm">
                      {isActive(job.status) ? '…' : formatSeconds(secondsBetween(job.start_time, job.end_time))}
                    </td>
                    <td className="actions">
                      <Link className="button small" to={`/jobs/${job.id}`}>
                        Log
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
