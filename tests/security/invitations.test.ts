// Issue #12: invitations need consent. Inviting creates a pending invitation, not a membership:
// until the invitee accepts, they are no member (the database's row-level security sees no
// membership, and their keys reach nothing of the organization), and all they can learn is the
// organization's name and the role offered. They accept or decline with an API key of theirs (by
// id, from myInvitations) or with the one-time token; invitations expire and can be revoked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withTenant } from '../../services/db/tenant.ts';
import { gql, memberKey, ok, startHarness, type Harness } from '../api/harness.ts';

const INVITE = `mutation($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id email role status expiresAt } token userErrors { code message } } }`;
const ACCEPT = `mutation($input: InvitationAnswerInput!) { acceptInvitation(input: $input) { organizationName role secret apiKey { id } userErrors { code message } } }`;
const DECLINE = `mutation($input: InvitationAnswerInput!) { declineInvitation(input: $input) { declined userErrors { code message } } }`;
const MINE = '{ myInvitations { id organizationName role expiresAt } }';
const MEMBERS = '{ viewer { organization { members(first: 100) { edges { node { email role } } } } } }';
const INVITATIONS = `query($pending: Boolean!) { viewer { organization { invitations(first: 50, pendingOnly: $pending) { totalCount edges { node { email status } } } } } }`;

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());

const invite = async (email: string, role = 'MEMBER', extra: Record<string, unknown> = {}) => {
  const r = (await ok(h.server, h.a.ownerKey, INVITE, { input: { email, role, ...extra } })).inviteMember;
  assert.deepEqual(r.userErrors, []);
  return r as { invitation: { id: string; email: string; role: string; status: string }; token: string };
};
const membershipRows = (email: string) => withTenant(h.database.db, h.a.orgId, (trx) => trx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id')
  .select('m.role').where('u.email', '=', email).execute());

