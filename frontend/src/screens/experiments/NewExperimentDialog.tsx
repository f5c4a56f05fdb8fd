import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/errors';
import { useCreateExperiment } from '../../api/mutations';
import { useAlgorithms, useDatasets, useLauncher } from '../../api/queries';
import type { Experiment } from '../../api/types';
import { Field } from '../../components/Field';
import { Modal, SubmitFooter } from '../../components/Modal';
import { useToast } from '../../components/toast';
import { ErrorNote, Loading } from '../../components/ui';
import { ParameterFields } from '../../params/ParameterFields';
import { parseValidParameters } from '../../params/schema';
import { useParameterForm } from '../../params/useParameterForm';
import { cannotRunBadge, cannotRunHere, groupByPackage, runsWhere } from './algorithms';
import { RunsHereBadge } from './RunsHere';

interface Props {
  /** fixed dataset (from a dataset's page); otherwise the user picks one */
  datasetId?: number;
  /** pre-fill from this experiment */
  duplicateOf?: Experiment;
  onClose: () => void;
}

const BODY_FIELDS = ['name', 'description', 'dataset_id', 'algorithm_id'];

/** Create an experiment: an algorithm with parameters (a form generated from its schema). */
export function NewExperimentDialog({ datasetId, duplicateOf, onClose }: Props) {
  const algorithms = useAlgorithms();
  const datasets = useDatasets();
  const launcher = useLauncher();
  const create = useCreateExperiment();
  const toast = useToast();
  const navigate = useNavigate();

  const [name, setName] = useState(duplicateOf ? `${duplicateOf.name ?? 'experiment'} copy` : '');
  const [description, setDescription] = useState(duplicateOf?.description ?? '');
  const [dataset, setDataset] = useState<number | ''>(datasetId ?? duplicateOf?.dataset_id ?? '');
  const [algorithmId, setAlgorithmId] = useState<number | ''>(duplicateOf?.algorithm_id ?? '');
  const [bodyErrors, setBodyErrors] = useState<Record<string, string[]>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [submitted, setSubmitted] = useState(false);

  const list = algorithms.data ?? [];
  const chosenId: number | '' = algorithmId === '' ? (list.length ? list[0].id : '') : algorithmId;
  const algorithm = list.find((a) => a.id === chosenId);
  const fields = useMemo(() => parseValidParameters(algorithm?.valid_parameters), [algorithm]);
  const form = useParameterForm(fields, duplicateOf?.parameters as Record<string, unknown> | undefined);
  const [formFor, setFormFor] = useState<number | ''>(chosenId);
  if (formFor !== chosenId) {
    // Another algorithm (or the list arrived): start its form from its defaults.
    setFormFor(chosenId);
    form.reset(fields, duplicateOf && duplicateOf.algorithm_id === chosenId ? (duplicateOf.parameters as Record<string, unknown>) : undefined);
  }

  const localErrors: Record<string, string[]> = {};
  if (submitted && !name.trim()) localErrors.name = ['A name is required.'];
  if (submitted && dataset === '') localErrors.dataset_id = ['Choose a dataset.'];
  const errors = { ...bodyErrors, ...localErrors };

  const submit = async () => {
    setSubmitted(true);
    setFailure(null);
    const paramsOk = form.check();
    if (!name.trim() || dataset === '' || chosenId === '' || !paramsOk) return;
    try {
      const exp = await create.mutateAsync({
        name: name.trim(),
        description: description.trim(),
        dataset_id: dataset,
        algorithm_id: chosenId,
        parameters: form.parameters(),
      });
      toast({ kind: 'success', title: `Experiment “${exp.name}” created` });
      onClose();
      navigate(`/experiments/${exp.id}`);
    } catch (err) {
      if (err instanceof ApiError && err.hasFields) {
        const body: Record<string, string[]> = {};
        const params: Record<string, string[]> = {};
        const other: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(err.fields)) {
          if (BODY_FIELDS.includes(k)) body[k] = v;
          else if (fields.some((f) => f.name === k)) params[k] = v;
          else other[k] = v;
        }
        setBodyErrors(body);
        form.setServerErrors(params);
        if (Object.keys(other).length) setFailure(new ApiError(err.status, err.message, other));
      } else setFailure(err);
    }
  };

  return (
    <Modal
      title={duplicateOf ? 'Duplicate experiment' : 'New experiment'}
      wide
      onClose={onClose}
      onSubmit={submit}
      footer={
        <SubmitFooter
          onCancel={onClose}
          label="Create experiment"
          busyLabel="Creating…"
          busy={create.isPending}
          disabled={!algorithm}
        />
      }
    >
      <div className="grid-2">
        <Field label="Name" htmlFor="exp-name" required errors={errors.name}>
          <input id="exp-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Dataset" htmlFor="exp-dataset" required errors={errors.dataset_id}>
          <select
            id="exp-dataset"
            value={dataset}
            disabled={datasetId !== undefined}
            onChange={(e) => setDataset(e.target.value === '' ? '' : Number(e.target.value))}
          >
            <option value="">Choose…</option>
            {(datasets.data ?? []).map((d) => (
              <option key={d.id} value={d.id}>
                {d.name ?? `#${d.id}`}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <Field label="Description" htmlFor="exp-description" errors={errors.description}>
        <input id="exp-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      {algorithms.isPending ? (
        <Loading>Loading the algorithms…</Loading>
      ) : algorithms.isError ? (
        <ErrorNote error={algorithms.error} onRetry={() => algorithms.refetch()} />
      ) : (
        <>
          <Field
            label="Algorithm"
            htmlFor="exp-algorithm"
            required
            errors={errors.algorithm_id}
            hint={algorithm && [runsWhere(algorithm), algorithm.needs_gpu && 'needs a GPU'].filter(Boolean).join('; ')}
          >
            <select id="exp-algorithm" value={chosenId} onChange={(e) => setAlgorithmId(Number(e.target.value))}>
              {groupByPackage(list).map(([pkg, algs]) => (
                <optgroup key={pkg} label={pkg}>
                  {algs.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.package} · {a.function}
                      {launcher.data && cannotRunHere(a, launcher.data) ? ` (${cannotRunBadge(launcher.data)})` : ''}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
            <RunsHereBadge algorithm={algorithm} />
            {algorithm?.description && <div className="faint">{algorithm.description}</div>}
          </Field>
          <fieldset>
            <legend>Parameters</legend>
            <ParameterFields key={String(chosenId)} fields={fields} form={form} />
          </fieldset>
        </>
      )}
      {failure != null && <ErrorNote error={failure} />}
    </Modal>
  );
}
