// Organization: projects, teams, members and roles, pending invitations, API keys, audit log.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Link } from 'wouter';
import { QueryState, UserErrors } from '../components/Status.tsx';
import { formatDate } from '../format.ts';
import { graphql } from '../gql/index.ts';
import type { Role } from '../gql/graphql.ts';
import { canAdminister, canChange } from '../session.ts';
import { useSession } from '../session-context.ts';

const OrgQuery = graphql(`
  query Org($admin: Boolean!) {
    viewer {
      role
      member { id displayName email }
      organization {
        id name slug
        members(first: 50) { edges { node { id displayName email role joinedAt } } }
        teams(first: 20) { edges { node { id name members(first: 1) { totalCount } } } }
        invitations(first: 20) @include(if: $admin) { totalCount edges { node { id email role expiresAt } } }
        apiKeys(first: 30) @include(if: $admin) { edges { node { id name prefix scopes createdAt lastUsedAt revokedAt } } }
        auditLog(first: 25) @include(if: $admin) { totalCount edges { node { id action actorName actorEmail actorKeyName targetType details createdAt } } }
      }
    }
    projects(first: 30) { edges { node { id name description createdAt team { name } runs(first: 1) { totalCount } } } }
  }
`);

const CreateProject = graphql(`
  mutation CreateProject($input: CreateProjectInput!) {
    createProject(input: $input) { project { id name } userErrors { message } }
  }
`);
const CreateTeam = graphql(`
  mutation CreateTeam($input: CreateTeamInput!) { createTeam(input: $input) { team { id } userErrors { message } } }
`);
const InviteMember = graphql(`
  mutation InviteMember($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } token userErrors { message } } }
`);
const RevokeInvitation = graphql(`
  mutation RevokeInvitation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) { revokedInvitationId userErrors { message } } }
`);
const ChangeRole = graphql(`
  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { member { id role } userErrors { message } } }
`);
const CreateKey = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } userErrors { message } } }
`);
const RevokeKey = graphql(`
  mutation RevokeApiKey($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id revokedAt } userErrors { message } } }
