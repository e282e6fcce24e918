// Per-request context shared by HTTP and WebSocket operations.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { withTenant, type TenantTransaction } from '../db/tenant.ts';
import type { RunEventHub } from '../events/hub.ts';
import type { AuthCache, AuthInfo } from './auth.ts';
import type { BlobStoreLike, DatasetInspector, ModelInspector, PluginCatalog } from './dependencies.ts';
import { graphQLError } from './errors.ts';
import type { RunLauncher } from './launcher.ts';
import { RequestLoaders } from './request-loaders.ts';
import { RequestTransaction, yieldToIo } from './request-transaction.ts';
import type { SessionSigner, SignedOutSessions } from './session.ts';
import type { UrlSigner } from './signing.ts';

export interface ApiServices {
  database: Database;
  config: Config;
  blobs: BlobStoreLike;
  launcher: RunLauncher;
  hub: RunEventHub;
  signer: UrlSigner;
  inspectModel: ModelInspector;
  inspectDataset: DatasetInspector;
  plugins: PluginCatalog;
  /** Base URL for signed links, e.g. http://127.0.0.1:4000 (known once the server listens). */
  publicUrl(): string;
  /** Recently verified keys; cleared by mutations that change keys or members. */
  authCache: AuthCache;
  /** Console sessions (cookie sign-in): token signer, sign-outs of this process, lifetime. */
  sessions: { signer: SessionSigner; signedOut: SignedOutSessions; ttlSeconds: number };
  /** Lifetime of signed upload/download URLs. */
  signedUrlTtlSeconds: number;
  log(message: string): void;
}

export interface ApiContext {
  auth: AuthInfo | null;
  services: ApiServices;
  /** The Authorization header of a WebSocket connection, re-verified at every subscribe. */
  authorization?: string;
  /** The console session token of a cookie-authenticated WebSocket connection, re-verified likewise. */
  session?: string;
  /** The caller presented the server operator token (CONDENSE_ADMIN_TOKEN) instead of an API key. */
  operator?: boolean;
  /**
   * Runs `fn` inside a tenant transaction for the caller's org (the only door to tenant tables):
   * the request's shared one once `shareTransaction()` was called (queries), otherwise a
   * transaction of its own (mutations, subscriptions).
   */
  tenant<T>(fn: (trx: TenantTransaction) => Promise<T>): Promise<T>;
  /** Batched, per-request loads by id and of child pages (see request-loaders.ts). */
  loaders: RequestLoaders;
  /** From now on every tenant() call of this request shares one transaction (for read-only operations). */
  shareTransaction(): void;
  /** Ends the shared transaction, if one was opened; called by the server when execution is over. */
  endRequest(): Promise<void>;
}

export function createContext(services: ApiServices, auth: AuthInfo | null, authorization?: string, session?: string): ApiContext {
  let shared: RequestTransaction | undefined;
  const tenant = <T>(fn: (trx: TenantTransaction) => Promise<T>): Promise<T> => {
    if (!auth) throw graphQLError('UNAUTHENTICATED', 'authentication required', 401);
    if (shared) return shared.run(fn);
    return yieldToIo().then(() => withTenant(services.database.db, auth.orgId, fn));
  };
  return {
    auth,
    services,
    authorization,
    session,
    tenant,
    loaders: new RequestLoaders(tenant),
    shareTransaction() {
      if (auth) shared ??= new RequestTransaction(services.database.db, auth.orgId);
    },
    endRequest: () => shared?.end() ?? Promise.resolve(),
  };
}

/** The caller, for resolvers that run behind @Authorized (so auth is known to be present). */
export function caller(context: ApiContext): AuthInfo {
  if (!context.auth) throw graphQLError('UNAUTHENTICATED', 'authentication required', 401);
  return context.auth;
}
