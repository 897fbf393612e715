/** Small data hooks around the API client. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type RequestOptions } from './client';
import type { Batch, Org } from './types';

/** Load `path` (re-loads when `deps` change); errors are kept, not thrown. */
export function useApi<T>(path: string | null, opts?: RequestOptions, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const optsRef = useRef(opts);
  optsRef.current = opts;
  useEffect(() => {
    if (!path) return;
    const ctl = new AbortController();
    setLoading(true);
    api<T>(path, { ...optsRef.current, signal: ctl.signal })
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if ((e as Error).name !== 'AbortError') setError(e);
      })
      .finally(() => {
        if (!ctl.signal.aborted) setLoading(false);
      });
    return () => ctl.abort();
  }, [path, tick, JSON.stringify(opts?.query), ...deps]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}

export function useBatches() {
  return useApi<{ items: Batch[] }>('/batches');
}

export function useOrgs() {
  return useApi<{ items: Org[] }>('/orgs');
}

/** Re-run `fn` when the server announces changes on /api/events (real-time progress). */
export function useServerEvents(types: string[], fn: () => void) {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const key = types.join(',');
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/events', { withCredentials: true });
    let timer: ReturnType<typeof setTimeout> | null = null;
    const handler = () => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        fnRef.current();
      }, 500);
    };
    for (const t of key.split(',')) es.addEventListener(t, handler);
    return () => {
      es.close();
      if (timer) clearTimeout(timer);
    };
  }, [key]);
}
