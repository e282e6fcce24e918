export * from './errors.ts';
export * from './file-store.ts';
export * from './types.ts';
export * from './open.ts';
