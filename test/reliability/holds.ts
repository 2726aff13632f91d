/**
 * The double-booking checker: every acquisition is recorded as the interval an
 * agent was surely held, from the acquire's response to the release's request.
 * With a correct server two holds of one agent never overlap: the second
 * acquire can only commit after the first release committed, which is after
 * that release was sent. With leases, a hold whose release was refused by
 * fencing ended at its lease's end (the server released it no earlier), so
 * that is where its interval stops. Times are epoch milliseconds, so the
 * server's `expires` compares with the client's clock (one machine).
 */
export interface Hold {
  agentId: string;
  client: number;
  /** when the acquire's response arrived */
  from: number;
  /** when the release was sent */
  to: number;
}

export interface DoubleBooking {
  agentId: string;
  first: Hold;
  second: Hold;
}

export function findDoubleBookings(holds: readonly Hold[]): DoubleBooking[] {
  const byAgent = new Map<string, Hold[]>();
  for (const hold of holds) {
    const list = byAgent.get(hold.agentId) ?? [];
    list.push(hold);
    byAgent.set(hold.agentId, list);
  }
  const found: DoubleBooking[] = [];
  for (const [agentId, list] of byAgent) {
    list.sort((a, b) => a.from - b.from);
    let latest = list[0];
    for (const hold of list.slice(1)) {
      if (latest && hold.from < latest.to) found.push({ agentId, first: latest, second: hold });
      if (!latest || hold.to > latest.to) latest = hold;
    }
  }
  return found;
}

interface Envelope {
  data: { internalId: string; acquisition?: { id: string; expires: string | null } | null }[];
  errors: { code: string; attributeName?: string }[];
}

const nowMs = () => performance.timeOrigin + performance.now();

async function post(baseUrl: string, auth: string, method: string, body: unknown): Promise<Envelope> {
  const response = await fetch(`${baseUrl}/api/v1/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: auth },
    body: JSON.stringify(body),
  });
  return (await response.json()) as Envelope;
}

/**
 * `clients` loops of acquire → short hold → release against one group over
 * real HTTP, until `holds` acquisitions were held (a few more may finish as the
 * clients stop); answers every hold and the count of errors. Bounded by a count
 * and never by time, so a slow machine exercises the same contention as a fast
 * one and the test cannot fail for being slow.
 */
export async function runAcquireLoad(options: {
  baseUrls: string[];
  auth: string;
  agentGroupId: string;
  clients: number;
  holds: number;
  /** acquire with this lease, hold some acquisitions past it, and release naming the acquisition */
  lease?: { seconds: number; overstayEvery: number };
}): Promise<{ holds: Hold[]; errors: number; empty: number; fenced: number }> {
  const holds: Hold[] = [];
  let errors = 0;
  let empty = 0;
  let fenced = 0;
  const client = async (index: number) => {
    const baseUrl = options.baseUrls[index % options.baseUrls.length] ?? "";
    while (holds.length < options.holds) {
      const { lease } = options;
      const acquired = await post(baseUrl, options.auth, "acquireAgent", {
        agentState: {
          agentGroup: { internalId: options.agentGroupId },
          ...(lease ? { leaseSeconds: lease.seconds } : {}),
        },
      });
      const from = nowMs();
      if (acquired.errors.length > 0) {
        errors += 1;
        continue;
      }
      const state = acquired.data[0];
      if (!state) {
        empty += 1;
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      const overstay = lease && Math.random() * lease.overstayEvery < 1;
      const holdMs = overstay ? lease.seconds * 1000 + 200 : Math.random() * 3;
      await new Promise((resolve) => setTimeout(resolve, holdMs));
      let to = nowMs();
      const released = await post(baseUrl, options.auth, "releaseAgent", {
        agentState: { internalId: state.internalId, ...(lease ? { acquisition: state.acquisition } : {}) },
      });
      const expires = state.acquisition?.expires;
      if (
        lease &&
        released.errors[0]?.code === "INVALID_STATE" &&
        released.errors[0].attributeName === "acquisition.id"
      ) {
        // Fenced: the lease ended first and the server released the agent then.
        to = Math.min(to, Date.parse(expires ?? ""));
        fenced += 1;
        // On a slow machine the lease may end before the acquire's answer even
        // arrives: no instant is then surely held by this acquisition.
        if (to <= from) continue;
      } else if (released.errors.length > 0) errors += 1;
      holds.push({ agentId: state.internalId, client: index, from, to });
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, i) => client(i)));
  return { holds, errors, empty, fenced };
}
