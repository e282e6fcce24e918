// Cancellation surfaces as an error named 'AbortError', like fetch and timers do.
export function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  const detail = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : '';
  const err = new Error(detail && detail !== 'This operation was aborted' ? `training cancelled: ${detail}` : 'training cancelled');
  err.name = 'AbortError';
  return err;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}
