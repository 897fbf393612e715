/**
 * 照片分析任务 (face jobs): where the server sends 同版 comparisons and 一键修正 to a separate photo-analysis process
 * (WORKERS=external), a slow one is answered 202 with a job id; the page then asks `/api/face-jobs/:jobId` until
 * the answer is there and shows it as if it had come at once — the clerk never meets a dead end.
 */
import { ApiError, api, type RequestOptions } from './client';

interface Pending {
  pending: true;
  jobId: string;
  message: string;
}
const isPending = (r: unknown): r is Pending => !!r && typeof r === 'object' && (r as Pending).pending === true;

/** Polls at this pace, for at most this long (then a clear message instead of waiting for ever). */
const POLL_MS = 1_000;
const GIVE_UP_MS = 10 * 60_000;

/**
 * Calls a face route and resolves with its answer — at once, or after the job finished on the worker.
 * `onPending` hears the server's words while the job runs (e.g. to show "正在后台分析…").
 */
export async function faceAnswer<T>(path: string, opts: RequestOptions = {}, onPending?: (message: string) => void): Promise<T> {
  const first = await api<T | Pending>(path, opts);
  if (!isPending(first)) return first;
  onPending?.(first.message);
  const deadline = Date.now() + GIVE_UP_MS;
  for (;;) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (opts.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const s = await api<{ status: string; result?: T }>(`/face-jobs/${first.jobId}`, { signal: opts.signal });
    if (s.status === 'done') return s.result as T;
    if (Date.now() > deadline) throw new ApiError(504, 'FACE_JOB_SLOW', '照片分析时间过长，请稍后刷新页面查看结果');
  }
}
