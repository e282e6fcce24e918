// POST /graphql with a JSON body, straight from node:http to Apollo Server: no express router,
// body-parser, content negotiation or ETag (a weak ETag is a hash of every answer, useless on
// no-store responses). Under the API benchmark those layers were ~8 % of the server's CPU per
// typical query (docs/api.md, "Where the time goes"). Anything else sent to /graphql (GET, other
// content types, compressed or non-UTF-8 bodies) goes on to express and Apollo's own integration,
// so behaviour there is unchanged; the answers here are the same (status, headers, body, the
// 413 and 400 errors of the express stack).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';

export interface GraphQLRouteOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the request's context (authentication, rate limit); a throw becomes Apollo's error answer. */
  context: (req: IncomingMessage) => Promise<TContext>;
  maxBodyBytes: number;
  /** Unexpected failures (never shown to the client). */
  log: (line: string) => void;
}

/** JSON with an optional UTF-8 charset: what express.json would parse the same way. */
const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-?8"?\s*)?$/i;

/** Whether this request takes the direct path (the rest goes to express). */
export function isDirectGraphQL(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const url = req.url ?? '';
  if (url !== '/graphql' && !url.startsWith('/graphql?')) return false;
  const type = req.headers['content-type'];
  return type !== undefined && JSON_TYPE.test(type) && (req.headers['content-encoding'] === undefined || req.headers['content-encoding'] === 'identity');
}

function sendJson(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}) });
  res.end(text);
}

/** Reads the body up to `limit` bytes: the text, or 'too-large' as soon as it is (the caller closes the connection). */
function readBody(req: IncomingMessage, limit: number): Promise<string | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8')));
    req.once('error', reject);
  });
}

export function graphqlRoute<TContext extends BaseContext>(options: GraphQLRouteOptions<TContext>): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, maxBodyBytes, log } = options;
  const tooLarge = { errors: [{ message: `request body is larger than ${maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] };
  const notJson = { errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req, maxBodyBytes);
    if (text === 'too-large') {
      // Answer at once and close the connection rather than read the rest of the body.
      sendJson(res, 413, tooLarge, true);
      return;
    }
    let body: unknown = {};
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      // express.json is strict: only an object or an array is a body.
      if (body === null || typeof body !== 'object') {
        sendJson(res, 400, notJson);
        return;
      }
    }
    const headers = new HeaderMap();
    const raw = req.headers;
    for (const key in raw) {
      const value = raw[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: q < 0 ? '' : url.slice(q), body },
      context: () => options.context(req),
    });
    res.statusCode = response.status ?? 200;
    for (const [key, value] of response.headers) res.setHeader(key, value);
    if (response.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    // Incremental delivery (@defer/@stream), when a client asks for it.
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`unexpected error on POST /graphql: ${(error as Error)?.stack ?? String(error)}`);
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    });
  };
}
