// API-key scopes: what a key may do, on top of what its holder's role allows. A key without
// scopes (the default) may do everything its role may; a key with scopes may do only what they
// name. Every query and subscription needs `read`; each mutation needs the one scope below.
// Scopes never widen a role: a member's key with `admin` still cannot manage keys.
import { getOperationAST, Kind, type DocumentNode, type GraphQLError, type SelectionSetNode } from 'graphql';
import { graphQLError } from './errors.ts';

export const SCOPES = ['read', 'write', 'runs', 'deploy', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** The scope each mutation needs. A mutation missing here needs `admin` (a test keeps this complete). */
export const MUTATION_SCOPES: Record<string, Scope> = {
  createUpload: 'write', completeModelUpload: 'write', completeDatasetUpload: 'write',
  createProject: 'write', updateProject: 'write', archiveProject: 'write',
  startRun: 'runs', cancelRun: 'runs', retryRun: 'runs',
  publishCandidate: 'deploy', rollbackDeployment: 'deploy', setChannelRollout: 'deploy', rollbackChannelRollout: 'deploy',
  createAppKey: 'deploy', revokeAppKey: 'deploy',
  inviteMember: 'admin', changeMemberRole: 'admin', removeMember: 'admin', createTeam: 'admin', addTeamMember: 'admin',
  removeTeamMember: 'admin', createApiKey: 'admin', revokeApiKey: 'admin', revokeInvitation: 'admin',
  // Joining another organization, or refusing to: a key limited to other scopes may not.
  acceptInvitation: 'admin', declineInvitation: 'admin',
  // Operator-token mutation: API keys never reach it.
  createOrganization: 'admin',
};

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Throws FORBIDDEN when a key with these scopes may not perform `scope`. */
export function requireScope(scopes: readonly string[], scope: Scope, what: string): void {
  if (scopes.length === 0 || scopes.includes(scope)) return;
  throw graphQLError('FORBIDDEN', `this API key lacks the "${scope}" scope needed for ${what} (its scopes: ${scopes.join(', ')})`, 403);
}

/** Root field names of the operation (fragments on the root type followed). */
function rootFields(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): string[] {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) names.push(...rootFields(selection.selectionSet, document, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) names.push(...rootFields(fragment.selectionSet, document, seen));
    }
  }
  return names;
}

/**
 * The scope check of one operation, before it executes (HTTP and WebSocket): queries and
 * subscriptions need `read`, each mutation field its scope. Returns the error, or null.
 */
export function checkOperationScopes(scopes: readonly string[] | undefined, document: DocumentNode, operationName?: string | null): GraphQLError | null {
  if (!scopes || scopes.length === 0) return null;
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return null; // execution reports the missing operation
  try {
    if (operation.operation !== 'mutation') {
      const fields = rootFields(operation.selectionSet, document).filter((f) => f !== '__typename');
      if (fields.length > 0) requireScope(scopes, 'read', operation.operation === 'query' ? 'queries' : 'subscriptions');
    } else {
      for (const field of rootFields(operation.selectionSet, document)) {
        if (field !== '__typename') requireScope(scopes, MUTATION_SCOPES[field] ?? 'admin', field);
      }
    }
    return null;
  } catch (error) {
    return error as GraphQLError;
  }
}
