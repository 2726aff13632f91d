/**
 * The embedded database: better-sqlite3 behind a Kysely dialect of our own.
 *
 * Why not Kysely's SqliteDialect: its transactions open with a deferred `begin`,
 * and a deferred transaction that reads and then writes cannot upgrade its lock
 * when another process holds the file (thousands of SQLITE_BUSY a second with two
 * processes). Every transaction here is a write transaction and opens with
 * `BEGIN IMMEDIATE`, so the write lock is taken first and `busy_timeout` queues
 * the other processes. Prepared statements are cached by SQL text: Kysely emits
 * the same text for the same query shape, and preparing is the dominant cost of
 * a small query.
 *
 * Reads outside a transaction share one deferred read transaction until the end
 * of the current turn of the event loop: on its own, every read takes and drops
 * the WAL read lock with system calls on the -shm file (four `fcntl` a request,
 * a quarter of a lookup's time). Anything that writes, BEGIN IMMEDIATE
 * included, ends that batch first, so this process's reads after a write see
 * it; another process's commit is seen from the next turn on.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from "kysely";

export interface SqliteOptions {
  /** a file path, or ":memory:" */
  file: string;
  /** "full": fsync every commit (survives power loss); "normal": survives a process crash */
  sync: "normal" | "full";
}

const STATEMENT_CACHE_SIZE = 500;

class CachedConnection implements DatabaseConnection {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  /** reads outside a transaction share a deferred one until the end of this turn of the event loop */
  #readBatch = false;
  readonly #endBatchSoon: () => void;

  constructor(db: BetterSqlite3.Database, endBatchSoon: () => void) {
    this.#db = db;
    this.#endBatchSoon = endBatchSoon;
  }

  #prepare(sqlText: string): BetterSqlite3.Statement {
    let stmt = this.#statements.get(sqlText);
    if (!stmt) {
      stmt = this.#db.prepare(sqlText);
      if (this.#statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sqlText, stmt);
    }
    return stmt;
  }

  executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const stmt = this.#prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    if (stmt.readonly && !this.#db.inTransaction) {
      // A read on its own would take and drop the WAL read lock (system calls on
      // the -shm file) for itself; the reads of one turn share one transaction.
      this.#begin.run();
      this.#readBatch = true;
      this.#endBatchSoon();
    } else if (!stmt.readonly) {
      // Anything that writes (BEGIN IMMEDIATE included) ends the read batch first:
      // inside it, a write could not upgrade its lock.
      this.endReadBatch();
    }
    if (stmt.reader) return Promise.resolve({ rows: stmt.all(parameters) as R[] });
    const { changes } = stmt.run(parameters);
    return Promise.resolve({ rows: [], numAffectedRows: BigInt(changes) });
  }

  /** Ends the shared read transaction, if one is open (before a write, or at the end of the turn). */
  endReadBatch(): void {
    if (!this.#readBatch) return;
    this.#readBatch = false;
    if (this.#db.inTransaction) this.#commit.run();
  }

  get #begin() {
    return this.#prepare("begin");
  }

  get #commit() {
    return this.#prepare("commit");
  }

  // biome-ignore lint/correctness/useYield: streaming is not used; Kysely's interface requires the method
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming queries are not supported on SQLite");
  }
}

/** A FIFO lock: the one connection is handed to one caller at a time. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  async lock(): Promise<void> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#release = release;
  }

  unlock(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

class ImmediateSqliteDriver implements Driver {
  readonly #db: BetterSqlite3.Database;
  readonly #connection: CachedConnection;
  readonly #mutex = new Mutex();
  #batchEnding = false;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#connection = new CachedConnection(db, () => this.#endBatchSoon());
  }

  /** After this turn of the event loop, once the connection is free: the read batch ends. */
  #endBatchSoon(): void {
    if (this.#batchEnding) return;
    this.#batchEnding = true;
    setImmediate(() => {
      void this.#mutex.lock().then(() => {
        this.#batchEnding = false;
        try {
          this.#connection.endReadBatch();
        } finally {
          this.#mutex.unlock();
        }
      });
    });
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    this.#connection.endReadBatch();
    this.#db.close();
  }
}

export function openSqlite(options: SqliteOptions): { dialect: Dialect; raw: BetterSqlite3.Database } {
  if (options.file !== ":memory:") mkdirSync(dirname(options.file), { recursive: true });
  const raw = new BetterSqlite3(options.file);
  raw.pragma("journal_mode = WAL");
  raw.pragma(`synchronous = ${options.sync === "full" ? "FULL" : "NORMAL"}`);
  raw.pragma("busy_timeout = 10000");
  raw.pragma("foreign_keys = ON");
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new ImmediateSqliteDriver(raw),
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
  };
  return { dialect, raw };
}
