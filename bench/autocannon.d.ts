// The part of autocannon 8's API the load generator uses (it ships no types).
declare module "autocannon" {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string;
      setupRequest?: (request: Request, context: never) => Request;
      onResponse?: (status: number, body: string, context: never) => void;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      timeout?: number;
      requests?: Request[];
    }
    interface Result {
      "2xx": number;
      non2xx: number;
      errors: number;
      timeouts: number;
      requests: { total: number; average: number };
      latency: { p50: number; p99: number; max: number };
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
