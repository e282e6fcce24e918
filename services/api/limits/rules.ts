// Query limits applied identically to HTTP (Apollo) and WebSocket (graphql-ws) operations:
// nesting depth, alias count, and a cost (complexity) budget where list fields multiply the
// cost of their selection by the page size they ask for.
import {
  GraphQLError, Kind, NoSchemaIntrospectionCustomRule, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema,
  type SelectionSetNode, type ValidationRule,
} from 'graphql';
import { createRequire } from 'node:module';
import type * as QueryComplexity from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';

// graphql-query-complexity's ESM build imports graphql/index.mjs while `import 'graphql'` (here and
// in type-graphql) loads graphql's CommonJS build: two graphql realms. Its CommonJS build shares ours.
const { getComplexity, simpleEstimator } = createRequire(import.meta.url)('graphql-query-complexity') as typeof QueryComplexity;

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  /** Largest accepted HTTP request body / WebSocket message, bytes. */
  maxBodyBytes: number;
  /** Most lexical tokens in one document; the parser stops there (graphql-js `maxTokens`). */
  maxTokens: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxCost: 5000, maxAliases: 30, maxBodyBytes: 100_000, maxTokens: 5000 };

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const map = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) map.set(def.name.value, def);
  return map;
}

function depthOf(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, visiting: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue; // introspection is governed separately
      max = Math.max(max, 1 + depthOf(selection.selectionSet, fragments, visiting));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(selection.selectionSet, fragments, visiting));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visiting.has(name)) continue; // unknown/cyclic fragments are reported by graphql itself
      visiting.add(name);
      max = Math.max(max, depthOf(fragment.selectionSet, fragments, visiting));
      visiting.delete(name);
    }
  }
  return max;
}

export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, fragments, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`query depth ${depth} exceeds the limit of ${maxDepth}`, { nodes: [node], extensions: { code: 'QUERY_TOO_DEEP' } }),
          );
        }
      },
    };
  };
}

export function aliasLimitRule(maxAliases: number): ValidationRule {
  return (context) => {
    let count = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias) return;
        count += 1;
        if (count > maxAliases && !reported) {
          reported = true;
          context.reportError(
            new GraphQLError(`the document uses more than ${maxAliases} aliases`, { nodes: [node], extensions: { code: 'TOO_MANY_ALIASES' } }),
          );
        }
      },
    };
  };
}

/** Validation rules for both transports; introspection is refused in production. */
export function limitRules(limits: QueryLimits, production: boolean): ValidationRule[] {
  const rules = [depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases)];
  if (production) rules.push(NoSchemaIntrospectionCustomRule);
  return rules;
}

/** A list field costs 1 + (page size × its selection); `first` defaults to the page default. */
const pageEstimator =
  (defaultPage: number): ComplexityEstimator =>
  ({ args, field, childComplexity }) => {
    const takesFirst = field.args.some((arg) => arg.name === 'first');
    if (!takesFirst) return undefined;
    const first = typeof args.first === 'number' ? args.first : defaultPage;
    return 1 + Math.max(1, first) * childComplexity;
  };

const listEstimator: ComplexityEstimator = ({ field, childComplexity }) => {
  // A connection's `edges` were already multiplied by its page size; other unpaged object lists
  // (hardwareTargets, nodes(ids), fit failures) are small and bounded: count them ×10.
  if (field.name === 'edges' || !String(field.type).includes('[') || childComplexity === 0) return undefined;
  return 1 + 10 * childComplexity;
};

export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string | null): number {
  return getComplexity({
    schema,
    query: document,
    variables,
    operationName: operationName ?? undefined,
    estimators: [pageEstimator(20), listEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
}

export function costError(cost: number, limits: QueryLimits): GraphQLError {
  return new GraphQLError(`query cost ${cost} exceeds the limit of ${limits.maxCost}`, {
    // A limit the client exceeded: 400, not a server error.
    extensions: { code: 'QUERY_TOO_COMPLEX', cost: { requested: cost, maximum: limits.maxCost }, http: { status: 400 } },
  });
}