describe('an invitation', () => {
  it('is pending, not a membership: the invitee sees only the organization\'s name and the role', async () => {
    const theirKey = await memberKey(h, h.b, 'owner', 'pat@org-b.test');
    const { invitation } = await invite('Pat@Org-B.test', 'ADMIN');
    assert.equal(invitation.status, 'PENDING');
    assert.equal(invitation.email, 'pat@org-b.test');

    // Not a member, as the database sees it, nor as the organization's member list shows it.
    assert.deepEqual(await membershipRows('pat@org-b.test'), []);
    assert.doesNotMatch(JSON.stringify(await ok(h.server, h.a.ownerKey, MEMBERS)), /pat@org-b/);
    // Their key still reaches only their own organization; they cannot read the invitations of A.
    const theirs = await ok(h.server, theirKey, '{ viewer { organization { slug invitations(first: 5) { totalCount } } } }');
    assert.equal(theirs.viewer.organization.slug, 'org-b');
    assert.equal(theirs.viewer.organization.invitations.totalCount, 0);
    const rowsSeenFromB = await withTenant(h.database.db, h.b.orgId, (trx) => trx.selectFrom('invitations').select('id').execute());
    assert.deepEqual(rowsSeenFromB, [], 'row-level security: B\'s transactions see none of A\'s invitations');

    // What they see: the name and the role, and nothing else (the type has no other field).
    const mine = (await ok(h.server, theirKey, MINE)).myInvitations;
    assert.equal(mine.length, 1);
    assert.deepEqual(Object.keys(mine[0]).sort(), ['expiresAt', 'id', 'organizationName', 'role']);
    assert.equal(mine[0].organizationName, 'org-a');
    assert.equal(mine[0].role, 'ADMIN');
    const type = await ok(h.server, theirKey, '{ __type(name: "ReceivedInvitation") { fields { name } } }');
    assert.deepEqual(type.__type.fields.map((f: { name: string }) => f.name).sort(), ['expiresAt', 'id', 'organizationName', 'role']);

    // Someone else cannot answer it by id.
    const stranger = await memberKey(h, h.b, 'member', 'stranger@org-b.test');
    const stolen = (await ok(h.server, stranger, ACCEPT, { input: { invitationId: mine[0].id } })).acceptInvitation;
    assert.equal(stolen.userErrors[0].code, 'NOT_FOUND');
    assert.deepEqual(await membershipRows('stranger@org-b.test'), []);

    // Accepting makes them a member with the role offered, and gives them a key for A.
    const accepted = (await ok(h.server, theirKey, ACCEPT, { input: { invitationId: mine[0].id } })).acceptInvitation;
    assert.deepEqual(accepted.userErrors, []);
    assert.equal(accepted.organizationName, 'org-a');
    assert.equal(accepted.role, 'ADMIN');
    assert.deepEqual(await membershipRows('pat@org-b.test'), [{ role: 'admin' }]);
    const inA = await ok(h.server, accepted.secret, '{ viewer { role organization { slug } } }');
    assert.deepEqual(inA.viewer, { role: 'ADMIN', organization: { slug: 'org-a' } });
    assert.deepEqual((await ok(h.server, theirKey, MINE)).myInvitations, []);
    const again = (await ok(h.server, theirKey, ACCEPT, { input: { invitationId: mine[0].id } })).acceptInvitation;
    assert.equal(again.userErrors[0].code, 'NOT_FOUND');
    const all = (await ok(h.server, h.a.ownerKey, INVITATIONS, { pending: false })).viewer.organization.invitations.edges.map((e: any) => e.node);
    assert.ok(all.some((n: any) => n.email === 'pat@org-b.test' && n.status === 'ACCEPTED'));
  });

  it('can be declined with the token, without any API key; then it cannot be accepted', async () => {
    const { token } = await invite('quinn@nowhere.test');
    const declined = await gql(h.server, null, DECLINE, { input: { token } });
    assert.deepEqual(declined.body.data?.declineInvitation, { declined: true, userErrors: [] }, JSON.stringify(declined.body));
    const late = await gql(h.server, null, ACCEPT, { input: { token } });
    assert.equal(late.body.data?.acceptInvitation.userErrors[0].code, 'NOT_FOUND');
    assert.deepEqual(await membershipRows('quinn@nowhere.test'), []);
  });

  it('lets a person with no key yet join with the token', async () => {
    const { token } = await invite('new.person@nowhere.test', 'VIEWER');
    const res = await gql(h.server, null, ACCEPT, { input: { token } });
    const accepted = res.body.data?.acceptInvitation;
    assert.deepEqual(accepted?.userErrors, [], JSON.stringify(res.body));
    assert.equal((await ok(h.server, accepted.secret, '{ viewer { role } }')).viewer.role, 'VIEWER');
    assert.equal((await gql(h.server, null, ACCEPT, { input: { token: token.slice(0, -2) + 'xx' } })).body.data?.acceptInvitation.userErrors[0].code, 'NOT_FOUND');
  });

  it('expires', async () => {
    const { invitation, token } = await invite('late@nowhere.test');
    const uuid = Buffer.from(invitation.id, 'base64url').toString('utf8').split(':')[1]!;
    await withTenant(h.database.db, h.a.orgId, (trx) => trx.updateTable('invitations').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', uuid).execute());
    const res = await gql(h.server, null, ACCEPT, { input: { token } });
    assert.equal(res.body.data?.acceptInvitation.userErrors[0].code, 'INVITATION_EXPIRED');
    assert.deepEqual(await membershipRows('late@nowhere.test'), []);
    const pending = (await ok(h.server, h.a.ownerKey, INVITATIONS, { pending: true })).viewer.organization.invitations.edges.map((e: any) => e.node.email);
    assert.ok(!pending.includes('late@nowhere.test'));
    const all = (await ok(h.server, h.a.ownerKey, INVITATIONS, { pending: false })).viewer.organization.invitations.edges.map((e: any) => e.node);
    assert.ok(all.some((n: any) => n.email === 'late@nowhere.test' && n.status === 'EXPIRED'));
    const tooLong = (await ok(h.server, h.a.ownerKey, INVITE, { input: { email: 'x@nowhere.test', role: 'MEMBER', expiresInDays: 31 } })).inviteMember;
    assert.equal(tooLong.userErrors[0].code, 'INVALID_INPUT');
  });

  it('can be revoked by an admin; re-inviting replaces the pending one', async () => {
    const first = await invite('rory@nowhere.test');
    const second = await invite('rory@nowhere.test');
    assert.equal((await gql(h.server, null, ACCEPT, { input: { token: first.token } })).body.data?.acceptInvitation.userErrors[0].code, 'NOT_FOUND');
    const revoked = await ok(h.server, h.a.ownerKey, `mutation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) { revokedInvitationId userErrors { code } } }`, { input: { invitationId: second.invitation.id } });
    assert.deepEqual(revoked.revokeInvitation.userErrors, []);
    assert.equal((await gql(h.server, null, ACCEPT, { input: { token: second.token } })).body.data?.acceptInvitation.userErrors[0].code, 'NOT_FOUND');
    assert.deepEqual(await membershipRows('rory@nowhere.test'), []);
  });

  it('is managed by admins only, and answered only by keys allowed to join', async () => {
    const member = await memberKey(h, h.a, 'member', 'plain@org-a.test');
    assert.equal((await gql(h.server, member, INVITATIONS, { pending: true })).body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal((await gql(h.server, member, INVITE, { input: { email: 'y@nowhere.test', role: 'VIEWER' } })).body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const { token } = await invite('scoped@nowhere.test');
    const readOnly = (await ok(h.server, h.b.ownerKey, `mutation { createApiKey(input: { name: "read only", scopes: ["read"] }) { secret } }`)).createApiKey.secret;
    const refused = await gql(h.server, readOnly, ACCEPT, { input: { token } });
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.deepEqual(await membershipRows('scoped@nowhere.test'), []);
  });
});
