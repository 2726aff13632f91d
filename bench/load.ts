/**
 * The load generator, in its own process: autocannon's API against one or more
 * servers for a fixed time, answering one JSON line.
 *
 *   node --import tsx bench/load.ts '{"urls":["http://…"],"connections":32,"seconds":5,"kind":"json","method":"showAgentStateUsingUser","body":{…}}'
 *
 * kind "json": the same POST over and over. kind "pairs": each connection
 * acquires an agent, then releases the one it got (a pair is two requests);
 * when the acquisition answers no agent, the connection starts over. With
 * several urls the connections are split between them evenly.
 */
import autocannon from "autocannon";

interface Input {
  urls: string[];
  connections: number;
  seconds: number;
  kind: "json" | "pairs";
  method?: string;
  body?: unknown;
  authorization?: string;
  groupId?: string;
}

interface Output {
  /** completed 2xx requests per second */
  rate: number;
  /** completed pairs per second (kind "pairs") */
  pairs: number;
  requests: number;
  non2xx: number;
  errors: number;
  p99ms: number;
}

const input = JSON.parse(process.argv[2] ?? "{}") as Input;

type Context = { id?: string | undefined };

function run(url: string, connections: number, counters: { pairs: number }): Promise<autocannon.Result> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (input.authorization) headers.authorization = input.authorization;
  const requests: autocannon.Request[] =
    input.kind === "pairs"
      ? [
          {
            method: "POST",
            path: "/api/v1/acquireAgent",
            headers,
            body: JSON.stringify({ agentState: { agentGroup: { internalId: input.groupId } } }),
            onResponse: (status: number, body: string, context: Context) => {
              context.id =
                status === 200
                  ? (JSON.parse(body) as { data: { internalId: string }[] }).data[0]?.internalId
                  : undefined;
            },
          },
          {
            method: "POST",
            path: "/api/v1/releaseAgent",
            headers,
            setupRequest: (request: autocannon.Request, context: Context) => {
              if (!context.id) return undefined as unknown as autocannon.Request;
              return { ...request, body: JSON.stringify({ agentState: { internalId: context.id } }) };
            },
            onResponse: (status: number) => {
              if (status === 200) counters.pairs += 1;
            },
          },
        ]
      : [
          {
            method: "POST",
            path: `/api/v1/${input.method ?? "ping"}`,
            headers,
            body: JSON.stringify(input.body ?? {}),
          },
        ];
  return autocannon({ url, connections, duration: input.seconds, requests, timeout: 30 });
}

const counters = { pairs: 0 };
const share = Math.max(1, Math.floor(input.connections / input.urls.length));
const started = process.hrtime.bigint();
const results = await Promise.all(input.urls.map((url) => run(url, share, counters)));
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const ok = results.reduce((sum, r) => sum + r["2xx"], 0);
const output: Output = {
  rate: ok / seconds,
  pairs: counters.pairs / seconds,
  requests: results.reduce((sum, r) => sum + r.requests.total, 0),
  non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
  errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
  p99ms: Math.max(...results.map((r) => r.latency.p99)),
};
process.stdout.write(`${JSON.stringify(output)}\n`);
