import { useState, type ReactNode } from 'react';
import { downloadWithCredentials } from '../api/download';
import { errorMessage } from '../api/errors';
import { useAuth } from '../auth/AuthProvider';
import { useToast } from './toast';

interface Props {
  href: string;
  /** the file name when the server does not give one */
  filename?: string;
  className?: string;
  title?: string;
  role?: string;
  children: ReactNode;
}

/**
 * A download. With auth off it is a plain link (the browser streams the file); otherwise the
 * file is fetched with the credentials and saved from memory, since a link cannot carry them.
 */
export function DownloadLink({ href, filename, className, title, role, children }: Props) {
  const { mode } = useAuth();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  if (mode === 'off') {
    return (
      <a className={className} href={href} title={title} role={role} download={filename ?? true}>
        {children}
      </a>
    );
  }
  return (
    <a
      className={className}
      href={href}
      title={title}
      role={role}
      download={filename ?? true}
      aria-busy={busy}
      onClick={async (e) => {
        e.preventDefault();
        if (busy) return;
        setBusy(true);
        try {
          await downloadWithCredentials(href, filename ?? 'download');
        } catch (err) {
          toast({ kind: 'error', title: 'Could not download the file', text: errorMessage(err) });
        } finally {
          setBusy(false);
        }
      }}
    >
      {children}
    </a>
  );
}
