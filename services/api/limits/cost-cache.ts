// Cost analysis once per distinct operation: the cost depends only on the document, the
// operation name and the variables, and Apollo's document store hands back the same parsed
// DocumentNode for the same query text, so repeated requests skip the schema walk.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { operationCost } from './rules.ts';

/** Variants (operation name + variables) remembered per document. */
const MAX_VARIANTS = 64;

export class CostCache {
  private readonly byDocument = new WeakMap<DocumentNode, Map<string, number>>();

  /** operationCost(), remembered; throws like it for variables that do not coerce. */
  of(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string | null): number {
    const key = `${operationName ?? ''}\u0000${JSON.stringify(variables)}`;
    let variants = this.byDocument.get(document);
    const known = variants?.get(key);
    if (known !== undefined) return known;
    const cost = operationCost(schema, document, variables, operationName);
    if (!variants) this.byDocument.set(document, (variants = new Map()));
    if (variants.size >= MAX_VARIANTS) variants.clear();
    variants.set(key, cost);
    return cost;
  }
}
