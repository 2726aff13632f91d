/**
 * SPEC §9: createUsers of 1,000 users with passwords at the production cost
 * against 1,000 hashes spread over the cores (target ≤ 1.5×), and another
 * user's sign-in p99 meanwhile (target ≤ 250 ms).
 *   node --import tsx bench/create-users.ts [users] [signIns] [cost]
 */
import { signInsDuringBulk } from "../test/factories/sign-ins-during-bulk.js";

const [users = 1000, signIns = 100, cost = 16384] = process.argv.slice(2).map(Number);
const figures = await signInsDuringBulk({ users, signIns, cost });
const ratio = figures.bulkMs / figures.baselineMs;
const sorted = [...figures.latenciesMs].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify(
    {
      users,
      signIns,
      cost,
      baselineMs: Math.round(figures.baselineMs),
      bulkMs: Math.round(figures.bulkMs),
      ratio: Number(ratio.toFixed(2)),
      bulkStatus: figures.bulkStatus,
      bulkCreated: figures.bulkCreated,
      signInsDuringBulk: figures.duringBulk,
      signInMs: {
        p50: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
        p99: Math.round(figures.p99Ms),
        max: Math.round(sorted.at(-1) ?? 0),
      },
      targets: { ratio: ratio <= 1.5, p99: figures.p99Ms <= 250 },
    },
    null,
    2,
  )}\n`,
);
