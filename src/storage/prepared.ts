/**
 * Queries built and compiled once, then run with new arguments.
 *
 * Building a Kysely query and compiling it to SQL costs several times more
 * than running a primary-key lookup on SQLite, so the hot paths (reading an
 * agent state, acquire, release) keep theirs compiled. The builder is called
 * once with placeholder arguments; each compiled parameter equal to a
 * placeholder is replaced by the real argument at run time, the others are
 * constants of the query. An argument must reach the query as a whole value:
 * one folded into another (`${arg}%`) cannot be found again, and preparing
 * such a query throws at once.
 */
import { type Compilable, CompiledQuery, type Kysely } from "kysely";
import type { Schema } from "./schema.js";

type Slot = { arg: number } | { value: unknown };

interface Template {
  sql: string;
  slots: Slot[];
}

const MARK = "\u0000arg";

export interface Prepared<A extends unknown[], R> {
  /** every row */
  all(q: Kysely<Schema>, ...args: A): Promise<R[]>;
  /** the first row, if any */
  first(q: Kysely<Schema>, ...args: A): Promise<R | undefined>;
  /** rows changed by an insert, update or delete */
  run(q: Kysely<Schema>, ...args: A): Promise<number>;
}

export function prepare<A extends unknown[], R>(
  build: (q: Kysely<Schema>, ...args: A) => Compilable<R>,
): Prepared<A, R> {
  // One template per dialect: the adapter's class tells them apart.
  const templates = new WeakMap<object, Template>();

  function templateFor(q: Kysely<Schema>, arity: number): Template {
    const key = q.getExecutor().adapter.constructor;
    let template = templates.get(key);
    if (template) return template;
    const placeholders = Array.from({ length: arity }, (_, i) => `${MARK}${i}\u0000`);
    const compiled = build(q, ...(placeholders as A)).compile();
    const slots = compiled.parameters.map((value): Slot => {
      const index = placeholders.indexOf(value as string);
      if (index >= 0) return { arg: index };
      if (typeof value === "string" && value.includes(MARK)) {
        throw new Error(`a prepared query must take its arguments whole: ${compiled.sql}`);
      }
      return { value };
    });
    template = { sql: compiled.sql, slots };
    templates.set(key, template);
    return template;
  }

  async function execute(q: Kysely<Schema>, args: A) {
    const template = templateFor(q, args.length);
    const parameters = template.slots.map((slot) => ("arg" in slot ? args[slot.arg] : slot.value));
    return q.executeQuery<R>(CompiledQuery.raw(template.sql, parameters) as CompiledQuery<R>);
  }

  return {
    async all(q, ...args) {
      return (await execute(q, args)).rows;
    },
    async first(q, ...args) {
      return (await execute(q, args)).rows[0];
    },
    async run(q, ...args) {
      return Number((await execute(q, args)).numAffectedRows ?? 0n);
    },
  };
}
