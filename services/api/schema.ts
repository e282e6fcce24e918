// Builds the executable schema from the type-graphql resolvers.
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import type { RunEventPubSub } from '../events/pubsub.ts';
import type { RunEventNotice } from '../events/types.ts';
import { authChecker } from './auth.ts';
import { AuditLogResolver } from './resolvers/audit-log.ts';
import { CandidateDeliveryResolver } from './resolvers/candidate-delivery.ts';
import { DeploymentMutations, DeploymentResolver } from './resolvers/deployments.ts';
import { ProjectRolloutResolver, RolloutMutations } from './resolvers/rollouts.ts';
import { OrganizationMutations, OrganizationResolver, TeamResolver } from './resolvers/organization.ts';
import { OrganizationAdminMutations } from './resolvers/organizations-admin.ts';
import { InvitationMutations, OrganizationInvitationsResolver } from './resolvers/invitations.ts';
import { DatasetResolver, ModelResolver, ModelVersionResolver, ProjectMutations, ProjectResolver } from './resolvers/projects.ts';
import { CandidateResolver, RunEventSubscription, RunMutations, RunResolver } from './resolvers/runs.ts';
import { UploadMutations } from './resolvers/uploads.ts';
import { RootQueryResolver, ViewerResolver } from './resolvers/viewer.ts';
import { ApiKey, AppKey, Member, Organization, Team } from './types/org.ts';
import { Dataset, Deployment, Model, ModelVersion, Project, Upload } from './types/project.ts';
import { Candidate, CompressionRun, HardwareTarget, Plugin } from './types/run.ts';

/** A pubsub that only fans out locally (schema printing, tests of the schema alone). */
const localOnly: PubSub = { publish: () => undefined, subscribe: () => (async function* () {})() };

/**
 * Builds the executable schema (~0.2 s). `pubSub` is the server's LISTEN/NOTIFY pubsub, exposed to
 * type-graphql so `@Subscription({ topics })` resolvers could use it; runEvents itself replays
 * stored events first, so it supplies its own `subscribe` over the event hub.
 */
export function buildApiSchema(pubSub?: RunEventPubSub): Promise<GraphQLSchema> {
  const adapted: PubSub = pubSub
    ? { publish: (topic, ...args) => pubSub.publish(topic, (args[0] ?? null) as RunEventNotice | null), subscribe: (topic) => pubSub.subscribe(topic) }
    : localOnly;
  return buildSchema({
    resolvers: [
      RootQueryResolver, ViewerResolver, OrganizationResolver, OrganizationMutations, TeamResolver, ProjectResolver, ProjectMutations, ModelResolver,
      ModelVersionResolver, DatasetResolver, UploadMutations, RunMutations, RunResolver, CandidateResolver, RunEventSubscription,
      DeploymentMutations, DeploymentResolver, OrganizationAdminMutations, CandidateDeliveryResolver, RolloutMutations, ProjectRolloutResolver, AuditLogResolver,
      InvitationMutations, OrganizationInvitationsResolver,
    ],
    // Node implementations reachable only through node(id) must be listed explicitly.
    orphanedTypes: [Organization, Team, Member, ApiKey, AppKey, Project, Model, ModelVersion, Dataset, Upload, CompressionRun, Candidate, Deployment, HardwareTarget, Plugin],
    authChecker,
    authMode: 'error',
    validate: false,
    pubSub: adapted,
  });
}
