// ModelCache on IndexedDB, for browsers (and any runtime with a global `indexedDB`).
import type { CachedModel, ModelCache } from './cache.ts';

const STORE = 'models';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class IndexedDbModelCache implements ModelCache {
  readonly #database: Promise<IDBDatabase>;

  /** `factory` defaults to `globalThis.indexedDB`. */
  constructor(databaseName = 'condense-models', factory: IDBFactory | undefined = globalThis.indexedDB) {
    if (!factory) throw new Error('IndexedDB is not available here; use another ModelCache');
    const open = factory.open(databaseName, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    this.#database = request(open);
  }

  async get(key: string): Promise<CachedModel | undefined> {
    const db = await this.#database;
    const value = (await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(key))) as CachedModel | undefined;
    return value ? { ...value, bytes: new Uint8Array(value.bytes) } : undefined;
  }

  async put(key: string, model: CachedModel): Promise<void> {
    const db = await this.#database;
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put({ ...model, bytes: model.bytes.slice() }, key);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  async delete(key: string): Promise<void> {
    const db = await this.#database;
    await request(db.transaction(STORE, 'readwrite').objectStore(STORE).delete(key));
  }

  async close(): Promise<void> {
    (await this.#database).close();
  }
}
