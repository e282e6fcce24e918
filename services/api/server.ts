// The Condense API server: Apollo Server 5 on express 5 (/graphql), graphql-ws on the same port
// and path, and the plain-HTTP byte routes beside it (uploads, downloads, the app endpoint).
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { openBlobStore } from '../blob/index.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { withTenantRead } from '../db/tenant.ts';
import { RunEventHub } from '../events/hub.ts';
import { notificationSourceFor, type NotificationSource } from '../events/notifications.ts';
import { RunEventPubSub } from '../events/pubsub.ts';
import { listRunEvents } from '../events/store.ts';
import { AuthCache, authenticate, type AuthInfo } from './auth.ts';
import { createContext, type ApiContext, type ApiServices } from './context.ts';
import { defaultPluginCatalog, isolatedInspectors } from './defaults.ts';
import { DEFAULT_INSPECTION_LIMITS, type InspectionLimits } from '../inspect/isolated.ts';
import type { BlobStoreLike, DatasetInspector, ModelInspector, PluginCatalog } from './dependencies.ts';
import { checkOperationScopes } from './scopes.ts';
import { graphQLError, maskError } from './errors.ts';
import { appCors } from './http/app-cors.ts';
import { graphqlRoute, isDirectGraphQL } from './http/graphql-route.ts';
import { appModelHandler } from './http/app-model.ts';
import { appTelemetryRoute } from './http/app-telemetry.ts';
import { CONSOLE_DIST, consoleRouter } from './http/console.ts';
import { sessionInfoHandler, signInHandler, signOutHandler } from './http/session-routes.ts';
import { downloadHandler } from './http/downloads.ts';
import { httpError } from './http/respond.ts';
import { isOperatorBearer } from './operator.ts';
import { uploadHandler } from './http/uploads.ts';
import { queueOnlyLauncher, type RunLauncher } from './launcher.ts';
import { TokenBucketLimiter, type RateLimitOptions } from './limits/rate-limit.ts';
import { CostCache } from './limits/cost-cache.ts';
import { DocumentCache } from './limits/document-cache.ts';
import { DEFAULT_LIMITS, costError, limitRules, type QueryLimits } from './limits/rules.ts';
import { buildApiSchema } from './schema.ts';
import { CSRF_HEADER, DEFAULT_SESSION_TTL_SECONDS, SESSION_COOKIE, SessionSigner, SignedOutSessions, readCookie, sameOrigin } from './session.ts';
import { followSignOuts } from './sign-out.ts';
import { authenticateSession } from './session-auth.ts';
import { UrlSigner } from './signing.ts';

export interface CreateServerOptions {
  database: Database;
  config: Config;
  /** Executes runs; default: runs are only recorded as queued. */
  launcher?: RunLauncher;
  /** Default: the FileBlobStore in `<dataDir>/blobs`. */
  blobs?: BlobStoreLike;
  /** Default: the plugin host (built-ins + CONDENSE_PLUGINS). */
  plugins?: PluginCatalog;
  /** Default: inspection in a bounded child process (services/inspect) with `inspectionLimits`. */
  inspectModel?: ModelInspector;
  inspectDataset?: DatasetInspector;
  /** Memory, time and expansion caps of the default inspectors. */
  inspectionLimits?: Partial<InspectionLimits>;
  limits?: Partial<QueryLimits>;
  /** Per-org token bucket; false disables it. Default 300 burst, 50/s. */
  rateLimit?: RateLimitOptions | false;
  /** Per-address token bucket for requests without an API key (`rateLimit: false` disables it too). Default 30 burst, 5/s. */
  anonymousRateLimit?: RateLimitOptions;
  /** Per-device token bucket of the telemetry endpoint. Default 20 burst, then one per 3 minutes. */
  telemetryRateLimit?: RateLimitOptions;
  /** Lifetime of signed upload/download URLs, seconds (default 900). */
  signedUrlTtlSeconds?: number;
  /** How long a verified API key is trusted before it is checked again (default 5000 ms; 0 = every request). */
  authCacheMs?: number;
  /** Default: LISTEN on the database (see services/events/notifications.ts). */
  notifications?: NotificationSource;
  /** Override config.port / config.host (0 = an ephemeral port). */
  port?: number;
  host?: string;
  /** Base URL put into signed links (default: the URL the server listens on). */
  publicUrl?: string;
  log?: (line: string) => void;
  /** Lifetime of console sessions, seconds (default 8 h). */
  sessionTtlSeconds?: number;
  /** Directory of the built console; false serves no console (default services/console/dist). */
  consoleDir?: string | false;
}

