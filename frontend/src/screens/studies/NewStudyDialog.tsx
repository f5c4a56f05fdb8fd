import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useCreateStudy } from '../../api/mutations';
import { useAlgorithms, useDatasets, useLauncher } from '../../api/queries';
import type { Algorithm } from '../../api/types';
import { Field } from '../../components/Field';
import { Modal, SubmitFooter } from '../../components/Modal';
import { useToast } from '../../components/toast';
import { ErrorNote, Loading } from '../../components/ui';
import { describeField, parseValidParameters, type ParamField } from '../../params/schema';
import { plural } from '../../util/format';
import { cannotRunBadge, cannotRunHere, groupByPackage, runsWhere } from '../experiments/algorithms';
import { RunsHereBadge } from '../experiments/RunsHere';
import {
  choices,
  describeValues,
  initialGrid,
  isNumeric,
  preview,
  readAlgorithmGrid,
  readGrid,
  type GridMode,
  type ParamGrid,
} from './grid';

interface AlgorithmEntry {
  uid: number;
  algorithmId: number | '';
  runs: string;
  grids: Record<string, ParamGrid>;
}

const fieldsOf = (a: Algorithm | undefined) => parseValidParameters(a?.valid_parameters);
const gridsFor = (fields: ParamField[]) => Object.fromEntries(fields.map((f) => [f.name, initialGrid(f)]));
const runsOk = (runs: string) => /^\d+$/.test(runs.trim()) && Number(runs) >= 1 && Number(runs) <= 100;

let nextUid = 1;

