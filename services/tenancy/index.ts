export * from './api-keys.ts';
export * from './audit.ts';
export * from './bootstrap.ts';
export * from './errors.ts';
export * from './members.ts';
export * from './validate.ts';
export * from './invitations.ts';
