import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiError, errorMessage } from '../api/errors';
import type { JobStatus } from '../api/types';
import { STATUS_LABEL } from '../jobs/status';

export function Spinner({ label }: { label?: string }) {
  return <span className="spinner" role="status" aria-label={label ?? 'Loading'} />;
}

export function Loading({ children = 'Loading…' }: { children?: ReactNode }) {
  return (
    <div className="loading">
      <Spinner /> {children}
    </div>
  );
}

export function Empty({ title, children, actions }: { title: string; children?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children && <div>{children}</div>}
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}

/** An API error with the server's message; field maps are listed. */
export function ErrorNote({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const fields = error instanceof ApiError ? Object.entries(error.fields) : [];
  return (
    <div className="notice error" role="alert">
      <div className="grow">
        {title && <strong>{title} </strong>}
        {fields.length ? 'The server rejected the input:' : errorMessage(error)}
        {fields.length > 0 && (
          <ul>
            {fields.map(([field, msgs]) => (
              <li key={field}>
                <code>{field}</code>: {msgs.join(' ')}
              </li>
            ))}
          </ul>
        )}
      </div>
      {onRetry && (
        <button className="small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Badge({ kind, children, title }: { kind?: 'ok' | 'err' | 'warn' | 'info'; children: ReactNode; title?: string }) {
  return (
    <span className={`badge ${kind ?? ''}`} title={title}>
      {children}
    </span>
  );
}

const STATUS_KIND: Record<JobStatus, 'ok' | 'err' | 'warn' | 'info' | undefined> = {
  waiting: 'warn',
  running: 'info',
  done: 'ok',
  error: 'err',
  cancelled: undefined,
  hidden: undefined,
};

export function StatusBadge({ status }: { status: JobStatus | null | undefined }) {
  if (!status) return <Badge>not started</Badge>;
  return (
    <span className={`badge ${STATUS_KIND[status] ?? ''} status-${status}`} data-status={status}>
      {STATUS_LABEL[status] ?? status}
    </span>
  );
}

export function Fact({ label, value, loading }: { label: string; value: ReactNode; loading?: boolean }) {
  return (
    <div className="fact">
      <div className="k">{label}</div>
      <div className={`v ${loading ? 'skeleton' : ''}`}>{loading ? '…' : value}</div>
    </div>
  );
}

export interface Crumb {
  label: string;
  to?: string;
}

export function PageHead({
  title,
  subtitle,
  crumbs,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  crumbs?: Crumb[];
  actions?: ReactNode;
}) {
  return (
    <div className="page-head">
      <div className="titles">
        {crumbs && crumbs.length > 0 && (
          <nav className="crumbs" aria-label="Breadcrumb">
            {crumbs.map((c, i) => (
              <span key={i} className="row" style={{ gap: '0.35rem' }}>
                {c.to ? <Link to={c.to}>{c.label}</Link> : <span>{c.label}</span>}
                <span className="sep">›</span>
              </span>
            ))}
          </nav>
        )}
        <h1>{title}</h1>
        {subtitle && <div className="subtitle">{subtitle}</div>}
      </div>
      {actions && <div className="actions">{actions}</div>}
    </div>
  );
}