/** Create a study: datasets, and algorithms each with a parameter grid and a number of runs. */
export function NewStudyDialog({ onClose, datasetId }: { onClose: () => void; datasetId?: number }) {
  const algorithms = useAlgorithms();
  const datasets = useDatasets();
  const launcher = useLauncher();
  const create = useCreateStudy();
  const toast = useToast();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [chosen, setChosen] = useState<number[]>(datasetId !== undefined ? [datasetId] : []);
  const [entries, setEntries] = useState<AlgorithmEntry[]>([{ uid: nextUid++, algorithmId: '', runs: '1', grids: {} }]);
  const [submitted, setSubmitted] = useState(false);

  const list = useMemo(() => algorithms.data ?? [], [algorithms.data]);
  // An entry without a choice takes the first algorithm that runs here.
  const firstRunnable = list.find((a) => !cannotRunHere(a, launcher.data)) ?? list[0];
  const resolved = entries.map((e) => {
    const algorithm = list.find((a) => a.id === (e.algorithmId === '' ? firstRunnable?.id : e.algorithmId));
    const fields = fieldsOf(algorithm);
    const grids = { ...gridsFor(fields), ...e.grids };
    const grid = readAlgorithmGrid(fields, grids);
    return { entry: e, algorithm, fields, grids, grid, runsValid: runsOk(e.runs) };
  });
  const counts = preview(
    chosen.length,
    resolved.map((r) => ({ points: r.grid.points, runs: r.runsValid ? Number(r.entry.runs) : 0 })),
  );

  const update = (uid: number, change: (e: AlgorithmEntry) => AlgorithmEntry) =>
    setEntries((all) => all.map((e) => (e.uid === uid ? change(e) : e)));

  const nameError = submitted && !name.trim() ? ['A name is required.'] : name.length > 200 ? ['At most 200 characters.'] : undefined;
  const datasetError = submitted && chosen.length === 0 ? ['Choose at least one dataset.'] : chosen.length > 20 ? ['At most 20 datasets.'] : undefined;
  const valid =
    name.trim() !== '' &&
    name.length <= 200 &&
    chosen.length >= 1 &&
    chosen.length <= 20 &&
    resolved.every((r) => r.algorithm && r.runsValid && r.grid.points > 0);

  const submit = async () => {
    setSubmitted(true);
    if (!valid) return;
    try {
      const study = await create.mutateAsync({
        name: name.trim(),
        description: description.trim() || null,
        dataset_ids: chosen,
        algorithms: resolved.map((r) => ({
          algorithm_id: r.algorithm!.id,
          parameters: r.grid.parameters,
          runs: Number(r.entry.runs),
        })),
      });
      toast({ kind: 'success', title: `Study “${study.name}” created`, text: plural(study.experiment_count, 'experiment') });
      onClose();
      navigate(`/studies/${study.id}`);
    } catch {
      /* shown below */
    }
  };

  return (
    <Modal
      title="New study"
      wide
      onClose={onClose}
      onSubmit={submit}
      footer={
        <>
          <span className="grow study-preview" data-testid="study-preview" aria-live="polite">
            {plural(counts.experiments, 'experiment')}, {plural(counts.jobs, 'job')}
            {counts.overLimit && <span className="error"> — too many: {counts.overLimit}</span>}
          </span>
          <SubmitFooter onCancel={onClose} label="Create study" busyLabel="Creating…" busy={create.isPending} disabled={!list.length} />
        </>
      }
    >
      <div className="grid-2">
        <Field label="Name" htmlFor="study-name" required errors={nameError}>
          <input id="study-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
        </Field>
        <Field label="Description" htmlFor="study-description">
          <input id="study-description" value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
      </div>
      <fieldset className={`field ${datasetError ? 'invalid' : ''}`}>
        <legend>
          Datasets<span className="req" aria-hidden>*</span>
        </legend>
        <div className="check-list" data-testid="study-datasets">
          {(datasets.data ?? []).map((d) => (
            <label key={d.id} className="inline">
              <input
                type="checkbox"
                id={`study-dataset-${d.id}`}
                checked={chosen.includes(d.id)}
                onChange={(e) => setChosen((c) => (e.target.checked ? [...c, d.id] : c.filter((x) => x !== d.id)))}
              />
              <span>{d.name ?? `#${d.id}`}</span>
            </label>
          ))}
        </div>
        {datasetError?.map((m) => (
          <div key={m} className="error" role="alert">
            {m}
          </div>
        ))}
      </fieldset>
      {algorithms.isPending ? (
        <Loading>Loading the algorithms…</Loading>
      ) : algorithms.isError ? (
        <ErrorNote error={algorithms.error} onRetry={() => algorithms.refetch()} />
      ) : (
        resolved.map((r, i) => (
          <fieldset key={r.entry.uid} className="study-algorithm" data-testid={`study-algorithm-${i}`}>
            <legend>Algorithm {i + 1}</legend>
            <div className="grid-2">
              <Field
                label="Algorithm"
                htmlFor={`study-alg-${i}`}
                required
                hint={r.algorithm && runsWhere(r.algorithm)}
              >
                <select
                  id={`study-alg-${i}`}
                  value={r.algorithm?.id ?? ''}
                  onChange={(e) => update(r.entry.uid, (x) => ({ ...x, algorithmId: Number(e.target.value), grids: {} }))}
                >
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
                <RunsHereBadge algorithm={r.algorithm} />
              </Field>
              <Field
                label="Runs per experiment"
                htmlFor={`study-runs-${i}`}
                required
                errors={r.runsValid ? undefined : ['Between 1 and 100 runs.']}
              >
                <input
                  id={`study-runs-${i}`}
                  type="number"
                  min={1}
                  max={100}
                  value={r.entry.runs}
                  onChange={(e) => update(r.entry.uid, (x) => ({ ...x, runs: e.target.value }))}
                />
              </Field>
            </div>
            {r.fields.length === 0 ? (
              <p className="faint">This algorithm takes no parameters.</p>
            ) : (
              <table className="grid-table">
                <tbody>
                  {r.fields.map((f) => (
                    <GridRow
                      key={f.name}
                      id={`grid-${i}-${f.name}`}
                      field={f}
                      grid={r.grids[f.name]}
                      onChange={(g) => update(r.entry.uid, (x) => ({ ...x, grids: { ...r.grids, ...x.grids, [f.name]: g } }))}
                    />
                  ))}
                </tbody>
              </table>
            )}
            <div className="row">
              <span className="faint" data-testid={`study-points-${i}`}>
                {r.grid.points
                  ? `${plural(r.grid.points, 'grid point')} × ${plural(chosen.length, 'dataset')}`
                  : 'Fix the grid to count its points.'}
              </span>
              {entries.length > 1 && (
                <button type="button" className="small ghost danger" onClick={() => setEntries((all) => all.filter((e) => e.uid !== r.entry.uid))}>
                  Remove algorithm
                </button>
              )}
            </div>
          </fieldset>
        ))
      )}
      {entries.length < 20 && (
        <button
          type="button"
          className="small"
          onClick={() => setEntries((all) => [...all, { uid: nextUid++, algorithmId: '', runs: '1', grids: {} }])}
        >
          Add algorithm
        </button>
      )}
      {create.isError && <ErrorNote title="The study was not created." error={create.error} />}
    </Modal>
  );
}

