// First organization and API key for a fresh installation, until the CLI has a command for it:
//   npx tsx services/api/bootstrap-org.ts --name "Acme" --slug acme --email you@acme.test [--owner-name "You"]
// Prints the owner's API key (shown once). Uses the same configuration as `condense serve`.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { TenancyError, bootstrapOrganization } from '../tenancy/index.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { name: { type: 'string' }, slug: { type: 'string' }, email: { type: 'string' }, 'owner-name': { type: 'string' } },
  });
  if (!values.name || !values.slug || !values.email) {
    throw new TenancyError('usage: bootstrap-org.ts --name <organization name> --slug <url-slug> --email <owner e-mail> [--owner-name <name>]');
  }
  const config = loadConfig();
  const database = await openDatabase(config, { migrate: true });
  try {
    const result = await bootstrapOrganization(database.db, {
      name: values.name, slug: values.slug, ownerEmail: values.email, ownerName: values['owner-name'] ?? values.email,
    });
    process.stdout.write(`organization ${result.organization.slug} created; owner API key (store it now, it is not shown again):\n${result.apiKey.secret}\n`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  const known = error instanceof TenancyError || error instanceof ConfigError;
  process.stderr.write(`bootstrap-org: ${known ? (error as Error).message : `unexpected error: ${(error as Error)?.message ?? String(error)}`}\n`);
  process.exit(1);
});
