import type { Query, QueryClient } from '@tanstack/react-query';
import { EventFeed, type FeedOptions, type FeedStatus, type LiveEvent } from './feed';
import { InvalidationBatcher, matches, targetsFor } from './invalidation';

export interface LiveOptions {
  url: FeedOptions['url'];
  onStatus?: (status: FeedStatus) => void;
  /** every event, after the cache was updated (notifications) */
  onEvent?: (event: LiveEvent) => void;
  /** testing hooks */
  feed?: Partial<FeedOptions>;
  batchDelay?: number;
}

type JobLike = { id: number; status?: unknown; error_code?: unknown };

/** A job event carries the new status: show it at once, before the refetch lands. */
export function patchJob<T extends JobLike>(job: T, event: LiveEvent): T {
  if (job.id !== event.id || !event.data || typeof event.data.status !== 'string') return job;
  return { ...job, status: event.data.status, error_code: event.data.error_code ?? job.error_code };
}

function isJobQuery(query: Query): boolean {
  const [head, , tail] = query.queryKey;
  return head === 'jobs' || head === 'job' || (head === 'experiment' && tail === 'jobs');
}

/**
 * Connects the live feed to the query cache: events patch job statuses in place and invalidate
 * the queries they touch (batched); resyncs invalidate every query, so whatever is on screen is
 * refetched. Returns a function that disconnects.
 */
export function connectLive(queryClient: QueryClient, options: LiveOptions): { stop: () => void; feed: EventFeed } {
  const batcher = new InvalidationBatcher((targets) => {
    if (targets === 'all') void queryClient.invalidateQueries();
    else void queryClient.invalidateQueries({ predicate: (q) => targets.some((t) => matches(q.queryKey, t)) });
  }, options.batchDelay ?? 100);

  const feed = new EventFeed({
    url: options.url,
    onStatus: options.onStatus,
    onResync: () => batcher.all(),
    onEvent: (event) => {
      if (event.entity === 'job' && event.id !== null) {
        queryClient.setQueriesData<unknown>({ predicate: isJobQuery }, (old: unknown) => {
          if (Array.isArray(old)) return old.map((job: JobLike) => patchJob(job, event));
          if (old && typeof old === 'object' && 'id' in old) return patchJob(old as JobLike, event);
          return old;
        });
      }
      batcher.add(targetsFor(event));
      options.onEvent?.(event);
    },
    ...options.feed,
  });
  feed.start();
  return {
    feed,
    stop: () => {
      feed.stop();
      batcher.cancel();
    },
  };
}
