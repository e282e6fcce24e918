// Batched loads for one request (DataLoader): every lookup of an object by id and every page of a
// project's, model's or run's children that the fields of one request ask for in the same tick
// becomes one statement, so a list of N objects with nested fields costs a fixed number of
// statements instead of 1 + N. Loaders live in the request context and die with it (their cache
// is per request, never shared between callers).
import DataLoader from 'dataloader';
import { sql, type Selectable } from 'kysely';
import type { TenantTransaction } from '../db/tenant.ts';
import type { DB } from '../db/types/index.ts';
import type { PageWindow } from './pagination.ts';

type Tenant = <T>(fn: (trx: TenantTransaction) => Promise<T>) => Promise<T>;

/** Tables whose rows are loaded by their uuid `id`. */
export type ByIdTable =
  | 'organizations' | 'teams' | 'projects' | 'models' | 'model_versions' | 'datasets' | 'uploads' | 'compression_runs' | 'candidates'
  | 'deployments' | 'app_keys';

/** Children listed per parent, oldest first (model versions by version number). */
const CHILD_PAGES = {
  models: { parent: 'project_id', order: 'created_at, id' },
  datasets: { parent: 'project_id', order: 'created_at, id' },
  compression_runs: { parent: 'project_id', order: 'created_at, id' },
  app_keys: { parent: 'project_id', order: 'created_at, id' },
  model_versions: { parent: 'model_id', order: 'version' },
  candidates: { parent: 'run_id', order: 'created_at, id' },
} as const;
export type ChildTable = keyof typeof CHILD_PAGES;

export interface ChildPage<Row> {
  rows: Row[];
  totalCount: number;
}

interface ChildKey {
  parentId: string;
  window: PageWindow;
}

type RowWithPage = Record<string, unknown> & { __rn: string | number; __total: string | number };

export class RequestLoaders {
  private readonly byIdLoaders = new Map<ByIdTable, DataLoader<string, unknown>>();
  private readonly childLoaders = new Map<ChildTable, DataLoader<ChildKey, ChildPage<unknown>, string>>();

  constructor(private readonly tenant: Tenant) {}

  /** The row with this id, or undefined when it does not exist or is another organization's. */
  byId<T extends ByIdTable>(table: T): DataLoader<string, Selectable<DB[T]> | undefined> {
    let loader = this.byIdLoaders.get(table);
    if (!loader) {
      loader = new DataLoader<string, unknown>((ids) =>
        this.tenant(async (trx) => {
          const { rows } = await sql<{ id: string }>`select * from ${sql.table(table)} where id = any(${[...ids]}::uuid[])`.execute(trx);
          const found = new Map(rows.map((row) => [row.id, row]));
          return ids.map((id) => found.get(id));
        }),
      );
      this.byIdLoaders.set(table, loader);
    }
    return loader as DataLoader<string, Selectable<DB[T]> | undefined>;
  }

  /** One page of a parent's children plus their total count; all parents asked in one tick share one statement. */
  childPage<T extends ChildTable>(table: T): DataLoader<ChildKey, ChildPage<Selectable<DB[T]>>, string> {
    let loader = this.childLoaders.get(table);
    if (!loader) {
      loader = new DataLoader<ChildKey, ChildPage<unknown>, string>((keys) => this.tenant((trx) => loadChildPages(trx, table, keys)), {
        cacheKeyFn: (key) => `${key.parentId}:${key.window.offset}:${key.window.limit}`,
      });
      this.childLoaders.set(table, loader);
    }
    return loader as unknown as DataLoader<ChildKey, ChildPage<Selectable<DB[T]>>, string>;
  }

  private fieldStatsLoader?: DataLoader<string, Selectable<DB['candidate_field_stats']>[]>;

  /** The field-statistics rows (one per device class) of each candidate. */
  fieldStats(): DataLoader<string, Selectable<DB['candidate_field_stats']>[]> {
    this.fieldStatsLoader ??= new DataLoader((ids) =>
      this.tenant(async (trx) => {
        const rows = await trx.selectFrom('candidate_field_stats').selectAll().where('candidate_id', 'in', [...ids]).execute();
        return ids.map((id) => rows.filter((r) => r.candidate_id === id));
      }),
    );
    return this.fieldStatsLoader;
  }
}

/** Pages of several parents' children: one statement per distinct window (usually one). */
async function loadChildPages(trx: TenantTransaction, table: ChildTable, keys: readonly ChildKey[]): Promise<ChildPage<unknown>[]> {
  const { parent, order } = CHILD_PAGES[table];
  const windows = new Map<string, { window: PageWindow; parents: Set<string> }>();
  for (const key of keys) {
    const id = `${key.window.offset}:${key.window.limit}`;
    const entry = windows.get(id) ?? { window: key.window, parents: new Set<string>() };
    entry.parents.add(key.parentId);
    windows.set(id, entry);
  }
  const pages = new Map<string, ChildPage<unknown>>();
  for (const [id, { window, parents }] of windows) {
    const ids = [...parents];
    const { rows } = await sql<RowWithPage>`
      select * from (
        select t.*, row_number() over (partition by ${sql.ref(parent)} order by ${sql.raw(order)}) as __rn,
               count(*) over (partition by ${sql.ref(parent)}) as __total
        from ${sql.table(table)} t where ${sql.ref(parent)} = any(${ids}::uuid[])
      ) page where __rn > ${window.offset} and __rn <= ${window.offset + window.limit}
      order by ${sql.ref(parent)}, __rn`.execute(trx);
    const byParent = new Map<string, ChildPage<unknown>>(ids.map((p) => [p, { rows: [], totalCount: 0 }]));
    for (const row of rows) {
      const page = byParent.get(row[parent] as string)!;
      page.totalCount = Number(row.__total);
      const { __rn: _rn, __total: _total, ...plain } = row;
      page.rows.push(plain);
    }
    // A window past the end returns no rows, hence no count: count those parents (rare).
    const uncounted = window.offset > 0 ? ids.filter((p) => byParent.get(p)!.rows.length === 0) : [];
    if (uncounted.length > 0) {
      const { rows: counts } = await sql<{ parent: string; n: string }>`
        select ${sql.ref(parent)} as parent, count(*) as n from ${sql.table(table)} where ${sql.ref(parent)} = any(${uncounted}::uuid[]) group by 1`.execute(trx);
      for (const c of counts) byParent.get(c.parent)!.totalCount = Number(c.n);
    }
    for (const [p, page] of byParent) pages.set(`${p}:${id}`, page);
  }
  return keys.map((key) => pages.get(`${key.parentId}:${key.window.offset}:${key.window.limit}`)!);
}
