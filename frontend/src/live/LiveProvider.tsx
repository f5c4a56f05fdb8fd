import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useAuth } from '../auth/AuthProvider';
import { createWsTicket } from '../auth/authApi';
import { useToast } from '../components/toast';
import { errorCodeText } from '../jobs/status';
import { connectLive } from './connect';
import { liveUrl, type FeedOptions, type FeedStatus, type LiveEvent } from './feed';

/**
 * The feed's address: with auth off the plain `/ws`; otherwise every attempt first asks for a
 * short-lived ticket with the credentials (a browser cannot put a header on a websocket).
 */
export function liveAddress(authenticated: boolean, ticket = createWsTicket): FeedOptions['url'] {
  if (!authenticated) return liveUrl();
  return async () => `${liveUrl()}?ticket=${encodeURIComponent((await ticket()).ticket)}`;
}

const LiveContext = createContext<FeedStatus>('stopped');

/** The live feed's connection state, for the header indicator. */
export const useLiveStatus = () => useContext(LiveContext);

/** Keeps the query cache in step with `/ws` for as long as the app is mounted. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [status, setStatus] = useState<FeedStatus>('connecting');
  const authenticated = useAuth().mode !== 'off';

  useEffect(() => {
    const notify = (event: LiveEvent) => {
      if (event.entity === 'job' && event.what === 'failed') {
        const code = typeof event.data?.error_code === 'number' ? event.data.error_code : null;
        toast({ kind: 'error', title: `Job #${event.id} failed`, text: errorCodeText(code) ?? undefined });
      }
    };
    // Connect on the next tick: React's development double mount would otherwise open a socket
    // and close it again before it is established.
    let live: ReturnType<typeof connectLive> | null = null;
    const start = setTimeout(() => {
      live = connectLive(queryClient, { url: liveAddress(authenticated), onStatus: setStatus, onEvent: notify });
    }, 0);
    const online = () => live?.feed.reconnectNow();
    window.addEventListener('online', online);
    return () => {
      clearTimeout(start);
      window.removeEventListener('online', online);
      live?.stop();
    };
  }, [queryClient, toast, authenticated]);

  return <LiveContext.Provider value={status}>{children}</LiveContext.Provider>;
}
