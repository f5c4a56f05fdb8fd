import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useToast } from '../components/toast';
import { errorCodeText } from '../jobs/status';
import { connectLive } from './connect';
import { liveUrl, type FeedStatus, type LiveEvent } from './feed';

const LiveContext = createContext<FeedStatus>('stopped');

/** The live feed's connection state, for the header indicator. */
export const useLiveStatus = () => useContext(LiveContext);

/** Keeps the query cache in step with `/ws` for as long as the app is mounted. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [status, setStatus] = useState<FeedStatus>('connecting');

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
      live = connectLive(queryClient, { url: liveUrl(), onStatus: setStatus, onEvent: notify });
    }, 0);
    const online = () => live?.feed.reconnectNow();
    window.addEventListener('online', online);
    return () => {
      clearTimeout(start);
      window.removeEventListener('online', online);
      live?.stop();
    };
  }, [queryClient, toast]);

  return <LiveContext.Provider value={status}>{children}</LiveContext.Provider>;
}
