// A small client of the Condense API as any outside program would use it: GraphQL over HTTP
// (fetch), the byte routes (signed upload URL, app endpoint) and runEvents over graphql-ws.
import { createHash } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DemoError } from './errors.ts';

export interface UserError {
  code: string;
  field: string[] | null;
  message: string;
}

export interface ApiEndpoints {
  graphqlUrl: string;
  wsUrl: string;
  url: string;
}

export class CondenseClient {
  constructor(
    readonly endpoints: ApiEndpoints,
    /** API key (or, for createOrganization only, the operator token). */
    private readonly bearer: string,
  ) {}

  withBearer(bearer: string): CondenseClient {
    return new CondenseClient(this.endpoints, bearer);
  }

  /** Runs an operation; GraphQL errors become a DemoError naming the operation. */
  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await httpFetch(this.endpoints.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.bearer}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    if (body.errors?.length) {
      const e = body.errors[0]!;
      throw new DemoError(`${operationName(query)}: ${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}`);
    }
    if (!body.data) throw new DemoError(`${operationName(query)}: HTTP ${res.status} without data`);
    return body.data;
  }

  /** A mutation whose payload (the single root field) carries userErrors: returns the payload or throws the first error. */
  async mutate<P extends { userErrors: UserError[] }>(query: string, variables: Record<string, unknown>): Promise<P> {
    const data = await this.request<Record<string, P>>(query, variables);
    const [field, payload] = Object.entries(data)[0]!;
    if (payload.userErrors.length) {
      const e = payload.userErrors[0]!;
      throw new DemoError(`${field}: ${e.message} (${e.code}${e.field ? ` at ${e.field.join('.')}` : ''})`);
    }
    return payload;
  }

  /** createUpload, then PUT of the bytes to the signed URL; returns the upload id. */
  async upload(purpose: 'MODEL' | 'DATASET', filename: string, bytes: Uint8Array): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const payload = await this.mutate<{ upload: { id: string }; uploadUrl: string; userErrors: UserError[] }>(
      `mutation($input: CreateUploadInput!) { createUpload(input: $input) { upload { id } uploadUrl userErrors { code field message } } }`,
      { input: { purpose, filename, bytes: bytes.length, sha256 } },
    );
    const put = await httpFetch(payload.uploadUrl, { method: 'PUT', body: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream' } });
    if (!put.ok) throw new DemoError(`upload of ${filename}: HTTP ${put.status} ${await put.text()}`);
    return payload.upload.id;
  }

  /** Subscribes to a run's events; `onEvent` sees them in order; resolves when the subscription completes. */
  followRun<E>(query: string, variables: Record<string, unknown>, onEvent: (event: E) => void): { done: Promise<void>; client: Client } {
    const client = createClient({
      url: this.endpoints.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.bearer}` },
      retryAttempts: 3,
      lazy: true,
    });
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe<{ runEvents: E }>({ query, variables }, {
        next: (result) => {
          if (result.errors?.length) reject(new DemoError(`runEvents: ${result.errors[0]!.message}`));
          else if (result.data) onEvent(result.data.runEvents);
        },
        error: (error) => reject(new DemoError(`runEvents: ${error instanceof Error ? error.message : describeClose(error)}`)),
        complete: () => resolve(),
      });
    }).finally(() => client.dispose());
    return { done, client };
  }
}

/**
 * fetch that retries once when a kept-alive connection was closed by the server between requests
 * (its keep-alive timeout raced our reuse, e.g. after a long local step): the request never
 * reached the server, so sending it again is safe. Other failures become one-line DemoErrors.
 */
export async function httpFetch(url: string, init: RequestInit = {}): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const closed = ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'].includes(cause?.code ?? '');
      if (closed && attempt === 1) continue;
      throw new DemoError(`${init.method ?? 'GET'} ${new URL(url).pathname}: ${cause?.message ?? (error as Error).message}`);
    }
  }
}

function describeClose(error: unknown): string {
  if (Array.isArray(error)) return (error as { message?: string }[]).map((e) => e.message).join('; ');
  const close = error as { code?: number; reason?: string };
  if (typeof close?.code === 'number') return `connection closed (${close.code}${close.reason ? ` ${close.reason}` : ''})`;
  return String(error);
}

function operationName(query: string): string {
  const match = /\{\s*(\w+)/.exec(query);
  return match ? match[1]! : 'request';
}
