/**
 * Group commit for the embedded database: concurrent write calls joined in one
 * SQLite transaction, so they share one COMMIT (its cost dominated a small
 * write; FINDINGS.md).
 *
 * A batch starts on the next turn of the event loop after its first call
 * (`setImmediate`), so every request read in the same turn joins it. The calls
 * of a batch run one after the other on the one connection, each inside its own
 * SAVEPOINT: a call that answers errors (or throws) is rolled back to it alone,
 * and the others go on. The batch commits once, and only then is any call
 * answered; if the COMMIT fails, every call of the batch fails with it (none of
 * them was acknowledged). A call is thus still all or nothing with its own
 * errors, and acknowledged only once durable.
 *
 * Each call runs in its own async context (the request's, with its
 * Idempotency-Key claim), not in the context of whichever call opened the batch.
 */
import { AsyncResource } from "node:async_hooks";
import { CompiledQuery, type Kysely } from "kysely";
import type { Schema } from "./schema.js";

/** What a call of the batch did: `keep: false` rolls its own changes back. */
export interface Outcome<R> {
  value: R;
  keep: boolean;
}

interface Job {
  run(q: Kysely<Schema>): Promise<Outcome<unknown>>;
  settle(error: unknown, value?: unknown): void;
}

const BEGIN = CompiledQuery.raw("begin immediate");
const COMMIT = CompiledQuery.raw("commit");
const ROLLBACK = CompiledQuery.raw("rollback");
const SAVEPOINT = CompiledQuery.raw("savepoint call");
const RELEASE = CompiledQuery.raw("release call");
const ROLLBACK_TO = CompiledQuery.raw("rollback to call");

export interface GroupCommitOptions {
  /** calls joined in one transaction at most (bounds the latency of the last) */
  maxBatch?: number;
}

export class GroupCommit {
  readonly #q: Kysely<Schema>;
  readonly #maxBatch: number;
  #queue: Job[] = [];
  #scheduled = false;

  constructor(q: Kysely<Schema>, options: GroupCommitOptions = {}) {
    this.#q = q;
    this.#maxBatch = options.maxBatch ?? 64;
  }

  /** Runs `fn` in the next batch; resolves with its outcome once that batch has committed. */
  run<R>(fn: (q: Kysely<Schema>) => Promise<Outcome<R>>): Promise<Outcome<R>> {
    return new Promise<Outcome<R>>((resolve, reject) => {
      const bound = AsyncResource.bind(fn);
      this.#queue.push({
        run: bound,
        settle: (error, value) => (error === undefined ? resolve(value as Outcome<R>) : reject(error)),
      });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      const batch = this.#queue.splice(0, this.#maxBatch);
      void this.#runBatch(batch).finally(() => {
        this.#scheduled = false;
        this.#schedule();
      });
    });
  }

  async #runBatch(batch: Job[]): Promise<void> {
    const settled: { job: Job; error: unknown; value?: unknown }[] = [];
    try {
      await this.#q.connection().execute(async (conn) => {
        await conn.executeQuery(BEGIN);
        try {
          for (const job of batch) {
            await conn.executeQuery(SAVEPOINT);
            try {
              const outcome = await job.run(conn);
              if (!outcome.keep) await conn.executeQuery(ROLLBACK_TO);
              settled.push({ job, error: undefined, value: outcome });
            } catch (error) {
              await conn.executeQuery(ROLLBACK_TO);
              settled.push({ job, error: error ?? new Error("a write threw nothing") });
            }
            await conn.executeQuery(RELEASE);
          }
          await conn.executeQuery(COMMIT);
        } catch (error) {
          await conn.executeQuery(ROLLBACK).catch(() => {});
          throw error;
        }
      });
    } catch (error) {
      // Nothing of the batch committed: no call of it is acknowledged.
      for (const job of batch) job.settle(error);
      return;
    }
    for (const { job, error, value } of settled) job.settle(error, value);
  }
}
