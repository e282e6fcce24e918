// Retry with exponential backoff and jitter for network errors and retryable statuses.

export interface RetryOptions {
  /** Attempts in total, the first included (default 4). */
  attempts?: number;
  /** Delay before the first retry, ms (default 500); doubles each time. */
  baseDelayMs?: number;
  /** Longest delay between attempts, ms (default 8000); a server's Retry-After is capped by it too. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { attempts: 4, baseDelayMs: 500, maxDelayMs: 8000 };

/** Delay before retry number `retry` (1-based): base·2^(retry−1), capped, with ±25 % jitter. */
export function backoffDelayMs(retry: number, options: Required<RetryOptions>, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential * (0.75 + random() * 0.5));
}

/** Statuses worth another attempt: rate limiting and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Seconds of a Retry-After header as ms (only the delta-seconds form), or null. */
export function retryAfterMs(header: string | null): number | null {
  if (!header || !/^\d+$/.test(header.trim())) return null;
  return Number(header.trim()) * 1000;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
