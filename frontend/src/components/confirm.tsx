import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { Modal } from './Modal';

interface ConfirmRequest {
  title: string;
  text: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  resolve: (ok: boolean) => void;
}

type Confirm = (req: Omit<ConfirmRequest, 'resolve'>) => Promise<boolean>;

const ConfirmContext = createContext<Confirm>(async () => false);

/** `await confirm({title, text, confirmLabel})` → whether the user agreed. */
export const useConfirm = () => useContext(ConfirmContext);

export function ConfirmProvider({ children }: { children: ReactNode }) {
  const [request, setRequest] = useState<ConfirmRequest | null>(null);
  const confirm = useCallback<Confirm>((req) => new Promise((resolve) => setRequest({ ...req, resolve })), []);
  const answer = (ok: boolean) => {
    request?.resolve(ok);
    setRequest(null);
  };
  return (
    <ConfirmContext.Provider value={confirm}>
      {children}
      {request && (
        <Modal
          title={request.title}
          onClose={() => answer(false)}
          onSubmit={() => answer(true)}
          footer={
            <>
              <button type="button" onClick={() => answer(false)}>
                Keep it
              </button>
              <button type="submit" className={request.danger ? 'danger solid' : 'primary'}>
                {request.confirmLabel}
              </button>
            </>
          }
        >
          {request.text}
        </Modal>
      )}
    </ConfirmContext.Provider>
  );
}
