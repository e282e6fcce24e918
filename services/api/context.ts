// Per-request context shared by HTTP and WebSocket operations.
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { withTenant, type TenantTransaction } from '../db/tenant.ts';
import type { RunEventHub } from '../events/hub.ts';
import type { AuthCache, AuthInfo } from './auth.ts';
import type { BlobStoreLike, DatasetInspector, ModelInspector, PluginCatalog } from './dependencies.ts';
import { graphQLError } from './errors.ts';
import type { RunLauncher } from './launcher.ts';
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
  /** Runs `fn` inside withTenant for the caller's org (the only door to tenant tables). */
  tenant<T>(fn: (trx: TenantTransaction) => Promise<T>): Promise<T>;
}

export function createContext(services: ApiServices, auth: AuthInfo | null, authorization?: string, session?: string): ApiContext {
  return {
    auth,
    services,
    authorization,
    session,
    tenant(fn) {
      if (!auth) throw graphQLError('UNAUTHENTICATED', 'authentication required', 401);
      // Yield to I/O first: embedded PGlite resolves queries as microtasks, and a chain of them
      // would otherwise starve every other socket until it ends (unfair latency under load).
      return new Promise<void>((resolve) => setImmediate(resolve)).then(() => withTenant(services.database.db, auth.orgId, fn));
    },
  };
}

/** The caller, for resolvers that run behind @Authorized (so auth is known to be present). */
export function caller(context: ApiContext): AuthInfo {
  if (!context.auth) throw graphQLError('UNAUTHENTICATED', 'authentication required', 401);
  return context.auth;
}
