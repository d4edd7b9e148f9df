import { createActor, initialTransition, type ActionExecutor, type SnapshotFrom } from 'xstate';
import {
  conversationMachine,
  initialContext,
  MACHINE_VERSION,
  type ConversationEvent,
  type Notify,
  type Say,
} from './conversation-machine.js';
import type { SavedConversation } from './ports.js';

/** One conversation's machine state between two events. */
export type Snapshot = SnapshotFrom<typeof conversationMachine>;

/** What one event did: the next snapshot and the actions it asked for, none of them run. */
interface ConversationStep {
  next: Snapshot;
  says: Say[];
  notifies: Notify[];
}

// NOTE: xstate's transition() and initialTransition() build a throwaway actor, and with it the
// machine's initial state, on every call. The machine's own transition with one inert actor that
// is never started does the same pure step without that; the initial state is computed once.
// Snapshots are never mutated, so both can be shared.
const inert = createActor(conversationMachine);
const initialSnapshot = initialTransition(conversationMachine)[0];

/** xstate's transition(), without its per-call actor: the next snapshot and the actions, none run. */
function transition(snapshot: Snapshot, event: ConversationEvent): [Snapshot, Parameters<ActionExecutor>[0][]] {
  const actions: Parameters<ActionExecutor>[0][] = [];
  const next = conversationMachine.transition(snapshot, event, {
    self: inert,
    id: '',
    sessionId: '',
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    system: inert.system,
    stopChild: () => undefined,
    actionExecutor: (action) => {
      actions.push(action);
    },
  });
  return [next, actions];
}

/**
 * Whether a text to this saved conversation starts over: nothing is saved, or what is saved is an
 * older machine's snapshot, which may not fit this machine. Only then does the sender's kept
 * opt-out matter (reviveForSender), so a store need read it only then.
 */
export function startsOver(saved: SavedConversation | null): boolean {
  return saved === null || saved.machineVersion !== MACHINE_VERSION;
}

/** The saved conversation as a snapshot; none, or one from an older machine, starts over. */
export function revive(saved: SavedConversation | null): Snapshot {
  if (saved === null || startsOver(saved)) return initialSnapshot;
  const persisted = saved.snapshot as Parameters<typeof conversationMachine.resolveState>[0];
  // Context fields added since the snapshot was saved (the client's language) take their defaults.
  return conversationMachine.resolveState({ ...persisted, context: { ...initialContext, ...persisted.context } });
}

/**
 * `revive` for a sender whose opt-out is kept apart from conversations (it outlives them): with
 * nothing usable saved (their conversation was removed, or is an older machine's), they start
 * opted out, so nothing is sent to them until they opt back in.
 */
export function reviveForSender(
  saved: SavedConversation | null,
  optedOut: () => boolean,
): { snapshot: Snapshot; startsOptedOut: boolean } {
  const snapshot = revive(saved);
  if (!startsOver(saved) || !optedOut()) return { snapshot, startsOptedOut: false };
  return { snapshot: stepConversation(snapshot, { type: 'user.optedOut', quiet: true }).next, startsOptedOut: true };
}

/** The persisted form of a snapshot. */
export function persist(next: Snapshot): { machineVersion: number; snapshot: unknown } {
  return { machineVersion: MACHINE_VERSION, snapshot: conversationMachine.getPersistedSnapshot(next) };
}

/** Sends one event through the machine purely: xstate's transition() returns actions instead of running them. */
export function stepConversation(snapshot: Snapshot, event: ConversationEvent): ConversationStep {
  const [next, actions] = transition(snapshot, event);
  // NOTE: the machine declares these actions with these params, so the casts only restate its types.
  const says = actions
    .filter((a) => a.type === 'say')
    .map((a) => a.params as Say)
    .filter((say) => say.message !== 'topics' || say.topics.length > 0);
  const notifies = actions.filter((a) => a.type === 'notify').map((a) => a.params as Notify);
  return { next, says, notifies };
}
