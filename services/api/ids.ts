// Opaque global ids: base64url("<Type>:<key>"). Clients must treat them as opaque; the server
// decodes them and re-checks tenant access on every use (an id of another org is "not found").
export const NODE_TYPES = [
  'Organization', 'Team', 'Member', 'ApiKey', 'Project', 'Model', 'ModelVersion', 'Dataset', 'Upload',
  'CompressionRun', 'Candidate', 'Deployment', 'AppKey', 'HardwareTarget', 'Plugin', 'Invitation',
] as const;
export type NodeType = (typeof NODE_TYPES)[number];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Types whose key is a database uuid (the rest are catalog names). */
const UUID_KEYED = new Set<NodeType>(NODE_TYPES.filter((t) => t !== 'HardwareTarget' && t !== 'Plugin'));

export function toGlobalId(type: NodeType, key: string): string {
  return Buffer.from(`${type}:${key}`, 'utf8').toString('base64url');
}

/** Decodes an id; null for anything malformed (callers answer "not found", never "malformed id of type X"). */
export function fromGlobalId(id: string): { type: NodeType; key: string } | null {
  if (typeof id !== 'string' || id.length > 200) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 1) return null;
  const type = text.slice(0, colon) as NodeType;
  const key = text.slice(colon + 1);
  if (!(NODE_TYPES as readonly string[]).includes(type) || key === '') return null;
  if (UUID_KEYED.has(type) && !UUID.test(key)) return null;
  return { type, key: key.toLowerCase() === key || !UUID_KEYED.has(type) ? key : key.toLowerCase() };
}

/** The uuid behind an id of the expected type, or null (wrong type, malformed). */
export function keyOf(id: string, type: NodeType): string | null {
  const decoded = fromGlobalId(id);
  return decoded && decoded.type === type ? decoded.key : null;
}
