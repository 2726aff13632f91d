/**
 * The board: a header (live indicator, filters, sign-out), then one tile per
 * agent group. State comes from one BoardStream; the view only renders it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, type BoardAction, changeAgentState, type SessionUser, showAgentGroupState } from "./api.js";
import { formatDuration, WORK_LABEL } from "./format.js";
import {
  applyBatch,
  applyGroupState,
  type Board as BoardModel,
  EMPTY_BOARD,
  STATE_FILTERS,
  type StateFilter,
  staleGroups,
} from "./store.js";
import { BoardStream, type StreamStatus } from "./stream.js";
import { GroupTile } from "./tile.js";

/** A schedule window ends without an event: its group's state is read again. */
const STALE_CHECK_MS = 5_000;
/** And every group's state is read now and then, for a change nothing announced. */
const GROUP_REFRESH_MS = 60_000;

const STATUS_TEXT: Record<StreamStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  signedOut: "Signed out",
};

const FILTER_LABEL: Record<StateFilter, string> = {
  all: "All states",
  Ready: "Ready",
  NotReady: "Not ready",
  Break: "Break",
  LoggedOut: "Logged out",
  Acquired: "Acquired",
  Connected: "Connected",
  breakExceeded: "Break exceeded",
};

interface Problem {
  id: number;
  text: string;
}

/** One clock for every "time in state" on the page, written straight into the DOM once a second. */
function useTicker() {
  useEffect(() => {
    const tick = () => {
      const now = Date.now();
      for (const element of document.querySelectorAll<HTMLElement>("[data-since]")) {
        const text = formatDuration(now - Number(element.dataset.since));
        if (element.textContent !== text) element.textContent = text;
      }
    };
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, []);
}

export function Board(props: { user: SessionUser; onSignOut: () => void; onSignedOut: (why: string) => void }) {
  const [board, setBoard] = useState<BoardModel>(EMPTY_BOARD);
  const [loaded, setLoaded] = useState(false);
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const [groupFilter, setGroupFilter] = useState("all");
  const [stateFilter, setStateFilter] = useState<StateFilter>("all");
  const [problems, setProblems] = useState<Problem[]>([]);
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const boardRef = useRef(board);
  boardRef.current = board;
  const problemId = useRef(0);
  const { onSignedOut } = props;

  useTicker();

  useEffect(() => {
    const stream = new BoardStream({
      onBatch: (items) => {
        if (items.some((item) => item.kind === "snapshot")) setLoaded(true);
        setBoard((previous) => applyBatch(previous, items));
      },
      onStatus: (next) => {
        if (next === "signedOut") onSignedOut("Your session has ended: sign in again.");
        else setStatus(next);
      },
    });
    stream.start();
    return () => stream.stop();
  }, [onSignedOut]);

  useEffect(() => {
    const refresh = (ids: readonly string[]) => {
      for (const id of ids) {
        showAgentGroupState(id).then(
          (state) => state && setBoard((previous) => applyGroupState(previous, state)),
          () => undefined, // the next round tries again; the stream's indicator tells of an outage
        );
      }
    };
    const stale = setInterval(() => refresh(staleGroups(boardRef.current, Date.now())), STALE_CHECK_MS);
    const all = setInterval(() => refresh(boardRef.current.order), GROUP_REFRESH_MS);
    return () => {
      clearInterval(stale);
      clearInterval(all);
    };
  }, []);

  const report = useCallback((text: string) => {
    const id = ++problemId.current;
    setProblems((list) => [...list.slice(-4), { id, text }]);
  }, []);

  const act = useCallback(
    (agentId: string, action: BoardAction) => {
      setBusy((set) => new Set(set).add(agentId));
      changeAgentState(agentId, action)
        .catch((error: unknown) => {
          const agent = boardRef.current.agents.get(agentId);
          const who = agent?.agent?.externalId ?? agentId;
          const why = error instanceof ApiError ? error.message : String(error);
          report(`${action} for ${who} refused: ${why}`);
        })
        .finally(() =>
          setBusy((set) => {
            const next = new Set(set);
            next.delete(agentId);
            return next;
          }),
        );
    },
    [report],
  );

  const visible = useMemo(
    () => (groupFilter === "all" ? board.order : board.order.filter((id) => id === groupFilter)),
    [board.order, groupFilter],
  );
  const name = [props.user.firstName, props.user.lastName].filter(Boolean).join(" ") || props.user.externalId;

  return (
    <div class="board" data-seq={board.seq} data-status={status}>
      <header class="bar">
        <h1>Callboard</h1>
        <output class={`status status-${status}`} data-testid="status" aria-live="polite">
          <span class="dot" aria-hidden="true" />
          {STATUS_TEXT[status]}
        </output>
        <label>
          <span class="visually-hidden">Agent group</span>
          <select
            data-testid="group-filter"
            value={groupFilter}
            onChange={(e) => setGroupFilter(e.currentTarget.value)}
          >
            <option value="all">All groups</option>
            {board.order.map((id) => (
              <option key={id} value={id}>
                {board.groups.get(id)?.externalId ?? id}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="visually-hidden">State</span>
          <select
            data-testid="state-filter"
            value={stateFilter}
            onChange={(e) => setStateFilter(e.currentTarget.value as StateFilter)}
          >
            {STATE_FILTERS.map((f) => (
              <option key={f} value={f}>
                {FILTER_LABEL[f]}
              </option>
            ))}
          </select>
        </label>
        <span class="who">{name}</span>
        <button type="button" class="sign-out" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      {problems.length > 0 && (
        <ul class="problems" role="alert">
          {problems.map((p) => (
            <li key={p.id}>
              {p.text}
              <button
                type="button"
                aria-label="Dismiss"
                onClick={() => setProblems((list) => list.filter((x) => x.id !== p.id))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <main class="tiles">
        {!loaded && <p class="empty">Loading the board…</p>}
        {loaded && visible.length === 0 && <p class="empty">No agent groups in your scope.</p>}
        {visible.map((id) => {
          const group = board.groups.get(id);
          return group ? <GroupTile key={id} group={group} filter={stateFilter} busy={busy} onAction={act} /> : null;
        })}
      </main>
      <footer class="legend">
        {Object.entries(WORK_LABEL).map(([state, label]) => (
          <span key={state} class={`chip work-${state}`}>
            {label}
          </span>
        ))}
      </footer>
    </div>
  );
}
