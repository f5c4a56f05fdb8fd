import { useEffect, useState } from 'react';
import { NavLink, Outlet, useMatch } from 'react-router';
import { useAuth } from '../auth/AuthProvider';
import { TOKENS_PATH } from '../auth/paths';
import { UserMenu } from '../auth/UserMenu';
import type { FeedStatus } from '../live/feed';
import { useLiveStatus } from '../live/LiveProvider';

const STATUS_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', stopped: 'Offline' };

export function Layout() {
  const status = useLiveStatus();
  const wide = useMatch('/results/:resultId') !== null;
  const { mode, me } = useAuth();
  return (
    <>
      <header className="app-header">
        <NavLink to="/" className="brand" aria-label="Causeway home">
          <svg width="22" height="22" viewBox="0 0 16 16" aria-hidden>
            <circle cx="4" cy="4" r="2.6" fill="#60a5fa" />
            <circle cx="12" cy="12" r="2.6" fill="#60a5fa" />
            <circle cx="12" cy="4" r="2.6" fill="#93c5fd" />
            <path d="M5.8 5.8l4.4 4.4M12 6.6v2.8" stroke="#93c5fd" strokeWidth="1.4" />
          </svg>
          <span>Causeway</span>
        </NavLink>
        <nav className="nav" aria-label="Main">
          <NavLink to="/" end>
            Datasets
          </NavLink>
          <NavLink to="/experiments">Experiments</NavLink>
          <NavLink to="/studies">Studies</NavLink>
          <NavLink to="/jobs">Jobs</NavLink>
          <NavLink to="/generate">Generate</NavLink>
          {mode !== 'off' && me.role === 'admin' && <NavLink to={TOKENS_PATH}>API tokens</NavLink>}
        </nav>
        <div className={`live live-${status}`} title={`Live updates: ${STATUS_TEXT[status]}`} data-live={status}>
          <span>{STATUS_TEXT[status]}</span>
        </div>
        <UserMenu />
      </header>
      <OfflineBanner status={status} />
      <main className={wide ? 'wide' : ''}>
        <Outlet />
      </main>
    </>
  );
}

/** After a few seconds without the live feed, says that what is shown may be out of date. */
function OfflineBanner({ status }: { status: FeedStatus }) {
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (status !== 'reconnecting') {
      setShow(false);
      return;
    }
    const t = setTimeout(() => setShow(true), 3000);
    return () => clearTimeout(t);
  }, [status]);
  if (!show) return null;
  return (
    <div className="offline-banner" role="status">
      Lost the connection to the server; reconnecting… What you see may be out of date until then.
    </div>
  );
}