export interface ApiServer {
  /** Base URL, e.g. http://127.0.0.1:4000 */
  url: string;
  /** http(s)://…/graphql */
  graphqlUrl: string;
  /** ws://…/graphql */
  wsUrl: string;
  httpServer: Server;
  /** Stops accepting, drains in-flight HTTP requests and WebSocket operations, then stops listening for events. */
  close(): Promise<void>;
}

const DEFAULT_RATE_LIMIT: RateLimitOptions = { capacity: 300, refillPerSecond: 50 };
const DEFAULT_ANONYMOUS_RATE_LIMIT: RateLimitOptions = { capacity: 30, refillPerSecond: 5 };

export async function createServer(options: CreateServerOptions): Promise<ApiServer> {
  const { database, config } = options;
  const log = options.log ?? ((line: string) => process.stderr.write(`[api] ${line}\n`));
  const limits: QueryLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const production = config.nodeEnv === 'production';
  const limiter = options.rateLimit === false ? null : new TokenBucketLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT);

  const pubsub = await RunEventPubSub.start(options.notifications ?? (await notificationSourceFor(database, config.databaseUrl)));
  const hub = new RunEventHub(pubsub, (orgId, runId, afterSeq, limit) => withTenantRead(database.db, orgId, (trx) => listRunEvents(trx, runId, afterSeq, limit)));

  let baseUrl = '';
  const inspectors = isolatedInspectors({ ...DEFAULT_INSPECTION_LIMITS, ...options.inspectionLimits });
  const services: ApiServices = {
    database,
    config,
    blobs: options.blobs ?? openBlobStore(config),
    launcher: options.launcher ?? queueOnlyLauncher,
    hub,
    signer: new UrlSigner(config.signingSecret),
    inspectModel: options.inspectModel ?? inspectors.inspectModel,
    inspectDataset: options.inspectDataset ?? inspectors.inspectDataset,
    plugins: options.plugins ?? defaultPluginCatalog(config.plugins),
    publicUrl: () => options.publicUrl ?? baseUrl,
    signedUrlTtlSeconds: options.signedUrlTtlSeconds ?? 900,
    authCache: new AuthCache(options.authCacheMs ?? 5000),
    sessions: { signer: new SessionSigner(config.signingSecret), signedOut: new SignedOutSessions(), ttlSeconds: options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS },
    log,
  };

  // Console sessions signed out on any API process are refused here too.
  const stopFollowingSignOuts = await followSignOuts(database.db, hub, services.sessions.signedOut, log);

  // Requests without an API key are limited per client address, before parsing or validation.
  const anonymousLimiter = options.rateLimit === false ? null : new TokenBucketLimiter(options.anonymousRateLimit ?? DEFAULT_ANONYMOUS_RATE_LIMIT);
  const rateLimit = (auth: AuthInfo | null, address?: string): void => {
    const [bucket, key, who] = auth ? [limiter, auth.orgId, 'this organization'] : [anonymousLimiter, `ip:${address ?? 'unknown'}`, 'unauthenticated requests from this address'];
    if (!bucket) return;
    const wait = bucket.take(key);
    if (wait > 0) {
      const seconds = Math.ceil(wait);
      throw graphQLError('RATE_LIMITED', `rate limit reached for ${who}; retry in ${seconds} s`, 429, { retryAfterSeconds: seconds });
    }
  };

  const schema: GraphQLSchema = await buildApiSchema(pubsub);
  const rules = limitRules(limits, production);
  const costs = new CostCache();
  const wsDocuments = new DocumentCache(schema, rules, limits.maxTokens);
  const app = express();
  app.disable('x-powered-by');
  // POST /graphql with JSON (nearly all traffic) goes straight to Apollo; the rest through express.
  // (directGraphQL is defined below, once Apollo has started; no request arrives before listen().)
  const httpServer = createHttpServer((req, res) => (isDirectGraphQL(req) ? directGraphQL(req, res) : app(req, res)));
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: limits.maxBodyBytes });
  const wsCleanup = useServer<Record<string, unknown>, { auth?: AuthInfo; authorization?: string; session?: string }>(
    {
      schema,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = (params.authorization ?? params.Authorization) as string | undefined;
        if (header === undefined) {
          // The console: its session cookie, from this origin, with the session's CSRF token.
          const request = ctx.extra.request;
          const session = readCookie(request.headers.cookie, SESSION_COOKIE);
          if (!session || !sameOrigin(request.headers.origin, request.headers.host)) return false;
          const auth = await authenticateSession(services, { token: session, csrf: params.csrfToken }).catch(() => null);
          if (!auth) return false;
          ctx.extra.auth = auth;
          ctx.extra.session = session;
          return true;
        }
        const auth = await authenticate(database.db, header, services.authCache).catch(() => null);
        if (!auth) return false;
        ctx.extra.auth = auth;
        ctx.extra.authorization = header;
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // Same checks as HTTP: key (or session) still valid, rate limit, parse, validation + limits, cost.
        const auth = ctx.extra.session !== undefined
          ? await authenticateSession(services, { token: ctx.extra.session, csrf: false }).catch(() => null)
          : await authenticate(database.db, ctx.extra.authorization, services.authCache).catch(() => null);
        if (!auth) return [graphQLError('UNAUTHENTICATED', 'the API key of this connection is no longer valid', 401)];
        try {
          rateLimit(auth);
        } catch (error) {
          return [error as GraphQLError];
        }
        const checked = wsDocuments.check(payload.query);
        if (checked.errors) {
          // Like Apollo's hideSchemaDetailsFromClientErrors: no "Did you mean …?" in production.
          return production ? checked.errors.map((e) => new GraphQLError(e.message.replace(/ ?Did you mean .*\?$/, ''), { nodes: e.nodes })) : [...checked.errors];
        }
        const document = checked.document;
        const scopeError = checkOperationScopes(auth.scopes, document, payload.operationName);
        if (scopeError) return [scopeError];
        const variables = (payload.variables ?? {}) as Record<string, unknown>;
        let cost = 0;
        try {
          cost = costs.of(schema, document, variables, payload.operationName);
        } catch (error) {
          return [error instanceof GraphQLError ? error : graphQLError('BAD_USER_INPUT', 'invalid variables', 400)];
        }
        if (cost > limits.maxCost) return [costError(cost, limits)];
        const args: ExecutionArgs = {
          schema, document, variableValues: variables, operationName: payload.operationName,
          contextValue: createContext(services, auth, ctx.extra.authorization, ctx.extra.session),
        };
        return args;
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!('errors' in result) || !result.errors) return result;
        return { ...result, errors: result.errors.map((e) => maskError(e.toJSON(), e, log)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => {
        const masked = maskError(e.toJSON(), e, log);
        return new GraphQLError(masked.message, { extensions: masked.extensions });
      }),
    },
    wsServer,
  );

  const requestPlugin: ApolloServerPlugin<ApiContext> = {
    async requestDidStart() {
      let cost: number | undefined;
      return {
        async didResolveOperation({ request, document, schema: s, operation, contextValue }) {
          // A query only reads: all its fields share one tenant transaction (ended below).
          if (operation?.operation === 'query') contextValue.shareTransaction();
          const scopeError = checkOperationScopes(contextValue.auth?.scopes, document, request.operationName);
          if (scopeError) throw scopeError;
          try {
            cost = costs.of(s, document, request.variables ?? {}, request.operationName);
          } catch {
            // Variables that do not coerce: execution reports them (400 BAD_USER_INPUT) before any resolver runs.
            return;
          }
          if (cost > limits.maxCost) throw costError(cost, limits);
        },
        async executionDidStart({ contextValue }) {
          return { executionDidEnd: () => contextValue.endRequest() };
        },
        async willSendResponse({ response, contextValue }) {
          await contextValue.endRequest();
          // Answers are per caller: never cached (what Apollo's cache-control plugin, disabled below, sent).
          response.http.headers.set('cache-control', 'no-store');
          if (cost !== undefined && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost: { requested: cost, maximum: limits.maxCost } };
          }
        },
      };
    },
  };

  const apollo = new ApolloServer<ApiContext>({
    schema,
    validationRules: rules,
    introspection: !production,
    parseOptions: { maxTokens: limits.maxTokens },
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: false,
    // Bearer tokens need no CSRF defence; cookie (console) requests must carry the session's
    // CSRF token in the x-condense-csrf header, checked in the context below.
    csrfPrevention: false,
    formatError: (formatted, error) => maskError(formatted, error, log),
    plugins: [
      // The cache-control plugin would wrap every field resolver to collect cache hints we never
      // set (all answers are per caller, sent as no-store above): ~4 % of a query's CPU.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
      requestPlugin,
    ],
  });
  await apollo.start();

  const wrap = (handler: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response) => {
    handler(req, res).catch((error: unknown) => {
      log(`unexpected error on ${req.method} ${req.path}: ${(error as Error)?.stack ?? String(error)}`);
      httpError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    });
  };
  const graphqlContext = async (req: IncomingMessage): Promise<ApiContext> => {
    if (isOperatorBearer(config.adminToken, req.headers.authorization)) return { ...createContext(services, null), operator: true };
    const session = req.headers.authorization === undefined ? readCookie(req.headers.cookie, SESSION_COOKIE) : undefined;
    const auth = session
      ? await authenticateSession(services, { token: session, csrf: req.headers[CSRF_HEADER] })
      : await authenticate(database.db, req.headers.authorization, services.authCache);
    rateLimit(auth, req.socket.remoteAddress);
    return createContext(services, auth);
  };
  const directGraphQL = graphqlRoute({ apollo, context: graphqlContext, maxBodyBytes: limits.maxBodyBytes, log });
  // GET and anything not plain JSON: Apollo's express integration. First in the stack: every layer
  // before it would be a path match per request.
  app.use('/graphql', express.json({ limit: limits.maxBodyBytes }), expressMiddleware(apollo, { context: ({ req }) => graphqlContext(req) }));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.put('/uploads/:uploadId', wrap(uploadHandler(services)));
  app.post('/session', express.json({ limit: 10_000 }), wrap(signInHandler(services)));
  app.get('/session', wrap(sessionInfoHandler(services)));
  app.post('/session/sign-out', wrap(signOutHandler(services)));
  app.get('/downloads/:token', wrap(downloadHandler(services)));
  app.use('/v1/projects', appCors);
  app.get('/v1/projects/:projectId/channels/:channel/model', wrap(appModelHandler(services)));
  const telemetry = appTelemetryRoute(services, options.telemetryRateLimit);
  app.post('/v1/projects/:projectId/telemetry', telemetry.parse, wrap(telemetry.handler), telemetry.parseFailed);
  if (options.consoleDir !== false) app.use(consoleRouter(options.consoleDir ?? CONSOLE_DIST));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = error as { type?: string; status?: number };
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: `request body is larger than ${limits.maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      return;
    }
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    log(`unexpected HTTP error: ${(error as Error)?.stack ?? String(error)}`);
    res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
  });

  const host = options.host ?? config.host;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? config.port, host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${hostPart}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    graphqlUrl: `${baseUrl}/graphql`,
    wsUrl: `ws://${hostPart}:${address.port}/graphql`,
    httpServer,
    close: () =>
      (closing ??= (async () => {
        await apollo.stop(); // drains HTTP, then closes WebSocket connections (1001), ending their subscriptions
        stopFollowingSignOuts();
        hub.close();
        wsServer.close();
        await pubsub.close();
      })()),
  };
}

export { CloseCode };
