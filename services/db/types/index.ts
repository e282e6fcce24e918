// The full database shape seen by Kysely. Each area adds its tables interface here.
import type { CoreTables } from './core.ts';
import type { DeliveryTables } from './delivery.ts';
import type { DomainTables } from './domain.ts';
import type { RunnerTables } from './runner.ts';
import type { StepTables } from './steps.ts';

export type * from './core.ts';
export type * from './delivery.ts';
export type * from './domain.ts';
export type * from './runner.ts';
export type * from './steps.ts';

export interface DB extends CoreTables, DomainTables, RunnerTables, StepTables, DeliveryTables {}
