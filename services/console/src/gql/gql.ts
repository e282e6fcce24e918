/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Deployments($id: ID!) {\n    node(id: $id) {\n      ... on Project {\n        id\n        deployments(first: 100) {\n          edges { node {\n            id channel createdAt rollbackOf { id }\n            candidate { id key targetFit { target } metrics { accuracy bytes } run { id } }\n          } }\n        }\n      }\n    }\n  }\n": typeof types.DeploymentsDocument,
    "\n  mutation RollbackDeployment($input: RollbackDeploymentInput!) {\n    rollbackDeployment(input: $input) { deployment { id } userErrors { message } }\n  }\n": typeof types.RollbackDeploymentDocument,
    "\n  query NewRun($id: ID!) {\n    node(id: $id) {\n      ... on Project {\n        id name\n        models(first: 20) { edges { node { id name versions(first: 10) { edges { node { id version parameterCount } } } } } }\n        datasets(first: 30) { edges { node { id name sampleCount } } }\n      }\n    }\n    hardwareTargets { id targetId name description runtime format preferredQuantization maxFileBytes maxActivationBytes tensorTypes ops }\n    plugins { id name version kind summary configSchema hardwareTargets }\n  }\n": typeof types.NewRunDocument,
    "\n  mutation StartRun($input: StartRunInput!) { startRun(input: $input) { run { id } userErrors { message field } } }\n": typeof types.StartRunDocument,
    "\n  query Org($admin: Boolean!) {\n    viewer {\n      role\n      member { id displayName email }\n      organization {\n        id name slug\n        members(first: 50) { edges { node { id displayName email role joinedAt } } }\n        teams(first: 20) { edges { node { id name members(first: 1) { totalCount } } } }\n        invitations(first: 20) @include(if: $admin) { totalCount edges { node { id email role expiresAt } } }\n        apiKeys(first: 30) @include(if: $admin) { edges { node { id name prefix scopes createdAt lastUsedAt revokedAt } } }\n        auditLog(first: 25) @include(if: $admin) { totalCount edges { node { id action actorName actorEmail actorKeyName targetType details createdAt } } }\n      }\n    }\n    projects(first: 30) { edges { node { id name description createdAt team { name } runs(first: 1) { totalCount } } } }\n  }\n": typeof types.OrgDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { project { id name } userErrors { message } }\n  }\n": typeof types.CreateProjectDocument,
    "\n  mutation CreateTeam($input: CreateTeamInput!) { createTeam(input: $input) { team { id } userErrors { message } } }\n": typeof types.CreateTeamDocument,
    "\n  mutation InviteMember($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } token userErrors { message } } }\n": typeof types.InviteMemberDocument,
    "\n  mutation RevokeInvitation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) { revokedInvitationId userErrors { message } } }\n": typeof types.RevokeInvitationDocument,
    "\n  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { member { id role } userErrors { message } } }\n": typeof types.ChangeMemberRoleDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } userErrors { message } } }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id revokedAt } userErrors { message } } }\n": typeof types.RevokeApiKeyDocument,
    "\n  query Project($id: ID!, $admin: Boolean!) {\n    node(id: $id) {\n      ... on Project {\n        id name description\n        models(first: 8) {\n          edges { node { id name versions(first: 3) { edges { node {\n            id version format parameterCount bytes createdAt\n            signature { inputs { name dtype shape } outputs { name dtype shape } }\n          } } } } }\n        }\n        datasets(first: 15) { edges { node { id name format kind sampleCount inputShape labels splits { split count } createdAt } } }\n        runs(first: 15) { edges { node { id status phase targets createdAt finishedAt modelVersion { version model { name } } dataset { name } } } }\n        appKeys(first: 20) @include(if: $admin) { edges { node { id name prefix createdAt lastUsedAt revokedAt } } }\n      }\n    }\n  }\n": typeof types.ProjectDocument,
    "\n  mutation CreateAppKey($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret appKey { id } userErrors { message } } }\n": typeof types.CreateAppKeyDocument,
    "\n  mutation RevokeAppKey($input: RevokeAppKeyInput!) { revokeAppKey(input: $input) { appKey { id revokedAt } userErrors { message } } }\n": typeof types.RevokeAppKeyDocument,
    "\n  query Run($id: ID!) {\n    node(id: $id) {\n      ... on CompressionRun {\n        id status phase message targets autoTechniques cancelRequested createdAt startedAt finishedAt budgetSeconds budgetIsDefault\n        project { id name }\n        modelVersion { version parameterCount model { name } }\n        dataset { name }\n        techniques { plugin }\n        constraints { maxBytes minAccuracy maxAccuracyDrop maxLatencyMs }\n        retryOf { id }\n      }\n    }\n  }\n": typeof types.RunDocument,
    "\n  subscription RunEvents($runId: ID!, $after: String) {\n    runEvents(runId: $runId, after: $after) {\n      cursor type phase candidateKey epoch step loss etaSeconds samplesPerSecond metrics data message\n    }\n  }\n": typeof types.RunEventsDocument,
    "\n  mutation CancelRun($input: RunIdInput!) { cancelRun(input: $input) { run { id status cancelRequested } userErrors { message } } }\n": typeof types.CancelRunDocument,
    "\n  mutation RetryRun($input: RunIdInput!) { retryRun(input: $input) { run { id } userErrors { message } } }\n": typeof types.RetryRunDocument,
    "\n  query RunResults($id: ID!) {\n    node(id: $id) {\n      ... on CompressionRun {\n        id\n        candidates(first: 50) {\n          edges { node {\n            id key status pareto quantization notes\n            techniqueChain { plugin }\n            targetFit { target fits failures { rule message } }\n            metrics { accuracy bytes compressionRatio estimatedLatencyMs hostLatencyMs parameterCount speedup }\n            failure { stage message }\n            downloads { tflite tfjs }\n            fieldStats { overall { reports latencyP50Ms latencyP90Ms } }\n          } }\n        }\n      }\n    }\n  }\n": typeof types.RunResultsDocument,
    "\n  mutation PublishCandidate($input: PublishCandidateInput!) {\n    publishCandidate(input: $input) { deployment { id channel } userErrors { message } }\n  }\n": typeof types.PublishCandidateDocument,
    "\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) { upload { id } uploadUrl userErrors { message } }\n  }\n": typeof types.CreateUploadDocument,
    "\n  mutation CompleteModelUpload($input: CompleteModelUploadInput!) {\n    completeModelUpload(input: $input) {\n      modelVersion { id version format parameterCount bytes layerTypes signature { inputs { name dtype shape } outputs { name dtype shape } } }\n      userErrors { message }\n    }\n  }\n": typeof types.CompleteModelUploadDocument,
    "\n  mutation CompleteDatasetUpload($input: CompleteDatasetUploadInput!) {\n    completeDatasetUpload(input: $input) {\n      dataset { id name format kind sampleCount inputShape labels splits { split count } }\n      userErrors { message }\n    }\n  }\n": typeof types.CompleteDatasetUploadDocument,
};
const documents: Documents = {
    "\n  query Deployments($id: ID!) {\n    node(id: $id) {\n      ... on Project {\n        id\n        deployments(first: 100) {\n          edges { node {\n            id channel createdAt rollbackOf { id }\n            candidate { id key targetFit { target } metrics { accuracy bytes } run { id } }\n          } }\n        }\n      }\n    }\n  }\n": types.DeploymentsDocument,
    "\n  mutation RollbackDeployment($input: RollbackDeploymentInput!) {\n    rollbackDeployment(input: $input) { deployment { id } userErrors { message } }\n  }\n": types.RollbackDeploymentDocument,
    "\n  query NewRun($id: ID!) {\n    node(id: $id) {\n      ... on Project {\n        id name\n        models(first: 20) { edges { node { id name versions(first: 10) { edges { node { id version parameterCount } } } } } }\n        datasets(first: 30) { edges { node { id name sampleCount } } }\n      }\n    }\n    hardwareTargets { id targetId name description runtime format preferredQuantization maxFileBytes maxActivationBytes tensorTypes ops }\n    plugins { id name version kind summary configSchema hardwareTargets }\n  }\n": types.NewRunDocument,
    "\n  mutation StartRun($input: StartRunInput!) { startRun(input: $input) { run { id } userErrors { message field } } }\n": types.StartRunDocument,
    "\n  query Org($admin: Boolean!) {\n    viewer {\n      role\n      member { id displayName email }\n      organization {\n        id name slug\n        members(first: 50) { edges { node { id displayName email role joinedAt } } }\n        teams(first: 20) { edges { node { id name members(first: 1) { totalCount } } } }\n        invitations(first: 20) @include(if: $admin) { totalCount edges { node { id email role expiresAt } } }\n        apiKeys(first: 30) @include(if: $admin) { edges { node { id name prefix scopes createdAt lastUsedAt revokedAt } } }\n        auditLog(first: 25) @include(if: $admin) { totalCount edges { node { id action actorName actorEmail actorKeyName targetType details createdAt } } }\n      }\n    }\n    projects(first: 30) { edges { node { id name description createdAt team { name } runs(first: 1) { totalCount } } } }\n  }\n": types.OrgDocument,
    "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { project { id name } userErrors { message } }\n  }\n": types.CreateProjectDocument,
    "\n  mutation CreateTeam($input: CreateTeamInput!) { createTeam(input: $input) { team { id } userErrors { message } } }\n": types.CreateTeamDocument,
    "\n  mutation InviteMember($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } token userErrors { message } } }\n": types.InviteMemberDocument,
    "\n  mutation RevokeInvitation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) { revokedInvitationId userErrors { message } } }\n": types.RevokeInvitationDocument,
    "\n  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { member { id role } userErrors { message } } }\n": types.ChangeMemberRoleDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } userErrors { message } } }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id revokedAt } userErrors { message } } }\n": types.RevokeApiKeyDocument,
    "\n  query Project($id: ID!, $admin: Boolean!) {\n    node(id: $id) {\n      ... on Project {\n        id name description\n        models(first: 8) {\n          edges { node { id name versions(first: 3) { edges { node {\n            id version format parameterCount bytes createdAt\n            signature { inputs { name dtype shape } outputs { name dtype shape } }\n          } } } } }\n        }\n        datasets(first: 15) { edges { node { id name format kind sampleCount inputShape labels splits { split count } createdAt } } }\n        runs(first: 15) { edges { node { id status phase targets createdAt finishedAt modelVersion { version model { name } } dataset { name } } } }\n        appKeys(first: 20) @include(if: $admin) { edges { node { id name prefix createdAt lastUsedAt revokedAt } } }\n      }\n    }\n  }\n": types.ProjectDocument,
    "\n  mutation CreateAppKey($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret appKey { id } userErrors { message } } }\n": types.CreateAppKeyDocument,
    "\n  mutation RevokeAppKey($input: RevokeAppKeyInput!) { revokeAppKey(input: $input) { appKey { id revokedAt } userErrors { message } } }\n": types.RevokeAppKeyDocument,
    "\n  query Run($id: ID!) {\n    node(id: $id) {\n      ... on CompressionRun {\n        id status phase message targets autoTechniques cancelRequested createdAt startedAt finishedAt budgetSeconds budgetIsDefault\n        project { id name }\n        modelVersion { version parameterCount model { name } }\n        dataset { name }\n        techniques { plugin }\n        constraints { maxBytes minAccuracy maxAccuracyDrop maxLatencyMs }\n        retryOf { id }\n      }\n    }\n  }\n": types.RunDocument,
    "\n  subscription RunEvents($runId: ID!, $after: String) {\n    runEvents(runId: $runId, after: $after) {\n      cursor type phase candidateKey epoch step loss etaSeconds samplesPerSecond metrics data message\n    }\n  }\n": types.RunEventsDocument,
    "\n  mutation CancelRun($input: RunIdInput!) { cancelRun(input: $input) { run { id status cancelRequested } userErrors { message } } }\n": types.CancelRunDocument,
    "\n  mutation RetryRun($input: RunIdInput!) { retryRun(input: $input) { run { id } userErrors { message } } }\n": types.RetryRunDocument,
    "\n  query RunResults($id: ID!) {\n    node(id: $id) {\n      ... on CompressionRun {\n        id\n        candidates(first: 50) {\n          edges { node {\n            id key status pareto quantization notes\n            techniqueChain { plugin }\n            targetFit { target fits failures { rule message } }\n            metrics { accuracy bytes compressionRatio estimatedLatencyMs hostLatencyMs parameterCount speedup }\n            failure { stage message }\n            downloads { tflite tfjs }\n            fieldStats { overall { reports latencyP50Ms latencyP90Ms } }\n          } }\n        }\n      }\n    }\n  }\n": types.RunResultsDocument,
    "\n  mutation PublishCandidate($input: PublishCandidateInput!) {\n    publishCandidate(input: $input) { deployment { id channel } userErrors { message } }\n  }\n": types.PublishCandidateDocument,
    "\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) { upload { id } uploadUrl userErrors { message } }\n  }\n": types.CreateUploadDocument,
    "\n  mutation CompleteModelUpload($input: CompleteModelUploadInput!) {\n    completeModelUpload(input: $input) {\n      modelVersion { id version format parameterCount bytes layerTypes signature { inputs { name dtype shape } outputs { name dtype shape } } }\n      userErrors { message }\n    }\n  }\n": types.CompleteModelUploadDocument,
    "\n  mutation CompleteDatasetUpload($input: CompleteDatasetUploadInput!) {\n    completeDatasetUpload(input: $input) {\n      dataset { id name format kind sampleCount inputShape labels splits { split count } }\n      userErrors { message }\n    }\n  }\n": types.CompleteDatasetUploadDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Deployments($id: ID!) {\n    node(id: $id) {\n      ... on Project {\n        id\n        deployments(first: 100) {\n          edges { node {\n            id channel createdAt rollbackOf { id }\n            candidate { id key targetFit { target } metrics { accuracy bytes } run { id } }\n          } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Deployments($id: ID!) {\n    node(id: $id) {\n      ... on Project {\n        id\n        deployments(first: 100) {\n          edges { node {\n            id channel createdAt rollbackOf { id }\n            candidate { id key targetFit { target } metrics { accuracy bytes } run { id } }\n          } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RollbackDeployment($input: RollbackDeploymentInput!) {\n    rollbackDeployment(input: $input) { deployment { id } userErrors { message } }\n  }\n"): (typeof documents)["\n  mutation RollbackDeployment($input: RollbackDeploymentInput!) {\n    rollbackDeployment(input: $input) { deployment { id } userErrors { message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NewRun($id: ID!) {\n    node(id: $id) {\n      ... on Project {\n        id name\n        models(first: 20) { edges { node { id name versions(first: 10) { edges { node { id version parameterCount } } } } } }\n        datasets(first: 30) { edges { node { id name sampleCount } } }\n      }\n    }\n    hardwareTargets { id targetId name description runtime format preferredQuantization maxFileBytes maxActivationBytes tensorTypes ops }\n    plugins { id name version kind summary configSchema hardwareTargets }\n  }\n"): (typeof documents)["\n  query NewRun($id: ID!) {\n    node(id: $id) {\n      ... on Project {\n        id name\n        models(first: 20) { edges { node { id name versions(first: 10) { edges { node { id version parameterCount } } } } } }\n        datasets(first: 30) { edges { node { id name sampleCount } } }\n      }\n    }\n    hardwareTargets { id targetId name description runtime format preferredQuantization maxFileBytes maxActivationBytes tensorTypes ops }\n    plugins { id name version kind summary configSchema hardwareTargets }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartRun($input: StartRunInput!) { startRun(input: $input) { run { id } userErrors { message field } } }\n"): (typeof documents)["\n  mutation StartRun($input: StartRunInput!) { startRun(input: $input) { run { id } userErrors { message field } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Org($admin: Boolean!) {\n    viewer {\n      role\n      member { id displayName email }\n      organization {\n        id name slug\n        members(first: 50) { edges { node { id displayName email role joinedAt } } }\n        teams(first: 20) { edges { node { id name members(first: 1) { totalCount } } } }\n        invitations(first: 20) @include(if: $admin) { totalCount edges { node { id email role expiresAt } } }\n        apiKeys(first: 30) @include(if: $admin) { edges { node { id name prefix scopes createdAt lastUsedAt revokedAt } } }\n        auditLog(first: 25) @include(if: $admin) { totalCount edges { node { id action actorName actorEmail actorKeyName targetType details createdAt } } }\n      }\n    }\n    projects(first: 30) { edges { node { id name description createdAt team { name } runs(first: 1) { totalCount } } } }\n  }\n"): (typeof documents)["\n  query Org($admin: Boolean!) {\n    viewer {\n      role\n      member { id displayName email }\n      organization {\n        id name slug\n        members(first: 50) { edges { node { id displayName email role joinedAt } } }\n        teams(first: 20) { edges { node { id name members(first: 1) { totalCount } } } }\n        invitations(first: 20) @include(if: $admin) { totalCount edges { node { id email role expiresAt } } }\n        apiKeys(first: 30) @include(if: $admin) { edges { node { id name prefix scopes createdAt lastUsedAt revokedAt } } }\n        auditLog(first: 25) @include(if: $admin) { totalCount edges { node { id action actorName actorEmail actorKeyName targetType details createdAt } } }\n      }\n    }\n    projects(first: 30) { edges { node { id name description createdAt team { name } runs(first: 1) { totalCount } } } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { project { id name } userErrors { message } }\n  }\n"): (typeof documents)["\n  mutation CreateProject($input: CreateProjectInput!) {\n    createProject(input: $input) { project { id name } userErrors { message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTeam($input: CreateTeamInput!) { createTeam(input: $input) { team { id } userErrors { message } } }\n"): (typeof documents)["\n  mutation CreateTeam($input: CreateTeamInput!) { createTeam(input: $input) { team { id } userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteMember($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } token userErrors { message } } }\n"): (typeof documents)["\n  mutation InviteMember($input: InviteMemberInput!) { inviteMember(input: $input) { invitation { id } token userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeInvitation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) { revokedInvitationId userErrors { message } } }\n"): (typeof documents)["\n  mutation RevokeInvitation($input: RevokeInvitationInput!) { revokeInvitation(input: $input) { revokedInvitationId userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { member { id role } userErrors { message } } }\n"): (typeof documents)["\n  mutation ChangeMemberRole($input: ChangeMemberRoleInput!) { changeMemberRole(input: $input) { member { id role } userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } userErrors { message } } }\n"): (typeof documents)["\n  mutation CreateApiKey($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id revokedAt } userErrors { message } } }\n"): (typeof documents)["\n  mutation RevokeApiKey($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id revokedAt } userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Project($id: ID!, $admin: Boolean!) {\n    node(id: $id) {\n      ... on Project {\n        id name description\n        models(first: 8) {\n          edges { node { id name versions(first: 3) { edges { node {\n            id version format parameterCount bytes createdAt\n            signature { inputs { name dtype shape } outputs { name dtype shape } }\n          } } } } }\n        }\n        datasets(first: 15) { edges { node { id name format kind sampleCount inputShape labels splits { split count } createdAt } } }\n        runs(first: 15) { edges { node { id status phase targets createdAt finishedAt modelVersion { version model { name } } dataset { name } } } }\n        appKeys(first: 20) @include(if: $admin) { edges { node { id name prefix createdAt lastUsedAt revokedAt } } }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Project($id: ID!, $admin: Boolean!) {\n    node(id: $id) {\n      ... on Project {\n        id name description\n        models(first: 8) {\n          edges { node { id name versions(first: 3) { edges { node {\n            id version format parameterCount bytes createdAt\n            signature { inputs { name dtype shape } outputs { name dtype shape } }\n          } } } } }\n        }\n        datasets(first: 15) { edges { node { id name format kind sampleCount inputShape labels splits { split count } createdAt } } }\n        runs(first: 15) { edges { node { id status phase targets createdAt finishedAt modelVersion { version model { name } } dataset { name } } } }\n        appKeys(first: 20) @include(if: $admin) { edges { node { id name prefix createdAt lastUsedAt revokedAt } } }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAppKey($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret appKey { id } userErrors { message } } }\n"): (typeof documents)["\n  mutation CreateAppKey($input: CreateAppKeyInput!) { createAppKey(input: $input) { secret appKey { id } userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeAppKey($input: RevokeAppKeyInput!) { revokeAppKey(input: $input) { appKey { id revokedAt } userErrors { message } } }\n"): (typeof documents)["\n  mutation RevokeAppKey($input: RevokeAppKeyInput!) { revokeAppKey(input: $input) { appKey { id revokedAt } userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Run($id: ID!) {\n    node(id: $id) {\n      ... on CompressionRun {\n        id status phase message targets autoTechniques cancelRequested createdAt startedAt finishedAt budgetSeconds budgetIsDefault\n        project { id name }\n        modelVersion { version parameterCount model { name } }\n        dataset { name }\n        techniques { plugin }\n        constraints { maxBytes minAccuracy maxAccuracyDrop maxLatencyMs }\n        retryOf { id }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Run($id: ID!) {\n    node(id: $id) {\n      ... on CompressionRun {\n        id status phase message targets autoTechniques cancelRequested createdAt startedAt finishedAt budgetSeconds budgetIsDefault\n        project { id name }\n        modelVersion { version parameterCount model { name } }\n        dataset { name }\n        techniques { plugin }\n        constraints { maxBytes minAccuracy maxAccuracyDrop maxLatencyMs }\n        retryOf { id }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunEvents($runId: ID!, $after: String) {\n    runEvents(runId: $runId, after: $after) {\n      cursor type phase candidateKey epoch step loss etaSeconds samplesPerSecond metrics data message\n    }\n  }\n"): (typeof documents)["\n  subscription RunEvents($runId: ID!, $after: String) {\n    runEvents(runId: $runId, after: $after) {\n      cursor type phase candidateKey epoch step loss etaSeconds samplesPerSecond metrics data message\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelRun($input: RunIdInput!) { cancelRun(input: $input) { run { id status cancelRequested } userErrors { message } } }\n"): (typeof documents)["\n  mutation CancelRun($input: RunIdInput!) { cancelRun(input: $input) { run { id status cancelRequested } userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryRun($input: RunIdInput!) { retryRun(input: $input) { run { id } userErrors { message } } }\n"): (typeof documents)["\n  mutation RetryRun($input: RunIdInput!) { retryRun(input: $input) { run { id } userErrors { message } } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunResults($id: ID!) {\n    node(id: $id) {\n      ... on CompressionRun {\n        id\n        candidates(first: 50) {\n          edges { node {\n            id key status pareto quantization notes\n            techniqueChain { plugin }\n            targetFit { target fits failures { rule message } }\n            metrics { accuracy bytes compressionRatio estimatedLatencyMs hostLatencyMs parameterCount speedup }\n            failure { stage message }\n            downloads { tflite tfjs }\n            fieldStats { overall { reports latencyP50Ms latencyP90Ms } }\n          } }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunResults($id: ID!) {\n    node(id: $id) {\n      ... on CompressionRun {\n        id\n        candidates(first: 50) {\n          edges { node {\n            id key status pareto quantization notes\n            techniqueChain { plugin }\n            targetFit { target fits failures { rule message } }\n            metrics { accuracy bytes compressionRatio estimatedLatencyMs hostLatencyMs parameterCount speedup }\n            failure { stage message }\n            downloads { tflite tfjs }\n            fieldStats { overall { reports latencyP50Ms latencyP90Ms } }\n          } }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PublishCandidate($input: PublishCandidateInput!) {\n    publishCandidate(input: $input) { deployment { id channel } userErrors { message } }\n  }\n"): (typeof documents)["\n  mutation PublishCandidate($input: PublishCandidateInput!) {\n    publishCandidate(input: $input) { deployment { id channel } userErrors { message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) { upload { id } uploadUrl userErrors { message } }\n  }\n"): (typeof documents)["\n  mutation CreateUpload($input: CreateUploadInput!) {\n    createUpload(input: $input) { upload { id } uploadUrl userErrors { message } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteModelUpload($input: CompleteModelUploadInput!) {\n    completeModelUpload(input: $input) {\n      modelVersion { id version format parameterCount bytes layerTypes signature { inputs { name dtype shape } outputs { name dtype shape } } }\n      userErrors { message }\n    }\n  }\n"): (typeof documents)["\n  mutation CompleteModelUpload($input: CompleteModelUploadInput!) {\n    completeModelUpload(input: $input) {\n      modelVersion { id version format parameterCount bytes layerTypes signature { inputs { name dtype shape } outputs { name dtype shape } } }\n      userErrors { message }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteDatasetUpload($input: CompleteDatasetUploadInput!) {\n    completeDatasetUpload(input: $input) {\n      dataset { id name format kind sampleCount inputShape labels splits { split count } }\n      userErrors { message }\n    }\n  }\n"): (typeof documents)["\n  mutation CompleteDatasetUpload($input: CompleteDatasetUploadInput!) {\n    completeDatasetUpload(input: $input) {\n      dataset { id name format kind sampleCount inputShape labels splits { split count } }\n      userErrors { message }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;