// Relay connections over offset cursors (opaque to clients): `first` defaults to 20 and is
// capped at 100; `after` is the cursor of the last edge seen.
import { graphQLError } from './errors.ts';
import type { ConnectionShape, PageArgs } from './types/common.ts';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

export interface PageWindow {
  offset: number;
  limit: number;
}

export function pageWindow(args: PageArgs): PageWindow {
  const first = args.first ?? DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0) throw graphQLError('BAD_USER_INPUT', '`first` must be a non-negative integer', 400);
  let offset = 0;
  if (args.after) {
    const decoded = /^o:(\d{1,9})$/.exec(Buffer.from(args.after, 'base64url').toString('utf8'));
    if (!decoded) throw graphQLError('BAD_USER_INPUT', '`after` is not a cursor returned by this field', 400);
    offset = Number(decoded[1]) + 1;
  }
  return { offset, limit: Math.min(first, MAX_PAGE) };
}

const cursorAt = (index: number): string => Buffer.from(`o:${index}`, 'utf8').toString('base64url');

/** Builds a connection from the rows of one window (fetched with `limit` rows at `offset`). */
export function toConnection<T>(nodes: T[], window: PageWindow, totalCount: number): ConnectionShape<T> {
  const edges = nodes.map((node, i) => ({ node, cursor: cursorAt(window.offset + i) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: window.offset + nodes.length < totalCount,
      hasPreviousPage: window.offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
