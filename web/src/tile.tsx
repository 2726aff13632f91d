/**
 * A group's tile and its agents' rows. Both are memoised on the identity of
 * the objects the store hands them (unchanged objects are the same objects), so
 * an event re-renders one tile header and one row.
 */
import { memo } from "preact/compat";
import { useMemo } from "preact/hooks";
import type { BoardAction } from "./api.js";
import { CONTACT_LABEL, displayName, formatDuration, stateSince, WORK_LABEL, windowText } from "./format.js";
import { allocatedOf, type GroupView, matches, type StateFilter } from "./store.js";
import type { AgentState } from "./types.js";

type Act = (agentId: string, action: BoardAction) => void;

const ACTIONS: readonly { action: BoardAction; label: string }[] = [
  { action: "Ready", label: "Ready" },
  { action: "NotReady", label: "Not ready" },
  { action: "Break", label: "Break" },
];

export const AgentRow = memo(function AgentRow(props: { agent: AgentState; busy: boolean; onAction: Act }) {
  const { agent, busy, onAction } = props;
  const work = agent.currentWorkState ?? "LoggedOut";
  const contact = agent.currentContactState ?? "Idle";
  const since = stateSince(agent);
  const loggedOut = work === "LoggedOut";
  const pending = agent.requestedWorkState && agent.requestedWorkState !== work ? agent.requestedWorkState : null;
  return (
    <li
      class={`agent${agent.breakExceeded ? " exceeded" : ""}`}
      data-agent={agent.agent?.externalId ?? agent.internalId}
      data-work={work}
      data-contact={contact}
    >
      <span class="name">
        {displayName(agent)}
        <small>{agent.agent?.externalId}</small>
      </span>
      <span class={`chip work-${work}`} data-testid="work">
        {WORK_LABEL[work] ?? work}
        {pending && <small> → {WORK_LABEL[pending] ?? pending}</small>}
        {agent.breakExceeded && <span class="flag">exceeded</span>}
      </span>
      <span class={`chip contact-${contact}`} data-testid="contact">
        {CONTACT_LABEL[contact] ?? contact}
      </span>
      <span class="device">{agent.currentDevice?.externalId ?? agent.currentPhoneNumber ?? "–"}</span>
      <span class="since" data-since={since}>
        {formatDuration(Date.now() - since)}
      </span>
      <span class="actions">
        {ACTIONS.map(({ action, label }) => (
          <button
            key={action}
            type="button"
            disabled={busy || loggedOut || work === action}
            onClick={() => onAction(agent.internalId, action)}
          >
            {label}
          </button>
        ))}
        <button
          type="button"
          disabled={busy}
          onClick={() => onAction(agent.internalId, loggedOut ? "Login" : "Logout")}
        >
          {loggedOut ? "Log in" : "Log out"}
        </button>
      </span>
    </li>
  );
});

export const GroupTile = memo(function GroupTile(props: {
  group: GroupView;
  filter: StateFilter;
  busy: ReadonlySet<string>;
  onAction: Act;
}) {
  const { group, filter, busy, onAction } = props;
  const shown = useMemo(
    () => (filter === "all" ? group.agents : group.agents.filter((a) => matches(a, filter))),
    [group.agents, filter],
  );
  const state = group.state?.state;
  const allocated = allocatedOf(group);
  const c = group.counts;
  return (
    <section class="tile" data-group={group.externalId} aria-label={`Agent group ${group.externalId}`}>
      <header>
        <h2>{group.externalId}</h2>
        <span class={`chip group-${state ?? "unknown"}`} data-testid="group-state">
          {state ?? "–"}
        </span>
        <span class="window" title="current window">
          {windowText(group.state?.currentStartTime, group.state?.currentEndTime)}
        </span>
        <span class="allocated">Allocated {allocated ?? "no cap"}</span>
      </header>
      <dl class="counts">
        <div>
          <dt>Agents</dt>
          <dd>{c.agents}</dd>
        </div>
        <div>
          <dt>Logged in</dt>
          <dd>{c.loggedIn}</dd>
        </div>
        <div class="work-Ready">
          <dt>Ready</dt>
          <dd>{c.ready}</dd>
        </div>
        <div class="work-NotReady">
          <dt>Not ready</dt>
          <dd>{c.notReady}</dd>
        </div>
        <div class="work-Break">
          <dt>Break</dt>
          <dd>{c.onBreak}</dd>
        </div>
        <div class="contact-Acquired">
          <dt>Acquired</dt>
          <dd>{c.acquired}</dd>
        </div>
        <div class="contact-Connected">
          <dt>Connected</dt>
          <dd>{c.connected}</dd>
        </div>
      </dl>
      {shown.length === 0 ? (
        <p class="empty">{group.agents.length === 0 ? "No agents." : "No agent matches the filter."}</p>
      ) : (
        <ul class="agents">
          {shown.map((agent) => (
            <AgentRow key={agent.internalId} agent={agent} busy={busy.has(agent.internalId)} onAction={onAction} />
          ))}
        </ul>
      )}
    </section>
  );
});
