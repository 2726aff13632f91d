/**
 * The promise of SPEC §2 measured over real sockets: while one createUsers
 * hashes `users` passwords, `signIns` other users sign in one after another
 * (each one's first Basic-auth call, or createSession, alternately) and their
 * latencies are recorded. Used by the test (a smaller size) and by
 * bench/create-users.ts (the full 1,000 at the production cost).
 */
import { availableParallelism } from "node:os";
import { HashQueue, scryptHasher } from "../../src/services/passwords.js";
import { ADMIN, basic, makeAccount, startApp, uniqueEmail } from "./app.js";

export interface SignInFigures {
  /** `users` hashes at `cost`, spread over the cores, no server */
  baselineMs: number;
  /** the createUsers call, sent to answered */
  bulkMs: number;
  bulkStatus: number;
  bulkCreated: number;
  /** each sign-in, sent to answered, in order */
  latenciesMs: number[];
  /** sign-ins answered while the bulk call was still running */
  duringBulk: number;
  /** the same sign-ins' latencies just before the bulk call, on the same machine */
  soloMs: number[];
  p99Ms: number;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function signInsDuringBulk(options: {
  users: number;
  signIns: number;
  cost: number;
  /** hashes the baseline times (then scaled to `users`); all of them by default */
  baselineSample?: number;
}): Promise<SignInFigures> {
  const { users, signIns, cost } = options;
  const sample = Math.min(users, options.baselineSample ?? users);
  const hasher = scryptHasher(cost, new HashQueue(availableParallelism(), 0));
  let t0 = performance.now();
  await Promise.all(Array.from({ length: sample }, (_, i) => hasher.hash(`baseline-${i}`)));
  const baselineMs = ((performance.now() - t0) * users) / sample;

  const t = await startApp({
    env: { CALLBOARD_PASSWORD_HASH_COST: String(cost), CALLBOARD_CREDENTIAL_CACHE_MS: "60000" },
  });
  try {
    const url = await t.runtime.app.listen({ port: 0, host: "127.0.0.1" });
    const { accountId } = await makeAccount(t);
    const SOLO = 5;
    const people = Array.from({ length: signIns + SOLO }, () => ({
      user: uniqueEmail("signin"),
      password: "password-1",
    }));
    const made = await t.call("createUsers", {
      users: people.map((p) => ({
        externalId: p.user,
        firstName: "S",
        lastName: "I",
        roles: ["Agent"],
        password: p.password,
      })),
      org: { internalId: accountId },
    });
    if (made.data.length !== people.length) throw new Error(`sign-in users not made: ${JSON.stringify(made.warnings)}`);

    const post = (method: string, body: unknown, authorization?: string) =>
      fetch(`${url}/api/v1/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(body),
      });
    const signIn = async (i: number, person: { user: string; password: string }) => {
      const s0 = performance.now();
      const response =
        i % 2 === 0
          ? await post("showCurrentSession", {}, basic(person))
          : await post("createSession", { externalId: person.user, password: person.password });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`sign-in ${i} answered ${response.status}`);
      return performance.now() - s0;
    };
    const soloMs: number[] = [];
    for (const [i, person] of people.slice(signIns).entries()) soloMs.push(await signIn(i, person));
    const bulkUsers = Array.from({ length: users }, (_, i) => ({
      externalId: uniqueEmail(`bulk${i}-`),
      firstName: "B",
      lastName: "U",
      roles: ["Agent"],
      password: `password-${i}`,
    }));
    let bulkEnd = Number.POSITIVE_INFINITY;
    t0 = performance.now();
    const bulk = post("createUsers", { users: bulkUsers, org: { internalId: accountId } }, basic(ADMIN)).then(
      async (response) => {
        const body = (await response.json()) as { data: unknown[] };
        bulkEnd = performance.now();
        return { status: response.status, created: body.data.length, ms: bulkEnd - t0 };
      },
    );
    // Let the bulk call's hashes fill the queue, then start the sign-ins on a
    // fixed schedule over most of the time its hashes should take (each at its
    // time, whatever the ones before it take, so a slow sign-in cannot push the
    // later ones past the bulk call).
    const head = Math.min(200, baselineMs / 10);
    const gapMs = (baselineMs * 0.6) / signIns;
    const timed = await Promise.all(
      people.slice(0, signIns).map(async (person, i) => {
        await new Promise((resolve) => setTimeout(resolve, head + i * gapMs));
        const startedAt = performance.now();
        return { startedAt, ms: await signIn(i, person) };
      }),
    );
    const latenciesMs = timed.map((s) => s.ms);
    const answered = await bulk;
    const duringBulk = timed.filter((s) => s.startedAt < bulkEnd).length;
    return {
      baselineMs,
      bulkMs: answered.ms,
      bulkStatus: answered.status,
      bulkCreated: answered.created,
      latenciesMs,
      duringBulk,
      soloMs,
      p99Ms: percentile(latenciesMs, 99),
    };
  } finally {
    await t.close();
  }
}
