// Parsed and validated documents for WebSocket operations (HTTP operations use Apollo's own
// document store): the same query text is parsed and validated once, not at every subscribe.
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';

const MAX_DOCUMENTS = 1000;

export type CheckedDocument = { document: DocumentNode; errors?: undefined } | { document?: undefined; errors: readonly GraphQLError[] };

export class DocumentCache {
  private readonly documents = new Map<string, CheckedDocument>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    /** graphql-js `maxTokens`: parsing stops past this many tokens. */
    private readonly maxTokens?: number,
  ) {}

  /** The parsed document, or the syntax/validation errors of the query text. */
  check(query: string): CheckedDocument {
    const known = this.documents.get(query);
    if (known) return known;
    let checked: CheckedDocument;
    try {
      const document = parse(query, this.maxTokens === undefined ? undefined : { maxTokens: this.maxTokens });
      const errors = validate(this.schema, document, [...specifiedRules, ...this.rules]);
      checked = errors.length > 0 ? { errors } : { document };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      checked = { errors: [error] };
    }
    if (this.documents.size >= MAX_DOCUMENTS) this.documents.clear();
    this.documents.set(query, checked);
    return checked;
  }
}
