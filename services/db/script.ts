// Runs a multi-statement SQL script one statement at a time (PGlite's extended protocol, which
// kysely uses, accepts a single statement per query).
import { sql, type Kysely } from 'kysely';

/**
 * Splits on `;` at the end of a line, keeping dollar-quoted bodies (`$fn$ … $fn$`) whole.
 * Whole-line `--` comments outside bodies are dropped.
 */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = '';
  let inBody = false;
  for (const line of script.split('\n')) {
    if (!inBody && line.trim().startsWith('--')) continue;
    current += line + '\n';
    if ((line.match(/\$fn\$/g) ?? []).length % 2 === 1) inBody = !inBody;
    if (!inBody && line.trimEnd().endsWith(';')) {
      out.push(current.trim().replace(/;$/, ''));
      current = '';
    }
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

export async function runScript(db: Kysely<any>, script: string): Promise<void> {
  for (const statement of splitStatements(script)) await sql.raw(statement).execute(db);
}