`);

const ROLES: Role[] = ['VIEWER', 'MEMBER', 'ADMIN', 'OWNER'];

export function OrgPage() {
  const session = useSession();
  const admin = canAdminister(session.role);
  const [{ data, fetching, error }, refetch] = useQuery({ query: OrgQuery, variables: { admin } });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const org = data?.viewer.organization;
  return (
    <>
      <h1>{org?.name ?? 'Organization'}</h1>
      <QueryState fetching={fetching && !data} error={error} />
      {data && org && (
        <div className="grid">
          <section aria-labelledby="projects" className="card wide">
            <h2 id="projects">Projects</h2>
            {data.projects.edges.length === 0 ? <p>No projects yet.</p> : (
              <ul className="list">
                {data.projects.edges.map(({ node }) => (
                  <li key={node.id}>
                    <Link href={`/projects/${node.id}`}>{node.name}</Link>
                    <span className="muted"> · {node.runs.totalCount} runs{node.team ? ` · team ${node.team.name}` : ''}</span>
                    {node.description && <div className="muted">{node.description}</div>}
                  </li>
                ))}
              </ul>
            )}
            {canChange(session.role) && <NewProjectForm onDone={refresh} />}
          </section>
          <section aria-labelledby="members" className="card">
            <h2 id="members">Members</h2>
            <MembersTable members={org.members.edges.map((e) => e.node)} selfId={data.viewer.member.id} admin={admin} onChanged={refresh} />
            {admin && org.invitations && <PendingInvitations invitations={org.invitations.edges.map((e) => e.node)} onChanged={refresh} />}
            {admin && <InviteForm onDone={refresh} />}
          </section>
          <section aria-labelledby="teams" className="card">
            <h2 id="teams">Teams</h2>
            {org.teams.edges.length === 0 ? <p>No teams yet.</p> : (
              <ul className="list">{org.teams.edges.map(({ node }) => <li key={node.id}>{node.name} <span className="muted">· {node.members.totalCount} members</span></li>)}</ul>
            )}
            {admin && <NameForm label="New team name" button="Create team" mutation={CreateTeam} onDone={refresh} />}
          </section>
          {admin && org.apiKeys && (
            <section aria-labelledby="keys" className="card wide">
              <h2 id="keys">API keys</h2>
              <KeysTable keys={org.apiKeys.edges.map((e) => e.node)} onChanged={refresh} />
              <NewKeyForm onDone={refresh} />
            </section>
          )}
          {admin && org.auditLog && (
            <section aria-labelledby="audit" className="card wide">
              <h2 id="audit">Audit log</h2>
              <AuditTable entries={org.auditLog.edges.map((e) => e.node)} total={org.auditLog.totalCount} />
            </section>
          )}
        </div>
      )}
    </>
  );
}

function NewProjectForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [result, run] = useMutation(CreateProject);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await run({ input: { name, description: description || null } });
    if (r.data?.createProject.project) {
      setName('');
      setDescription('');
      onDone();
    }
  }
  return (
    <form onSubmit={submit} className="inline-form" aria-label="New project">
      <label>Project name <input value={name} onChange={(e) => setName(e.target.value)} required /></label>
      <label>Description <input value={description} onChange={(e) => setDescription(e.target.value)} /></label>
      <button type="submit" disabled={result.fetching}>Create project</button>
      <UserErrors errors={result.data?.createProject.userErrors} />
    </form>
  );
}

function NameForm({ label, button, mutation, onDone }: { label: string; button: string; mutation: typeof CreateTeam; onDone: () => void }) {
  const [name, setName] = useState('');
  const [result, run] = useMutation(mutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await run({ input: { name } });
    if (r.data?.createTeam.team) {
      setName('');
      onDone();
    }
  }
  return (
    <form onSubmit={submit} className="inline-form" aria-label={button}>
      <label>{label} <input value={name} onChange={(e) => setName(e.target.value)} required /></label>
      <button type="submit" disabled={result.fetching}>{button}</button>
      <UserErrors errors={result.data?.createTeam.userErrors} />
    </form>
  );
}

interface MemberRow { id: string; displayName: string; email: string; role: Role; joinedAt: string }

function MembersTable({ members, selfId, admin, onChanged }: { members: MemberRow[]; selfId: string; admin: boolean; onChanged: () => void }) {
  const [result, change] = useMutation(ChangeRole);
  return (
    <>
      <table>
        <thead><tr><th scope="col">Member</th><th scope="col">Role</th></tr></thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.id}>
              <td>{m.displayName}<div className="muted">{m.email}{m.id === selfId ? ' (you)' : ''}</div></td>
              <td>
                {admin ? (
                  <select aria-label={`Role of ${m.email}`} value={m.role} onChange={async (e) => { await change({ input: { memberId: m.id, role: e.target.value as Role } }); onChanged(); }}>
                    {ROLES.map((r) => <option key={r} value={r}>{r.toLowerCase()}</option>)}
                  </select>
                ) : m.role.toLowerCase()}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <UserErrors errors={result.data?.changeMemberRole.userErrors} />
    </>
  );
}

interface InvitationRow { id: string; email: string; role: Role; expiresAt: string }

/** Invitations not yet accepted: the person is not a member until they accept. */
function PendingInvitations({ invitations, onChanged }: { invitations: InvitationRow[]; onChanged: () => void }) {
  const [result, revoke] = useMutation(RevokeInvitation);
  if (invitations.length === 0) return null;
  return (
    <>
      <h3>Pending invitations</h3>
      <table aria-label="Pending invitations">
        <thead><tr><th scope="col">Invited</th><th scope="col">Role</th><th scope="col">Expires</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {invitations.map((i) => (
            <tr key={i.id}>
              <td>{i.email}</td>
              <td>{i.role.toLowerCase()}</td>
              <td>{formatDate(i.expiresAt)}</td>
              <td><button type="button" className="danger" onClick={async () => { if (confirm(`Revoke the invitation of ${i.email}?`)) { await revoke({ input: { invitationId: i.id } }); onChanged(); } }}>Revoke</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <UserErrors errors={result.data?.revokeInvitation.userErrors} />
    </>
  );
}

function InviteForm({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('MEMBER');
  const [sent, setSent] = useState<{ email: string; token: string } | null>(null);
  const [result, run] = useMutation(InviteMember);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await run({ input: { email, role } });
    if (r.data?.inviteMember.invitation && r.data.inviteMember.token) {
      setSent({ email, token: r.data.inviteMember.token });
      setEmail('');
      onDone();
    }
  }
  return (
    <form onSubmit={submit} className="inline-form" aria-label="Invite member">
      <label>Email <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required /></label>
      <label>Role <select value={role} onChange={(e) => setRole(e.target.value as Role)}>{ROLES.map((r) => <option key={r} value={r}>{r.toLowerCase()}</option>)}</select></label>
      <button type="submit" disabled={result.fetching}>Invite</button>
      <UserErrors errors={result.data?.inviteMember.userErrors} />
      {sent && (
        <p className="notice" role="status">
          Invited {sent.email}: they become a member when they accept (they see it under myInvitations with a key of theirs).
          Someone without a key accepts with this token (shown once): <code className="secret">{sent.token}</code>
        </p>
      )}
    </form>
  );
}

interface KeyRow { id: string; name: string; prefix: string; scopes: string[]; createdAt: string; lastUsedAt?: string | null; revokedAt?: string | null }

function KeysTable({ keys, onChanged }: { keys: KeyRow[]; onChanged: () => void }) {
  const [result, revoke] = useMutation(RevokeKey);
  return (
    <div className="scroll">
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scopes</th><th scope="col">Last used</th><th scope="col">State</th></tr></thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td><code>{k.prefix}…</code></td>
              <td>{k.scopes.join(', ') || 'all'}</td>
              <td>{formatDate(k.lastUsedAt)}</td>
              <td>{k.revokedAt ? `revoked ${formatDate(k.revokedAt)}` : (
                <button type="button" className="danger" onClick={async () => { if (confirm(`Revoke ${k.name}? Sessions signed in with it end too.`)) { await revoke({ input: { apiKeyId: k.id } }); onChanged(); } }}>Revoke</button>
              )}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <UserErrors errors={result.data?.revokeApiKey.userErrors} />
    </div>
  );
}

function NewKeyForm({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  const [result, run] = useMutation(CreateKey);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await run({ input: { name } });
    if (r.data?.createApiKey.secret) {
      setSecret(r.data.createApiKey.secret);
      setName('');
      onDone();
    }
  }
  return (
    <form onSubmit={submit} className="inline-form" aria-label="New API key">
      <label>Key name <input value={name} onChange={(e) => setName(e.target.value)} required /></label>
      <button type="submit" disabled={result.fetching}>Create key</button>
      <UserErrors errors={result.data?.createApiKey.userErrors} />
      {secret && <p className="notice" role="status">New key (shown once, copy it now): <code className="secret">{secret}</code></p>}
    </form>
  );
}

type AuditRow = { id: string; action: string; actorName?: string | null; actorEmail?: string | null; actorKeyName?: string | null; targetType?: string | null; details: unknown; createdAt: unknown };

/** The newest audited changes: when, who (and with which key), what, and its details. */
function AuditTable({ entries, total }: { entries: AuditRow[]; total: number }) {
  if (entries.length === 0) return <p>Nothing audited yet.</p>;
  return (
    <>
      <div className="scroll" tabIndex={0} role="region" aria-label="Audit log (scrolls sideways)">
        <table>
          <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Details</th></tr></thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{formatDate(e.createdAt as string)}</td>
                <td>{e.actorName ?? e.actorEmail ?? 'operator'}{e.actorKeyName && <div className="muted">key {e.actorKeyName}</div>}</td>
                <td><code>{e.action}</code>{e.targetType && <div className="muted">{e.targetType}</div>}</td>
                <td className="muted">{Object.entries((e.details ?? {}) as Record<string, unknown>).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {total > entries.length && <p className="muted">The newest {entries.length} of {total.toLocaleString()} entries.</p>}
    </>
  );
}
