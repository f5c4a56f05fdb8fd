import { useState } from 'react';
import { useUploadGroundTruth } from '../../api/mutations';
import type { Dataset } from '../../api/types';
import { Field } from '../../components/Field';
import { Modal, SubmitFooter } from '../../components/Modal';
import { useToast } from '../../components/toast';
import { ErrorNote } from '../../components/ui';

/** Upload a GML graph as the dataset's ground truth (replaces the previous one). */
export function GroundTruthDialog({ dataset, onClose }: { dataset: Dataset; onClose: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const upload = useUploadGroundTruth();
  const toast = useToast();
  const submit = async () => {
    if (!file) return;
    try {
      await upload.mutateAsync({ datasetId: dataset.id, file, onProgress: setProgress });
      toast({ kind: 'success', title: `Ground truth of “${dataset.name}” uploaded` });
      onClose();
    } catch {
      setProgress(null); // the error is shown below
    }
  };
  return (
    <Modal
      title="Upload ground truth"
      onClose={onClose}
      onSubmit={submit}
      footer={
        <SubmitFooter
          onCancel={onClose}
          label="Upload"
          busyLabel="Uploading…"
          busy={upload.isPending}
          disabled={!file}
        />
      }
    >
      <p className="muted">
        A GML graph whose node labels are the variable names of <strong>{dataset.name}</strong>. It replaces the current
        ground truth.
      </p>
      <Field label="GML file" htmlFor="gt-file" required>
        <input id="gt-file" type="file" accept=".gml" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        {progress !== null && (
          <div className="progress" aria-label="Upload progress">
            <div style={{ width: `${Math.round(progress * 100)}%` }} />
          </div>
        )}
      </Field>
      {upload.isError && <ErrorNote error={upload.error} />}
    </Modal>
  );
}
