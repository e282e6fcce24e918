// createOrganization: the server operator (CONDENSE_ADMIN_TOKEN) creates an organization, its
// owner and the owner's first API key, through the foundation's bootstrapOrganization.
import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { withSystem } from '../../db/tenant.ts';
import { bootstrapOrganization, checkSlug } from '../../tenancy/index.ts';
import type { ApiContext } from '../context.ts';
import { UserFacingError, graphQLError } from '../errors.ts';
import { mutate } from '../mutations.ts';
import { UserError } from '../types/common.ts';
import { ApiKey, Organization } from '../types/org.ts';

@InputType({ description: 'A new organization and its first owner.' })
class CreateOrganizationInput {
  @Field(() => String, { description: 'Display name.' })
  name!: string;

  @Field(() => String, { description: 'URL-safe unique identifier: lowercase letters, digits and dashes, 2 to 63 characters.' })
  slug!: string;

  @Field(() => String, { description: 'E-mail of the owner (an existing user with that e-mail is reused).' })
  ownerEmail!: string;

  @Field(() => String, { description: 'Display name of the owner.' })
  ownerName!: string;
}

@ObjectType({ description: 'Result of createOrganization. The owner\'s key secret is shown only here, once.' })
class CreateOrganizationPayload {
  @Field(() => Organization, { nullable: true, description: 'The new organization.' })
  organization?: Organization | null;

  @Field(() => ApiKey, { nullable: true, description: 'The owner\'s first API key.' })
  apiKey?: ApiKey | null;

  @Field(() => String, { nullable: true, description: 'Secret of that key (send as "Authorization: Bearer <secret>"). Store it now: it cannot be shown again.' })
  secret?: string | null;

  @Field(() => [UserError], { description: 'Expected failures (ADMIN_DISABLED, ALREADY_EXISTS, INVALID_INPUT).' })
  userErrors!: UserError[];
}

@Resolver()
export class OrganizationAdminMutations {
  @Mutation(() => CreateOrganizationPayload, {
    description: 'Create an organization with an owner and their first API key. Needs the server operator token (CONDENSE_ADMIN_TOKEN) as the bearer; answers ADMIN_DISABLED when the server has none.',
  })
  createOrganization(@Arg('input', () => CreateOrganizationInput, { description: 'Organization and owner.' }) input: CreateOrganizationInput, @Ctx() context: ApiContext) {
    const { config, database } = context.services;
    if (!config.adminToken) {
      return { userErrors: [{ code: 'ADMIN_DISABLED', field: null, message: 'creating organizations through the API is disabled: set CONDENSE_ADMIN_TOKEN on the server' }] };
    }
    if (!context.operator) {
      if (context.auth) throw graphQLError('FORBIDDEN', 'createOrganization needs the server operator token, not an API key', 403);
      throw graphQLError('UNAUTHENTICATED', 'createOrganization needs the server operator token: send it as "Authorization: Bearer <CONDENSE_ADMIN_TOKEN>"', 401);
    }
    return mutate(async () => {
      // A taken slug is an expected failure; the unique index still decides under a race (→ INVALID_INPUT from bootstrap).
      const slug = checkSlug(input.slug);
      const taken = await withSystem(database.db, (trx) => trx.selectFrom('organizations').select('id').where('slug', '=', slug).executeTakeFirst());
      if (taken) throw new UserFacingError('ALREADY_EXISTS', `organization slug "${slug}" is already taken`, 'slug');
      // bootstrapOrganization writes the `organization.bootstrap` audit row in the new org, in the same transaction.
      const created = await bootstrapOrganization(database.db, { ...input, keyName: 'owner (createOrganization)' });
      context.services.log(`organization ${created.organization.slug} created by the server operator`);
      return { organization: Organization.from(created.organization), apiKey: ApiKey.from(created.apiKey.key), secret: created.apiKey.secret };
    });
  }
}
