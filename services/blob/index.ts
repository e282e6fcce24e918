export * from './errors.ts';
export * from './file-store.ts';
export * from './types.ts';
