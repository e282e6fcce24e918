// Builds the executable schema from the type-graphql resolvers.
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth.ts';
import { DeploymentMutations, DeploymentResolver } from './resolvers/deployments.ts';
import { OrganizationMutations, OrganizationResolver, TeamResolver } from './resolvers/organization.ts';
import { OrganizationAdminMutations } from './resolvers/organizations-admin.ts';
import { DatasetResolver, ModelResolver, ModelVersionResolver, ProjectMutations, ProjectResolver } from './resolvers/projects.ts';
import { CandidateResolver, RunEventSubscription, RunMutations, RunResolver } from './resolvers/runs.ts';
import { UploadMutations } from './resolvers/uploads.ts';
import { RootQueryResolver, ViewerResolver } from './resolvers/viewer.ts';
import { ApiKey, AppKey, Member, Organization, Team } from './types/org.ts';
import { Dataset, Deployment, Model, ModelVersion, Project, Upload } from './types/project.ts';
import { Candidate, CompressionRun, HardwareTarget, Plugin } from './types/run.ts';

let cached: Promise<GraphQLSchema> | undefined;

/** The schema is the same for every server in a process, so it is built once. */
export function buildApiSchema(): Promise<GraphQLSchema> {
  return (cached ??= buildSchema({
    resolvers: [
      RootQueryResolver, ViewerResolver, OrganizationResolver, OrganizationMutations, TeamResolver, ProjectResolver, ProjectMutations, ModelResolver,
      ModelVersionResolver, DatasetResolver, UploadMutations, RunMutations, RunResolver, CandidateResolver, RunEventSubscription,
      DeploymentMutations, DeploymentResolver, OrganizationAdminMutations,
    ],
    // Node implementations reachable only through node(id) must be listed explicitly.
    orphanedTypes: [Organization, Team, Member, ApiKey, AppKey, Project, Model, ModelVersion, Dataset, Upload, CompressionRun, Candidate, Deployment, HardwareTarget, Plugin],
    authChecker,
    authMode: 'error',
    validate: false,
    // Subscriptions supply their own `subscribe`; this pubsub is never used to publish.
    pubSub: { publish: () => undefined, subscribe: () => { throw new Error('unused'); } },
  }));
}
