/**
 * The PostgreSQL wake-up between instances: one dedicated connection (not from
 * the pool, whose connections come and go) LISTENing on our channels.
 * Notifications are only a wake-up: a notification sent while the connection
 * was down is lost, so after every (re)connect `onConnected` runs and the
 * caller catches up from the log. Reconnects back off from 100 ms to 5 s.
 */
import pg from "pg";

export interface ListenerOptions {
  url: string;
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  /** after each successful LISTEN, the first one included */
  onConnected(first: boolean): void;
  onError(error: unknown): void;
  applicationName?: string;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

export class PgListener {
  #client: pg.Client | undefined;
  #closed = false;
  #backoff = MIN_BACKOFF_MS;
  #timer: NodeJS.Timeout | undefined;
  #connects = 0;

  constructor(readonly options: ListenerOptions) {}

  /** Resolves once listening for the first time (or throws if the first attempt fails). */
  async start(): Promise<void> {
    await this.#connect();
  }

  /** The backend pid of the current connection (for tests that kill it). */
  get backendPid(): number | undefined {
    return (this.#client as unknown as { processID?: number } | undefined)?.processID;
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: this.options.applicationName ?? "callboard-listener",
      keepAlive: true,
    });
    let failed = false;
    const lost = (error?: unknown) => {
      if (failed) return;
      failed = true;
      if (this.#client === client) this.#client = undefined;
      client.removeAllListeners("notification");
      client.end().catch(() => {});
      if (error) this.options.onError(error);
      this.#scheduleReconnect();
    };
    client.on("error", (error) => lost(error));
    client.on("end", () => lost());
    client.on("notification", (message) => {
      this.options.onNotification(message.channel, message.payload ?? "");
    });
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN ${quoteIdent(channel)}`);
    } catch (error) {
      if (this.#connects === 0 && !this.#closed) {
        failed = true;
        client.end().catch(() => {});
        throw error;
      }
      lost(error);
      return;
    }
    if (this.#closed) {
      failed = true;
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#backoff = MIN_BACKOFF_MS;
    this.#connects += 1;
    this.options.onConnected(this.#connects === 1);
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#timer) return;
    const wait = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#connect().catch((error: unknown) => {
        this.options.onError(error);
        this.#scheduleReconnect();
      });
    }, wait);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners("end");
      client.removeAllListeners("error");
      client.on("error", () => {});
      await client.end().catch(() => {});
    }
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
