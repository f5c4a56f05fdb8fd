import { useState } from 'react';
import { ApiError } from '../api/errors';
import { Field } from './Field';
import { Modal, SubmitFooter } from './Modal';
import { ErrorNote } from './ui';

interface Props {
  title: string;
  initial: string;
  onSave: (description: string) => Promise<unknown>;
  onClose: () => void;
}

/** Only the description of a dataset or experiment can change (api.md §3.4, §4.4). */
export function EditDescriptionDialog({ title, initial, onSave, onClose }: Props) {
  const [description, setDescription] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const empty = description.trim() === '';

  const save = async () => {
    if (empty) return;
    setBusy(true);
    try {
      await onSave(description.trim());
      onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const fieldErrors = error instanceof ApiError ? error.fields.description : undefined;
  return (
    <Modal
      title={title}
      onClose={onClose}
      onSubmit={save}
      footer={
        <SubmitFooter onCancel={onClose} label="Save" busyLabel="Saving…" busy={busy} disabled={empty} />
      }
    >
      <Field label="Description" htmlFor="description" hint="cannot be empty" errors={fieldErrors}>
        <textarea
          id="description"
          style={{ fontFamily: 'inherit' }}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </Field>
      {error != null && !fieldErrors && <ErrorNote error={error} />}
    </Modal>
  );
}
