// Entry points: viewer, node/nodes, the catalogs, and the organization's projects.
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { listTargets } from '../../targets/index.ts';
import { caller, type ApiContext } from '../context.ts';
import { apiKeyFromRow, hardwareTargetNode, loadMember, loadNode, pluginNode } from '../loaders.ts';
import { graphQLError } from '../errors.ts';
import { pageWindow, toConnection } from '../pagination.ts';
import { Node, PageArgs, Role, connectionOf } from '../types/common.ts';
import { ApiKey, Member, Organization, Viewer } from '../types/org.ts';
import { Project } from '../types/project.ts';
import { HardwareTarget, Plugin } from '../types/run.ts';

export const ProjectConnection = connectionOf(Project, 'Project');

@Resolver(() => Viewer)
export class ViewerResolver {
  @Authorized()
  @Query(() => Viewer, { description: 'The caller: their role, membership, organization and key.' })
  viewer(@Ctx() context: ApiContext): Viewer {
    const auth = caller(context);
    return Object.assign(new Viewer(), { orgId: auth.orgId, userId: auth.userId, keyId: auth.keyId, role: auth.role as Role });
  }

  @FieldResolver(() => Organization, { description: 'The organization the key belongs to.' })
  async organization(@Root() viewer: Viewer, @Ctx() context: ApiContext): Promise<Organization> {
    const row = await context.loaders.byId('organizations').load(viewer.orgId);
    if (!row) throw graphQLError('UNAUTHENTICATED', 'the organization of this key no longer exists', 401);
    return Organization.from(row);
  }

  @FieldResolver(() => Member, { description: 'The caller\'s membership.' })
  async member(@Root() viewer: Viewer, @Ctx() context: ApiContext): Promise<Member> {
    const member = await context.tenant((trx) => loadMember(trx, viewer.userId));
    if (!member) throw graphQLError('UNAUTHENTICATED', 'the key holder is no longer a member', 401);
    return member;
  }

  @FieldResolver(() => ApiKey, { description: 'The API key used for this request.' })
  async apiKey(@Root() viewer: Viewer, @Ctx() context: ApiContext): Promise<ApiKey> {
    const row = await context.tenant((trx) =>
      trx.selectFrom('api_keys').select(['id', 'user_id', 'name', 'prefix', 'scopes', 'created_at', 'last_used_at', 'revoked_at'])
        .where('id', '=', viewer.keyId).executeTakeFirstOrThrow(),
    );
    return apiKeyFromRow(row);
  }
}

@Resolver()
export class RootQueryResolver {
  @Authorized()
  @Query(() => Node, { nullable: true, description: 'Any object by global id; null when it does not exist or belongs to another organization.' })
  node(@Arg('id', () => ID, { description: 'Global id.' }) id: string, @Ctx() context: ApiContext): Promise<Node | null> {
    return loadNode(context, id);
  }

  @Authorized()
  @Query(() => [Node], { nullable: 'items', description: 'Several objects by global id (at most 100), in the order asked; null for each one not visible.' })
  async nodes(@Arg('ids', () => [ID], { description: 'Global ids.' }) ids: string[], @Ctx() context: ApiContext): Promise<(Node | null)[]> {
    if (ids.length > 100) throw graphQLError('BAD_USER_INPUT', 'nodes() takes at most 100 ids', 400);
    return Promise.all(ids.map((id) => loadNode(context, id)));
  }

  @Authorized()
  @Query(() => [HardwareTarget], { description: 'The hardware-target catalog.' })
  hardwareTargets(): HardwareTarget[] {
    return listTargets().map((t) => hardwareTargetNode(t.id)!);
  }

  @Authorized()
  @Query(() => [Plugin], { description: 'Installed compression-technique plugins with their manifests and config schemas.' })
  async plugins(@Ctx() context: ApiContext): Promise<Plugin[]> {
    return (await context.services.plugins.list()).map(pluginNode);
  }

  @Authorized()
  @Query(() => ProjectConnection, { description: 'Projects of the organization, oldest first.' })
  async projects(
    @Args(() => PageArgs) page: PageArgs,
    @Arg('includeArchived', () => Boolean, { defaultValue: false, description: 'Include archived projects.' }) includeArchived: boolean,
    @Ctx() context: ApiContext,
  ) {
    const window = pageWindow(page);
    return context.tenant(async (trx) => {
      let query = trx.selectFrom('projects');
      if (!includeArchived) query = query.where('archived_at', 'is', null);
      // Rows and total in one statement; only a window past the end needs a separate count.
      const rows = await query.selectAll().select((eb) => eb.fn.countAll<string>().over().as('total_count'))
        .orderBy('created_at').orderBy('id').offset(window.offset).limit(window.limit).execute();
      const total = rows.length > 0 || window.offset === 0
        ? Number(rows[0]?.total_count ?? 0)
        : Number((await query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
      return toConnection(rows.map(Project.from), window, total);
    });
  }
}
