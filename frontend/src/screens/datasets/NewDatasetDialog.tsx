import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/errors';
import { useCreateDataset, useUploadDataset } from '../../api/mutations';
import { useDataSources } from '../../api/queries';
import { Field } from '../../components/Field';
import { Modal, SubmitFooter } from '../../components/Modal';
import { useToast } from '../../components/toast';
import { ErrorNote } from '../../components/ui';

type Mode = 'upload' | 'query';
type Errors = Record<string, string[]>;

const KNOWN_FIELDS = ['name', 'description', 'file', 'load_query', 'data_source'];

/** Register a dataset: upload a CSV file, or a query on a data source. */
export function NewDatasetDialog({ initialMode = 'upload', onClose }: { initialMode?: Mode; onClose: () => void }) {
  const [mode, setMode] = useState<Mode>(initialMode);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [query, setQuery] = useState('');
  const [source, setSource] = useState('postgres');
  const [progress, setProgress] = useState<number | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const sources = useDataSources();
  const create = useCreateDataset();
  const upload = useUploadDataset();
  const toast = useToast();
  const navigate = useNavigate();
  const busy = create.isPending || upload.isPending;

  const validate = (): Errors => {
    const e: Errors = {};
    if (!name.trim()) e.name = ['A name is required.'];
    if (mode === 'upload' && !file) e.file = ['Choose a CSV file.'];
    if (mode === 'query' && !query.trim()) e.load_query = ['A query is required.'];
    return e;
  };

  const submit = async () => {
    const e = validate();
    setErrors(e);
    setFailure(null);
    if (Object.keys(e).length) return;
    try {
      const dataset =
        mode === 'upload'
          ? await upload.mutateAsync({ file: file!, name: name.trim(), description: description.trim(), onProgress: setProgress })
          : await create.mutateAsync({
              name: name.trim(),
              description: description.trim() || undefined,
              load_query: query.trim(),
              data_source: source,
            });
      toast({ kind: 'success', title: `Dataset “${dataset.name}” created` });
      onClose();
      navigate(`/datasets/${dataset.id}`);
    } catch (err) {
      setProgress(null);
      if (err instanceof ApiError && err.hasFields) {
        setErrors(err.fields);
        if (!Object.keys(err.fields).some((f) => KNOWN_FIELDS.includes(f))) setFailure(err);
      } else setFailure(err);
    }
  };

  return (
    <Modal
      title="New dataset"
      onClose={onClose}
      onSubmit={submit}
      footer={
        <SubmitFooter
          onCancel={onClose}
          label="Create dataset"
          busyLabel={mode === 'upload' ? 'Uploading…' : 'Checking the query…'}
          busy={busy}
        />
      }
    >
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={mode === 'upload'} className={mode === 'upload' ? 'on' : ''} onClick={() => setMode('upload')}>
          Upload a CSV file
        </button>
        <button type="button" role="tab" aria-selected={mode === 'query'} className={mode === 'query' ? 'on' : ''} onClick={() => setMode('query')}>
          Query a data source
        </button>
      </div>
      <Field label="Name" htmlFor="ds-name" required errors={errors.name}>
        <input id="ds-name" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </Field>
      <Field label="Description" htmlFor="ds-description" errors={errors.description}>
        <input id="ds-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      {mode === 'upload' ? (
        <Field label="CSV file" htmlFor="ds-file" required hint="header row; column types are inferred" errors={errors.file}>
          <input
            id="ds-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null;
              setFile(f);
              if (f && !name.trim()) setName(f.name.replace(/\.csv$/i, ''));
            }}
          />
          {progress !== null && (
            <div className="progress" aria-label="Upload progress">
              <div style={{ width: `${Math.round(progress * 100)}%` }} />
            </div>
          )}
        </Field>
      ) : (
        <>
          <Field label="Data source" htmlFor="ds-source" required errors={errors.data_source}>
            <select id="ds-source" value={source} onChange={(e) => setSource(e.target.value)}>
              {(sources.data ?? ['postgres']).map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Query" htmlFor="ds-query" required hint="one SELECT; its columns become the variables" errors={errors.load_query}>
            <textarea id="ds-query" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="SELECT * FROM my_table" spellCheck={false} />
          </Field>
        </>
      )}
      {failure != null && <ErrorNote error={failure} />}
    </Modal>
  );
}
