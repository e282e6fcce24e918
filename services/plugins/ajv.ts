// One ajv setup for manifests and plugin configs, and the one-line error messages we show:
// `plugin "x": config.sparsity must be <= 0.99`.
import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under Node16 resolution its default export arrives as the module.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv) => Ajv;

export function createAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  addFormats(ajv);
  return ajv;
}

/** `config.sparsity must be <= 0.99; config.method must be one of …` from ajv errors. */
export function describeAjvErrors(root: string, errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return `${root} is invalid`;
  const lines = errors.map((e) => describeAjvError(root, e));
  return [...new Set(lines)].join('; ');
}

function describeAjvError(root: string, e: ErrorObject): string {
  const path = root + e.instancePath.split('/').slice(1).map((seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('');
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${path}.${String(params.missingProperty)} is required`;
    case 'additionalProperties':
      return `${path}.${String(params.additionalProperty)} is not an allowed option`;
    case 'enum':
      return `${path} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${path} must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${path} ${e.message ?? 'is invalid'}`;
  }
}
