// One API process of bench/api.ts's several-process phase (forked by services/api/cluster.ts):
// the same createServer as `condense serve` runs in each API process, on the database in
// DATABASE_URL, with the bench's settings (no rate limit, quiet log); it answers the bench's
// question "statements" with its pool's counters.
import { forwardingLauncher, serveApiProcess } from '../../services/api/cluster.ts';
import { createServer } from '../../services/api/server.ts';
import { loadConfig } from '../../services/config.ts';
import { openDatabase } from '../../services/db/database.ts';

const config = loadConfig({ ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' });
const database = await openDatabase(config);
const server = await createServer({ database, config, port: 0, host: '127.0.0.1', rateLimit: false, launcher: forwardingLauncher(), log: () => undefined });
await serveApiProcess(server.url, async () => {
  await server.close();
  await database.close();
}, { statements: () => ({ ...database.statements }) });
process.exit(0);
