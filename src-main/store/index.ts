export { openDatabase, type OpenOptions, type Database } from './database.ts';
export { StoreError, type StoreErrorCode } from './errors.ts';
export { APPLICATION_ID, MIGRATIONS, latestVersion, migrate, type Migration } from './migrations.ts';
export * from './lab-store.ts';