const MODES: [GridMode, string][] = [
  ['default', 'default'],
  ['fixed', 'value'],
  ['list', 'list'],
  ['range', 'range'],
];

/** One parameter's grid: left out (its default), a value, a list, or a range with a scale and steps. */
function GridRow({ id, field, grid, onChange }: { id: string; field: ParamField; grid: ParamGrid; onChange: (g: ParamGrid) => void }) {
  const outcome = readGrid(field, grid);
  const options = choices(field);
  const set = (change: Partial<ParamGrid>) => onChange({ ...grid, ...change });
  const modes = MODES.filter(([m]) => (m !== 'range' || isNumeric(field)) && (m !== 'default' || !field.required));
  return (
    <tr className={outcome.errors.length ? 'invalid' : ''}>
      <th scope="row">
        <label htmlFor={`${id}-mode`}>
          <code>{field.name}</code>
          {field.required && <span className="req" aria-hidden>*</span>}
        </label>
        <div className="faint">{describeField(field)}</div>
      </th>
      <td>
        <select id={`${id}-mode`} value={grid.mode} onChange={(e) => set({ mode: e.target.value as GridMode })} aria-label={`${field.name}: grid`}>
          {modes.map(([m, label]) => (
            <option key={m} value={m}>
              {label}
            </option>
          ))}
        </select>
      </td>
      <td>
        <div className="grid-values">
        {grid.mode === 'fixed' &&
          (options ? (
            <select id={`${id}-fixed`} aria-label={`${field.name}: value`} value={grid.fixed} onChange={(e) => set({ fixed: e.target.value })}>
              <option value="">Choose…</option>
              {options.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
          ) : (
            <input id={`${id}-fixed`} aria-label={`${field.name}: value`} value={grid.fixed} onChange={(e) => set({ fixed: e.target.value })} />
          ))}
        {grid.mode === 'list' &&
          (options ? (
            <span className="row">
              {options.map((o) => (
                <label key={o} className="inline">
                  <input
                    type="checkbox"
                    checked={grid.list.includes(o)}
                    onChange={(e) => set({ list: e.target.checked ? [...grid.list, o] : grid.list.filter((x) => x !== o) })}
                  />
                  {o}
                </label>
              ))}
            </span>
          ) : (
            <input
              id={`${id}-list`}
              aria-label={`${field.name}: values, separated by commas`}
              placeholder="0.01, 0.05, 0.1"
              value={grid.listText}
              onChange={(e) => set({ listText: e.target.value })}
            />
          ))}
        {grid.mode === 'range' && (
          <span className="row range-inputs">
            <input id={`${id}-from`} aria-label={`${field.name}: from`} placeholder="from" value={grid.from} onChange={(e) => set({ from: e.target.value })} />
            <span>to</span>
            <input id={`${id}-to`} aria-label={`${field.name}: to`} placeholder="to" value={grid.to} onChange={(e) => set({ to: e.target.value })} />
            <input
              id={`${id}-steps`}
              aria-label={`${field.name}: steps`}
              type="number"
              min={1}
              value={grid.steps}
              onChange={(e) => set({ steps: e.target.value })}
            />
            <span>steps</span>
            <select id={`${id}-scale`} aria-label={`${field.name}: scale`} value={grid.scale} onChange={(e) => set({ scale: e.target.value as ParamGrid['scale'] })}>
              <option value="linear">linear</option>
              <option value="log">log</option>
            </select>
          </span>
        )}
        {outcome.errors.length > 0 ? (
          outcome.errors.map((m) => (
            <div key={m} className="error" role="alert">
              {m}
            </div>
          ))
        ) : grid.mode === 'default' ? (
          <div className="faint">algorithm default{field.defaultValue !== '' ? ` (${field.defaultValue})` : ''}</div>
        ) : grid.mode !== 'fixed' ? (
          <div className="faint" data-testid={`${id}-values`}>
            {describeValues(outcome.values)}
          </div>
        ) : null}
        </div>
      </td>
    </tr>
  );
}
