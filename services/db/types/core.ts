// Kysely row types for the core multi-tenant tables (migrations/0001_core.ts).
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** timestamptz: pg returns Date; accept Date or ISO string on write. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** timestamptz with a database default. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export const MEMBERSHIP_ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number];

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  /** Lower-case URL-safe identifier, unique across the installation. */
  slug: string;
  created_at: CreatedAt;
}

/** Users are global (one person may belong to several organizations). */
export interface UsersTable {
  id: Generated<string>;
  /** Stored lower-cased. */
  email: string;
  display_name: Generated<string>;
  created_at: CreatedAt;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: MembershipRole;
  /** The person's name as this organization knows it (migration 0014): never another org's. */
  display_name: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
}

export interface TeamsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  created_at: CreatedAt;
}

export interface TeamMembersTable {
  org_id: string;
  team_id: string;
  user_id: string;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  name: string;
  /** Non-secret display prefix, e.g. `cnd_3fA9x2Qk`. */
  prefix: string;
  /** Hex SHA-256 of the whole secret; the secret itself is never stored. */
  secret_hash: string;
  scopes: Generated<string[]>;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface ProjectsTable {
  id: Generated<string>;
  org_id: string;
  team_id: string | null;
  name: string;
  description: Generated<string>;
  created_at: CreatedAt;
  archived_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<string>;
  org_id: string;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: ColumnType<Record<string, unknown>, Record<string, unknown> | string | undefined, never>;
  created_at: CreatedAt;
}

/** A pending (or answered) invitation to an organization (migration 0016). */
export interface InvitationsTable {
  id: Generated<string>;
  org_id: string;
  /** Stored lower-cased. */
  email: string;
  /** The name the inviter gave (becomes the membership's display name). */
  display_name: ColumnType<string, string | undefined, string>;
  role: MembershipRole;
  invited_by_user_id: string | null;
  /** sha256 (hex) of the one-time token the inviter hands to the invitee. */
  token_hash: string;
  status: ColumnType<'pending' | 'accepted' | 'declined' | 'revoked', 'pending' | undefined, 'accepted' | 'declined' | 'revoked'>;
  created_at: CreatedAt;
  expires_at: Timestamp;
  responded_at: ColumnType<Date | null, never, Date | string>;
}

/** Console sessions signed out before their expiry (migration 0016); not tenant data. */
export interface SignedOutSessionsTable {
  nonce: string;
  expires_at: Timestamp;
}

export interface CoreTables {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  api_keys: ApiKeysTable;
  projects: ProjectsTable;
  audit_log: AuditLogTable;
  invitations: InvitationsTable;
  signed_out_sessions: SignedOutSessionsTable;
}

export type Organization = Selectable<OrganizationsTable>;
export type User = Selectable<UsersTable>;
export type Membership = Selectable<MembershipsTable>;
export type Team = Selectable<TeamsTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type NewApiKey = Insertable<ApiKeysTable>;
export type Project = Selectable<ProjectsTable>;
export type ProjectUpdate = Updateable<ProjectsTable>;
export type AuditEntry = Selectable<AuditLogTable>;
