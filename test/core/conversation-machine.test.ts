import { readFileSync } from 'node:fs';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { advise } from '../../src/core/advise.js';
import {
  conversationMachine,
  initialContext,
  type ConversationContext,
  type ConversationEvent,
  type Notify,
  type Say,
} from '../../src/core/conversation-machine.js';
import type { FlagReason, Status } from '../../src/core/conversation.js';
import { FlowSchema } from '../../src/core/flow.js';
import type { AskerFacts, ProductFacts } from '../../src/core/reading.js';
import { questionText, renderReply, type Advisor } from '../../src/core/render-reply.js';
import { countSegments } from '../../src/core/sms-segments.js';
import { summarizeConversation } from '../../src/core/summarize-conversation.js';

type Snapshot = SnapshotFrom<typeof conversationMachine>;
type Action = { type: string; params?: unknown };
type Answered = Extract<ConversationEvent, { type: 'user.answered' }>;

const flow = FlowSchema.parse(parse(readFileSync(new URL('../../flows/main.yaml', import.meta.url), 'utf8')));
const advisor: Advisor = { name: 'PJ', phone: '+18584618054' };

// ---------------------------------------------------------------------------------------------
// The representative events. Labels are long ones from flows/lexicon.yaml so the rendered
// verdicts are near their worst case.

const FINANCIAL: ProductFacts = { financial: 'benefits administration', data: null };
const DATA: ProductFacts = { financial: null, data: 'data processing' };
const ASKER_FINANCE: AskerFacts = { finance: 'their year-end audit', security: null };
const ASKER_SECURITY: AskerFacts = { finance: null, security: 'a security questionnaire' };
const ASKER_UNKNOWN: AskerFacts = { finance: null, security: null };

function answered(
  text: string,
  product: ProductFacts | null,
  asker: AskerFacts | null,
  international = false,
): Answered {
  return { type: 'user.answered', text, product, asker, international };
}

const ev = {
  greeted: { type: 'user.greeted' },
  financialProduct: answered('we run benefits administration', FINANCIAL, null),
  dataProduct: answered('we do data processing', DATA, null),
  askerFinance: answered('their year-end audit', null, ASKER_FINANCE),
  askerSecurity: answered('a security questionnaire', null, ASKER_SECURITY),
  askerUnknown: answered('not sure', null, ASKER_UNKNOWN),
  nothing: answered('banana', null, null),
  productAndAsker: answered('data processing, their auditors want it, we sell in the EU', DATA, ASKER_FINANCE, true),
  optOutQuiet: { type: 'user.optedOut', quiet: true },
  optOutLoud: { type: 'user.optedOut', quiet: false },
  optInQuiet: { type: 'user.optedIn', quiet: true },
  optInLoud: { type: 'user.optedIn', quiet: false },
  helpQuiet: { type: 'user.askedHelp', quiet: true },
  helpLoud: { type: 'user.askedHelp', quiet: false },
  restarted: { type: 'user.restarted' },
  askedForHuman: { type: 'user.askedForHuman' },
  askedCost: { type: 'user.askedCost' },
  tookOver: { type: 'advisor.tookOver' },
  handedBack: { type: 'advisor.handedBack' },
  closed: { type: 'advisor.closed' },
  remindDue: { type: 'timer.remindDue' },
  idleDue: { type: 'timer.idleDue' },
  ended: { type: 'user.ended' },
} satisfies Record<string, ConversationEvent>;

const events: ConversationEvent[] = Object.values(ev);

const STABLE_STATES = [
  'fresh',
  'bot.askingProduct',
  'bot.askingAsker',
  'bot.advised',
  'waiting',
  'human',
  'optedOut',
  'closed',
] as const;

// ---------------------------------------------------------------------------------------------
// Helpers

function stateId(snapshot: Snapshot): string {
  const value: unknown = snapshot.value;
  if (typeof value === 'string') return value;
  const [parent, child] = Object.entries(value as Record<string, string>)[0] ?? ['?', '?'];
  return `${parent}.${child}`;
}

/**
 * The graph key: state and the context fields that change what the machine does next. Which
 * kinds of product and asker facts are set (not just whether any are) matters: a data product
 * and a financial one lead to different verdicts from the same state. `reminded` outlives a wait,
 * so it is kept everywhere: the next entry into waiting must reset it. No guard reads the flags,
 * so the key keeps only what the flag invariants look at (any flag, "both"): every combination
 * would make the graph several times larger and the file too slow. Closed reacts to nothing and
 * every way into it is checked as an edge, so it is a single key.
 */
function serializeState(snapshot: Snapshot): string {
  const c = snapshot.context;
  const state = stateId(snapshot);
  if (state === 'closed') return JSON.stringify([state]);
  return JSON.stringify([
    state,
    c.awaiting,
    c.misses,
    c.product && [c.product.financial !== null, c.product.data !== null],
    c.asker && [c.asker.finance !== null, c.asker.security !== null],
    c.advice?.verdict ?? null,
    c.nudged,
    c.reminded,
    c.flags.length > 0,
    c.flags.includes('both'),
  ]);
}

function saysOf(actions: readonly Action[]): Say[] {
  return actions.filter((a) => a.type === 'say').map((a) => a.params as Say);
}

function notifiesOf(actions: readonly Action[]): Notify[] {
  return actions.filter((a) => a.type === 'notify').map((a) => a.params as Notify);
}

function describeEvent(event: ConversationEvent): string {
  if (event.type === 'user.answered') return `answered(${event.text})`;
  if ('quiet' in event) return `${event.type}(${event.quiet ? 'quiet' : 'loud'})`;
  return event.type;
}

const EXPECTED_STATUS: Record<string, Status> = {
  fresh: 'bot',
  'bot.askingProduct': 'bot',
  'bot.askingAsker': 'bot',
  'bot.advised': 'bot',
  waiting: 'waiting',
  human: 'human',
  optedOut: 'opted_out',
  closed: 'closed',
};

/** What the client is told when a step flags the conversation, and the flag it must add. */
const HANDOFF_FLAG: Partial<Record<Say['message'], FlagReason>> = {
  handoffHuman: 'human',
  handoffCost: 'cost',
  unclear: 'unclear',
};

/** Rendering checks are pure in the say, so each distinct say or turn is checked once. */
const renderChecked = new Map<string, string | null>();
function renderProblem(says: Say[]): string | null {
  const key = JSON.stringify(says);
  const cached = renderChecked.get(key);
  if (cached !== undefined) return cached;
  let problem: string | null = null;
  for (const text of [...says.map((say) => renderReply([say], flow, advisor)), renderReply(says, flow, advisor)]) {
    if (says.length === 0) break;
    if (text === null) problem = `nothing rendered for ${key}`;
    else if (/\{\w+\}/.test(text)) problem = `unfilled placeholder in ${JSON.stringify(text)}`;
    else {
      const count = countSegments(text);
      if (count.encoding !== 'GSM-7') problem = `not GSM-7: ${JSON.stringify(text)}`;
      else if (count.segments > 3) problem = `${count.segments} segments: ${JSON.stringify(text)}`;
    }
    if (problem !== null) break;
  }
  renderChecked.set(key, problem);
  return problem;
}

function expectedAdvice(context: ConversationContext): ConversationContext['advice'] {
  return context.product !== null && context.asker !== null ? advise(context.product, context.asker) : null;
}

function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  return JSON.stringify([a.value, a.context, a.status]) === JSON.stringify([b.value, b.context, b.status]);
}

/** Every invariant for one step; returns the broken ones (cheaper than expect() in hot loops). */
function checkStep(prev: Snapshot, event: ConversationEvent, next: Snapshot, actions: readonly Action[]): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const says = saysOf(actions);
  const notifies = notifiesOf(actions);
  const from = stateId(prev);
  const to = stateId(next);
  const quiet = 'quiet' in event && event.quiet;
  const messages = says.map((s) => s.message);
  const said = messages.join(',');
  const c = next.context;
  // NOTE: a getter, as comparing whole snapshots on every step is the costliest check.
  const isIgnored = () => actions.length === 0 && sameSnapshot(prev, next);

  if (!(STABLE_STATES as readonly string[]).includes(to)) fail(`rests in transient state ${to}`);
  const strays = actions.filter((a) => a.type !== 'say' && a.type !== 'notify').map((a) => a.type);
  if (strays.length > 0) fail(`unexpected actions ${strays.join(',')}`);

  // (1) Silence towards a sender who opted out or whom PJ has.
  const loudOptOut = event.type === 'user.optedOut' && !event.quiet;
  const loudOptIn = event.type === 'user.optedIn' && !event.quiet;
  const handBack = event.type === 'advisor.handedBack' || event.type === 'timer.idleDue';
  if (from === 'optedOut') {
    if (loudOptIn) {
      if (messages[0] !== 'optInConfirm') fail(`opt-in out of optedOut said ${said}`);
      if (to === 'optedOut') fail('a loud opt-in stayed opted out');
    } else if (says.length > 0) {
      fail(`optedOut -> ${to} said ${said} on ${describeEvent(event)}`);
    }
  }
  if (from === 'human' && says.length > 0 && !loudOptOut && !handBack) {
    fail(`human -> ${to} said ${said} on ${describeEvent(event)}`);
  }
  if (to === 'human' && says.length > 0) fail(`${from} -> human said ${said}`);
  if (loudOptOut && from !== 'optedOut' && said !== 'optOutConfirm') fail(`opt-out said ${said}`);
  if (handBack && says.length > 0 && messages[0] !== 'resumed') fail(`hand back said ${said}`);
  if (to === 'optedOut' && from !== 'optedOut' && event.type !== 'user.optedOut') fail(`opted out by ${event.type}`);
  if (to === 'human' && from !== 'human' && event.type !== 'advisor.tookOver') fail(`human by ${event.type}`);
  if (to === 'closed' && from !== 'closed' && event.type !== 'advisor.closed' && event.type !== 'user.ended') {
    fail(`closed by ${event.type}`);
  }
  if (from === 'closed' && !isIgnored()) fail('closed reacted');
  if (event.type.startsWith('advisor.') && says.length > 0) {
    if (event.type !== 'advisor.handedBack' || messages[0] !== 'resumed') {
      fail(`advisor event said ${said}`);
    }
  }

  // (2) Twilio already answered a quiet keyword: PJ may still hear of it, the client never does.
  if (quiet && says.length > 0) fail(`quiet event said ${said}`);
  if (quiet && notifies.some((n) => n.kind !== 'optedOut')) fail('quiet event notified more than an opt-out');

  // (3) Everything said renders to cheap SMS, alone and as the turn's one text.
  const renderIssue = renderProblem(says);
  if (renderIssue !== null) fail(renderIssue);

  // (4) The stored summary agrees with the machine.
  const summary = summarizeConversation(next);
  if (summary.status !== EXPECTED_STATUS[to]) fail(`status ${summary.status} in ${to}`);
  if (summary.awaiting !== c.awaiting) fail('summary awaiting');
  if ((summary.verdict ?? null) !== (c.advice?.verdict ?? null)) fail('summary verdict');
  if (JSON.stringify(summary.flags) !== JSON.stringify(c.flags)) fail('summary flags');
  if (summary.answers.product !== c.productText || summary.answers.asker !== c.askerText) fail('summary answers');
  if ((next.status === 'done') !== (to === 'closed')) fail(`status ${next.status} in ${to}`);

  // (5) The open question matches the state; nothing is advised while a question is open.
  const awaitingIn: Record<string, ConversationContext['awaiting']> = {
    'bot.askingProduct': 'product',
    'bot.askingAsker': 'asker',
    'bot.advised': null,
  };
  if (to in awaitingIn && c.awaiting !== awaitingIn[to]) fail(`awaiting ${c.awaiting} in ${to}`);
  if (to === 'bot.advised' && c.advice === null) fail('advised without advice');
  if (['fresh', 'bot.askingProduct', 'bot.askingAsker'].includes(to) && c.advice !== null) fail(`advice in ${to}`);

  // (6) A verdict is sent exactly when an answer brings the machine to a new verdict; a "both"
  // verdict flags the conversation for PJ, any other one leaves the bot in charge.
  const verdicts = says.filter((s) => s.message === 'verdict');
  const verdict = c.advice?.verdict ?? null;
  const newVerdict =
    event.type === 'user.answered' && verdict !== null && verdict !== (prev.context.advice?.verdict ?? null);
  if (verdicts.length !== (newVerdict ? 1 : 0)) {
    fail(`${verdicts.length} verdicts for ${describeEvent(event)} ${from} -> ${to}`);
  }
  if (newVerdict) {
    const expectedTo = verdict === 'both' ? 'waiting' : 'bot.advised';
    if (to !== expectedTo) fail(`a ${verdict} verdict led to ${to}`);
  }
  for (const v of verdicts) {
    if (v.message !== 'verdict') continue;
    if (JSON.stringify(v.advice) !== JSON.stringify(c.advice)) fail('verdict advice differs from context');
    if (v.advice.verdict !== c.advice?.verdict) fail('verdict differs from context');
    if (v.international !== c.international) fail('verdict international differs from context');
  }

  // (7) PJ hears of every entry into waiting (once, with the reason flagged and told to the
  // client), of every opt-out and of the one reminder; of nothing else.
  const enteredWaiting = to === 'waiting' && from !== 'waiting';
  const count = (kind: Notify['kind']) => notifies.filter((n) => n.kind === kind).length;
  if (count('flagged') !== (enteredWaiting ? 1 : 0)) fail(`${count('flagged')} flagged notices for ${from} -> ${to}`);
  const optingOut = event.type === 'user.optedOut' && from !== 'optedOut' && from !== 'closed';
  if (count('optedOut') !== (optingOut ? 1 : 0)) fail(`${count('optedOut')} opted-out notices for ${from} -> ${to}`);
  const reminding = event.type === 'timer.remindDue' && from === 'waiting' && !prev.context.reminded;
  if (count('reminder') !== (reminding ? 1 : 0)) fail(`${count('reminder')} reminders for ${from} -> ${to}`);
  if (enteredWaiting) {
    if (c.reminded) fail('entered waiting already reminded');
    const reasons = says.flatMap((s): FlagReason[] => {
      if (s.message === 'verdict') return s.advice.verdict === 'both' ? ['both'] : [];
      const reason = HANDOFF_FLAG[s.message];
      return reason === undefined ? [] : [reason];
    });
    if (reasons.length !== 1) fail(`entered waiting saying ${said}`);
    for (const reason of reasons) if (!c.flags.includes(reason)) fail(`entered waiting without flag ${reason}`);
  }
  if (to === 'waiting' && c.flags.length === 0) fail('waiting without a flag');
  if (!prev.context.flags.includes('both') && c.flags.includes('both') && !(newVerdict && verdict === 'both')) {
    fail(`flagged both on ${describeEvent(event)} without a both verdict`);
  }

  // (8) Stored timers: the reminder acts once per wait, the idle timer hands back like PJ would,
  // and neither does anything anywhere else.
  if (event.type === 'timer.remindDue') {
    if (reminding) {
      if (said !== 'holding' || to !== 'waiting' || !c.reminded) fail(`reminder said ${said}, ${to}`);
    } else if (!isIgnored()) {
      fail(`reminder acted in ${from}`);
    }
  }
  if (event.type === 'timer.idleDue') {
    if (from === 'human') {
      const [byPj, pjActions] = transition(conversationMachine, prev, ev.handedBack);
      const effects = (a: readonly Action[]) => JSON.stringify([saysOf(a), notifiesOf(a)]);
      if (!sameSnapshot(byPj, next) || effects(pjActions) !== effects(actions)) {
        fail('the idle timer did not hand back as PJ does');
      }
      if (messages[0] !== 'resumed') fail(`idle hand back said ${said}`);
    } else if (!isIgnored()) {
      fail(`idle timer acted in ${from}`);
    }
  }

  // (9) Slack's "stop" ends the conversation politely, unless nothing may be said.
  if (event.type === 'user.ended') {
    if (['human', 'optedOut', 'closed'].includes(from)) {
      if (!isIgnored()) fail(`"stop" acted in ${from}`);
    } else if (to !== 'closed' || said !== 'ended' || notifies.length > 0) {
      fail(`"stop" in ${from} led to ${to} saying ${said}`);
    }
  }

  // Context consistency: advice follows the facts; flags are never lost.
  if (JSON.stringify(c.advice) !== JSON.stringify(expectedAdvice(c))) fail('advice does not follow the facts');
  if (prev.context.flags.some((f) => !c.flags.includes(f))) fail('a flag was lost');
  if (new Set(c.flags).size !== c.flags.length) fail('duplicate flag');
  if (c.misses < 0 || c.misses > 1) fail(`misses ${c.misses}`);

  return problems;
}

/** Saves and revives the snapshot the way the store does. */
function roundTrip(snapshot: Snapshot): Snapshot {
  const json: unknown = JSON.parse(JSON.stringify(conversationMachine.getPersistedSnapshot(snapshot)));
  return conversationMachine.resolveState(json as Parameters<typeof conversationMachine.resolveState>[0]);
}

function roundTripProblems(snapshot: Snapshot, revived: Snapshot): string[] {
  const problems: string[] = [];
  if (JSON.stringify(revived.value) !== JSON.stringify(snapshot.value)) problems.push('revived value differs');
  if (JSON.stringify(revived.context) !== JSON.stringify(snapshot.context)) problems.push('revived context differs');
  if (revived.status !== snapshot.status) problems.push('revived status differs');
  return problems;
}

interface Replayed {
  snapshot: Snapshot;
  problems: string[];
}

interface PrefixNode extends Replayed {
  next: Map<ConversationEvent, PrefixNode>;
}

/**
 * Replays paths from the initial state with the pure transition(), checking every invariant on
 * the way and, with `revive`, reviving every snapshot from JSON before the next step (as the
 * shell does). Paths share long prefixes, so each distinct prefix is transitioned and checked once.
 */
function createReplayer({ revive }: { revive: boolean }): {
  replay: (path: readonly ConversationEvent[]) => Replayed;
  transitions: () => number;
} {
  const [initial] = initialTransition(conversationMachine);
  const root: PrefixNode = { snapshot: initial, problems: [], next: new Map() };
  let transitions = 0;
  function replay(path: readonly ConversationEvent[]): Replayed {
    let at = root;
    const problems: string[] = [];
    path.forEach((event, i) => {
      let next = at.next.get(event);
      if (next === undefined) {
        transitions += 1;
        const [direct, actions] = transition(conversationMachine, at.snapshot, event);
        const revived = revive ? roundTrip(direct) : direct;
        const found = checkStep(at.snapshot, event, direct, actions);
        if (revive) found.push(...roundTripProblems(direct, revived));
        const where = found.length > 0 ? path.slice(0, i + 1).map(describeEvent).join(' > ') : '';
        next = { snapshot: revived, problems: found.map((p) => `${where}: ${p}`), next: new Map() };
        at.next.set(event, next);
      }
      problems.push(...next.problems);
      at = next;
    });
    return { snapshot: at.snapshot, problems };
  }
  return { replay, transitions: () => transitions };
}

function eventsOf(steps: ReadonlyArray<{ event: { type: string } }>): ConversationEvent[] {
  // NOTE: the first step of every path is the xstate.init pseudo-event.
  return steps.filter((s) => s.event.type !== 'xstate.init').map((s) => s.event as ConversationEvent);
}

function run(...path: ConversationEvent[]): { snapshot: Snapshot; says: Say[][]; notifies: Notify[][] } {
  let [snapshot] = initialTransition(conversationMachine);
  const says: Say[][] = [];
  const notifies: Notify[][] = [];
  for (const event of path) {
    const [next, actions] = transition(conversationMachine, snapshot, event);
    snapshot = roundTrip(next);
    says.push(saysOf(actions));
    notifies.push(notifiesOf(actions));
  }
  return { snapshot, says, notifies };
}

function step(snapshot: Snapshot, event: ConversationEvent): { snapshot: Snapshot; says: Say[]; notifies: Notify[] } {
  const [next, actions] = transition(conversationMachine, snapshot, event);
  return { snapshot: roundTrip(next), says: saysOf(actions), notifies: notifiesOf(actions) };
}

// ---------------------------------------------------------------------------------------------
// Model-based tests

describe('conversation machine, model-based', () => {
  // NOTE: the store never hands a closed conversation to the machine (it loads the latest one that
  // is not closed), so the traversal stops there; what closed does with events is tested below.
  const isDone = (snapshot: Snapshot) => snapshot.status === 'done';
  const shortest = getShortestPaths(conversationMachine, { events, serializeState, stopWhen: isDone, limit: 50_000 });
  const byStateNode = STABLE_STATES.map(
    (state) => [state, shortest.filter((p) => stateId(p.state) === state)] as const,
  );

  it('the invariant checker catches broken steps', () => {
    const optedOut = run(ev.greeted, ev.optOutQuiet).snapshot;
    const asking = run(ev.greeted).snapshot;
    const say = (params: Say): Action => ({ type: 'say', params });
    expect(checkStep(optedOut, ev.greeted, optedOut, [say({ message: 'help' })])).not.toEqual([]);
    expect(checkStep(asking, ev.helpQuiet, asking, [say({ message: 'help' })])).not.toEqual([]);
    expect(checkStep(asking, ev.dataProduct, asking, [])).toEqual([]);
    const advised = run(ev.greeted, ev.dataProduct, ev.askerSecurity).snapshot;
    expect(checkStep(asking, ev.askerSecurity, advised, [])).toContain(
      '0 verdicts for answered(a security questionnaire) bot.askingProduct -> bot.advised',
    );
    const advice = advised.context.advice;
    if (advice === null) throw new Error('no advice');
    const wrong = say({ message: 'verdict', advice: { ...advice, verdict: 'soc1' }, international: false });
    expect(checkStep(asking, ev.askerSecurity, advised, [wrong])).toContain('verdict differs from context');

    // The handoff invariants.
    const notify = (params: Notify): Action => ({ type: 'notify', params });
    const waiting = run(ev.greeted, ev.askedForHuman).snapshot;
    const handoff = say({ message: 'handoffHuman' });
    expect(checkStep(asking, ev.askedForHuman, waiting, [handoff, notify({ kind: 'flagged' })])).toEqual([]);
    expect(checkStep(asking, ev.askedForHuman, waiting, [handoff])).toContain(
      '0 flagged notices for bot.askingProduct -> waiting',
    );
    expect(checkStep(waiting, ev.askedCost, waiting, [notify({ kind: 'flagged' })])).toContain(
      '1 flagged notices for waiting -> waiting',
    );
    expect(checkStep(asking, ev.optOutQuiet, optedOut, [notify({ kind: 'optedOut' })])).toEqual([]);
    expect(checkStep(asking, ev.optOutQuiet, optedOut, [])).toContain(
      '0 opted-out notices for bot.askingProduct -> optedOut',
    );
    expect(checkStep(asking, ev.remindDue, asking, [say({ message: 'holding' })])).toContain(
      'reminder acted in bot.askingProduct',
    );
    expect(checkStep(waiting, ev.remindDue, waiting, [say({ message: 'holding' })])).toContain(
      '0 reminders for waiting -> waiting',
    );
    const human = run(ev.greeted, ev.tookOver).snapshot;
    expect(checkStep(human, ev.helpLoud, human, [say({ message: 'help' })])).toContain(
      'human -> human said help on user.askedHelp(loud)',
    );
    expect(checkStep(human, ev.idleDue, human, [])).toContain('the idle timer did not hand back as PJ does');
    expect(checkStep(human, ev.ended, run(ev.greeted, ev.ended).snapshot, [say({ message: 'ended' })])).not.toEqual([]);
    const both = run(ev.productAndAsker).snapshot;
    const bothAdvice = both.context.advice;
    if (bothAdvice === null) throw new Error('no advice');
    const bothVerdict = say({ message: 'verdict', advice: bothAdvice, international: true });
    expect(checkStep(run().snapshot, ev.productAndAsker, both, [bothVerdict, notify({ kind: 'flagged' })])).toEqual([]);
    const bothAdvised = run(ev.productAndAsker, ev.handedBack).snapshot;
    expect(bothAdvised.value).toEqual({ bot: 'advised' });
    expect(checkStep(run().snapshot, ev.productAndAsker, bothAdvised, [bothVerdict])).toContain(
      'a both verdict led to bot.advised',
    );
  });

  it('the traversal stays bounded and reaches every state node', () => {
    expect(shortest.length).toBeGreaterThan(400);
    expect(shortest.length).toBeLessThan(800);
    const reached = new Set(shortest.map((p) => stateId(p.state)));
    expect([...reached].sort()).toEqual([...STABLE_STATES].sort());
    const verdicts = new Set(shortest.map((p) => p.state.context.advice?.verdict ?? null));
    expect([...verdicts].sort()).toEqual(['both', null, 'soc1', 'soc2'].sort());
  });

  // One test per state node (not per path) keeps the file fast; a problem names its path.
  it.each(byStateNode)('every shortest path to %s, and every event from its end, keeps every invariant', (_, paths) => {
    expect(paths.length).toBeGreaterThan(0);
    const replayer = createReplayer({ revive: true });
    const problems = new Set<string>();
    for (const p of paths) {
      const path = eventsOf(p.steps);
      const name = path.map(describeEvent).join(' > ') || '(initial)';
      const { snapshot, problems: found } = replayer.replay(path);
      for (const problem of found) problems.add(problem);
      if (serializeState(snapshot) !== serializeState(p.state)) problems.add(`${name}: the replay ends elsewhere`);
      // Edge coverage: every event from every reachable (abstract) state. NOTE: the replay already
      // saved and revived a snapshot of every abstract state, so edges skip that.
      for (const event of isDone(snapshot) ? [] : events) {
        const [next, actions] = transition(conversationMachine, snapshot, event);
        for (const problem of checkStep(snapshot, event, next, actions)) {
          problems.add(`${name} > then ${describeEvent(event)}: ${problem}`);
        }
      }
      if (problems.size > 20) break;
    }
    expect([...problems]).toEqual([]);
  });

  it('every simple path through the state nodes keeps every invariant', () => {
    // NOTE: keyed on the state node alone, so a path visits each node at most once.
    const simple = getSimplePaths(conversationMachine, {
      events,
      serializeState: stateId,
      stopWhen: isDone,
      limit: 1_000,
    });
    expect(simple.length).toBeGreaterThan(5_000);
    // NOTE: the shortest paths already revive a snapshot of every abstract state; not reviving
    // here keeps the ten thousand steps fast.
    const replayer = createReplayer({ revive: false });
    const problems = new Set<string>();
    const reached = new Set<string>();
    for (const p of simple) {
      const { snapshot, problems: found } = replayer.replay(eventsOf(p.steps));
      for (const problem of found) problems.add(problem);
      reached.add(stateId(snapshot));
      if (problems.size > 20) break;
    }
    const transitions = replayer.transitions();
    expect([...problems]).toEqual([]);
    expect(transitions).toBeGreaterThan(5_000);
    expect([...reached].sort()).toEqual([...STABLE_STATES].sort());
  });
});

// ---------------------------------------------------------------------------------------------
// Example-based tests

describe('conversation machine, examples', () => {
  it('starts fresh with nothing said', () => {
    const [snapshot, actions] = initialTransition(conversationMachine);
    expect(snapshot.value).toBe('fresh');
    expect(snapshot.context).toEqual(initialContext);
    expect(saysOf(actions)).toEqual([]);
  });

  it('greets and asks the product on "hi"', () => {
    const { snapshot, says } = run(ev.greeted);
    expect(snapshot.value).toEqual({ bot: 'askingProduct' });
    expect(says).toEqual([[{ message: 'askProduct', greet: true }]]);
    expect(renderReply(says[0] ?? [], flow, advisor)).toBe(`Hi, I'm PJ's SOC Advisor bot. ${questionText(flow.askProduct)}`);
  });

  it('gives a both verdict directly from the opening message and asks PJ to step in', () => {
    const { snapshot, says, notifies } = run(ev.productAndAsker);
    expect(snapshot.value).toBe('waiting');
    expect(snapshot.context.advice).toEqual({
      verdict: 'both',
      reason: 'both.dataProduct',
      product: 'data processing',
      asker: 'their year-end audit',
    });
    expect(says).toEqual([[{ message: 'verdict', advice: snapshot.context.advice, international: true }]]);
    expect(notifies).toEqual([[{ kind: 'flagged' }]]);
    expect(summarizeConversation(snapshot)).toEqual({
      status: 'waiting',
      awaiting: null,
      answers: { product: ev.productAndAsker.text, asker: ev.productAndAsker.text },
      verdict: 'both',
      flags: ['both'],
    });
    const text = renderReply(says[0] ?? [], flow, advisor) ?? '';
    expect(text.startsWith('You need both SOC 1 and SOC 2.')).toBe(true);
    expect(text).toContain(flow.verdict.international);
  });

  it('gives a single verdict directly from the opening message and stays with the bot', () => {
    const opening = answered('we do data processing, their security team asks', DATA, ASKER_SECURITY);
    const { snapshot, says, notifies } = run(opening);
    expect(snapshot.value).toEqual({ bot: 'advised' });
    expect(says).toEqual([[{ message: 'verdict', advice: snapshot.context.advice, international: false }]]);
    expect(notifies).toEqual([[]]);
    expect(snapshot.context.flags).toEqual([]);
  });

  it('greets and asks who is asking when the opening message names only the product', () => {
    const { snapshot, says } = run(ev.financialProduct);
    expect(snapshot.value).toEqual({ bot: 'askingAsker' });
    expect(snapshot.context.awaiting).toBe('asker');
    expect(says).toEqual([[{ message: 'askAsker', greet: true }]]);
  });

  it('keeps an asker named before the product and advises once the product comes', () => {
    const { snapshot, says } = run(ev.askerSecurity, ev.dataProduct);
    expect(says[0]).toEqual([{ message: 'askProduct', greet: true }]);
    expect(snapshot.value).toEqual({ bot: 'advised' });
    expect(snapshot.context.advice?.reason).toBe('soc2.productAndAsker');
    expect(says[1]).toEqual([{ message: 'verdict', advice: snapshot.context.advice, international: false }]);
  });

  it('re-asks the product on a first miss, then flags unclear and waits on the second', () => {
    const { snapshot, says } = run(ev.greeted, ev.nothing, ev.nothing);
    expect(says[1]).toEqual([{ message: 'reaskProduct' }]);
    expect(says[2]).toEqual([{ message: 'unclear' }]);
    expect(snapshot.value).toBe('waiting');
    expect(snapshot.context.flags).toEqual(['unclear']);
    expect(summarizeConversation(snapshot).status).toBe('waiting');
    expect(summarizeConversation(snapshot).awaiting).toBe('product');
  });

  it('re-asks the asker on a first miss, then flags unclear and waits on the second', () => {
    const { snapshot, says } = run(ev.greeted, ev.financialProduct, ev.nothing, ev.nothing);
    expect(says[1]).toEqual([{ message: 'askAsker', greet: false }]);
    expect(says[2]).toEqual([{ message: 'reaskAsker' }]);
    expect(says[3]).toEqual([{ message: 'unclear' }]);
    expect(snapshot.value).toBe('waiting');
    expect(snapshot.context.flags).toEqual(['unclear']);
  });

  it('starts the miss count afresh for the next question', () => {
    const { snapshot, says } = run(ev.greeted, ev.nothing, ev.financialProduct, ev.nothing);
    expect(says[3]).toEqual([{ message: 'reaskAsker' }]);
    expect(snapshot.value).toEqual({ bot: 'askingAsker' });
    expect(snapshot.context.misses).toBe(1);
  });

  it('advises on an unknown asker from the product alone', () => {
    const { snapshot, says } = run(ev.greeted, ev.financialProduct, ev.askerUnknown);
    expect(snapshot.context.advice).toEqual({
      verdict: 'soc1',
      reason: 'soc1.product',
      product: 'benefits administration',
      asker: null,
    });
    expect(says[2]?.[0]?.message).toBe('verdict');
  });

  it('flags human and hands off when asked for a person', () => {
    const { snapshot, says } = run(ev.greeted, ev.askedForHuman);
    expect(snapshot.value).toBe('waiting');
    expect(snapshot.context.flags).toEqual(['human']);
    expect(says[1]).toEqual([{ message: 'handoffHuman' }]);
    expect(renderReply(says[1] ?? [], flow, advisor)).toContain('858-461-8054');
  });

  it('flags cost and hands off when asked the price', () => {
    const { snapshot, says } = run(ev.greeted, ev.financialProduct, ev.askedCost);
    expect(snapshot.value).toBe('waiting');
    expect(snapshot.context.flags).toEqual(['cost']);
    expect(says[2]).toEqual([{ message: 'handoffCost' }]);
  });

  it('adds flags silently while waiting, without duplicates', () => {
    const { snapshot, says } = run(ev.greeted, ev.askedCost, ev.askedForHuman, ev.askedCost);
    expect(snapshot.context.flags).toEqual(['cost', 'human']);
    expect(says.slice(2)).toEqual([[], []]);
  });

  it('restart forgets the answers, keeps the flags and asks the product again', () => {
    const before = run(ev.greeted, ev.dataProduct, ev.askedCost, ev.handedBack, ev.askerSecurity).snapshot;
    expect(before.value).toEqual({ bot: 'advised' });
    const { snapshot, says } = step(before, ev.restarted);
    expect(snapshot.value).toEqual({ bot: 'askingProduct' });
    expect(snapshot.context).toEqual({ ...initialContext, awaiting: 'product', flags: ['cost'] });
    expect(says).toEqual([{ message: 'restart' }, { message: 'askProduct', greet: false }]);
    expect(renderReply(says, flow, advisor)).toBe(`${flow.restart} ${questionText(flow.askProduct)}`);
  });

  it('hands back at the open question with the resumed line', () => {
    const waiting = run(ev.greeted, ev.financialProduct, ev.askedForHuman).snapshot;
    expect(waiting.context.awaiting).toBe('asker');
    const back = step(waiting, ev.handedBack);
    expect(back.snapshot.value).toEqual({ bot: 'askingAsker' });
    expect(back.says).toEqual([{ message: 'resumed' }, { message: 'askAsker', greet: false }]);
    expect(renderReply(back.says, flow, advisor)).toBe(`PJ handed you back to me. ${questionText(flow.askAsker)}`);

    const human = run(ev.greeted, ev.tookOver, ev.dataProduct, ev.helpLoud, ev.restarted).snapshot;
    expect(human.value).toBe('human');
    const fromHuman = step(human, ev.handedBack);
    expect(fromHuman.snapshot.value).toEqual({ bot: 'askingProduct' });
    expect(fromHuman.says).toEqual([{ message: 'resumed' }, { message: 'askProduct', greet: false }]);
  });

  it('hands back after a verdict with only the resumed line', () => {
    const human = run(ev.productAndAsker, ev.tookOver).snapshot;
    const back = step(human, ev.handedBack);
    expect(back.snapshot.value).toEqual({ bot: 'advised' });
    expect(back.says).toEqual([{ message: 'resumed' }]);
  });

  it('keeps the bot silent while PJ has the conversation', () => {
    const { snapshot, says } = run(
      ev.greeted,
      ev.tookOver,
      ev.greeted,
      ev.dataProduct,
      ev.helpLoud,
      ev.optInLoud,
      ev.restarted,
      ev.askedForHuman,
      ev.askedCost,
    );
    expect(snapshot.value).toBe('human');
    expect(says.slice(1)).toEqual([[], [], [], [], [], [], [], []]);
    expect(snapshot.context.flags).toEqual(['cost']);
    expect(snapshot.context.product).toBeNull();
  });

  it('points to PJ once after the verdict, then stays silent on chit-chat', () => {
    const advised = run(ev.greeted, ev.dataProduct, ev.askerSecurity).snapshot;
    const first = step(advised, ev.nothing);
    expect(first.says).toEqual([{ message: 'afterVerdict' }]);
    expect(first.snapshot.context.nudged).toBe(true);
    expect(step(first.snapshot, ev.nothing).says).toEqual([]);
    expect(step(first.snapshot, ev.greeted).says).toEqual([]);
    expect(step(first.snapshot, ev.askerUnknown).says).toEqual([]);
    // A greeting is chit-chat too.
    expect(step(advised, ev.greeted).says).toEqual([{ message: 'afterVerdict' }]);
  });

  it('sends the new verdict when an answer after the verdict changes it, flagging a both', () => {
    const advised = run(ev.greeted, ev.dataProduct, ev.askerSecurity).snapshot;
    expect(advised.context.advice?.verdict).toBe('soc2');
    const changed = step(advised, ev.financialProduct);
    expect(changed.snapshot.value).toBe('waiting');
    expect(changed.snapshot.context.advice).toEqual({
      verdict: 'both',
      reason: 'both.product',
      product: 'benefits administration and data processing',
      asker: null,
    });
    expect(changed.says).toEqual([
      { message: 'verdict', advice: changed.snapshot.context.advice, international: false },
    ]);
    expect(changed.notifies).toEqual([{ kind: 'flagged' }]);
    expect(changed.snapshot.context.flags).toEqual(['both']);
    // The user's first words stay the recorded answer.
    expect(changed.snapshot.context.productText).toBe(ev.dataProduct.text);
  });

  it('flags PJ when a later asker turns a single verdict into both, and only nudges otherwise', () => {
    const advised = run(ev.greeted, ev.financialProduct, ev.askerUnknown).snapshot;
    expect(advised.context.advice?.verdict).toBe('soc1');
    const changed = step(advised, ev.askerSecurity);
    expect(changed.snapshot.context.advice?.reason).toBe('both.financialProduct');
    expect(changed.snapshot.value).toBe('waiting');
    expect(changed.says.map((say) => say.message)).toEqual(['verdict']);
    expect(changed.notifies).toEqual([{ kind: 'flagged' }]);
    const single = run(ev.greeted, ev.dataProduct, ev.askerUnknown).snapshot;
    expect(single.context.advice?.verdict).toBe('soc2');
    const same = step(single, ev.askerSecurity);
    expect(same.snapshot.value).toEqual({ bot: 'advised' });
    expect(same.says).toEqual([{ message: 'afterVerdict' }]);
  });

  it('does not repeat the verdict for an answer that leaves it unchanged', () => {
    const advised = run(ev.greeted, ev.dataProduct, ev.askerSecurity).snapshot;
    const same = step(advised, ev.askerUnknown);
    expect(same.says).toEqual([{ message: 'afterVerdict' }]);
    expect(same.snapshot.context.advice).toEqual(advised.context.advice);
  });

  it('confirms a loud opt-out once and then sends nothing', () => {
    const { snapshot, says } = run(ev.greeted, ev.optOutLoud, ev.optOutLoud, ev.helpLoud, ev.greeted, ev.restarted);
    expect(says[1]).toEqual([{ message: 'optOutConfirm' }]);
    expect(says.slice(2)).toEqual([[], [], [], []]);
    expect(snapshot.value).toBe('optedOut');
    expect(summarizeConversation(snapshot).status).toBe('opted_out');
  });

  it('opts out silently on a quiet STOP', () => {
    const { snapshot, says } = run(ev.greeted, ev.optOutQuiet);
    expect(snapshot.value).toBe('optedOut');
    expect(says[1]).toEqual([]);
  });

  it('resumes silently at the open question on a quiet START', () => {
    const optedOut = run(ev.greeted, ev.financialProduct, ev.optOutQuiet).snapshot;
    const back = step(optedOut, ev.optInQuiet);
    expect(back.snapshot.value).toEqual({ bot: 'askingAsker' });
    expect(back.snapshot.context.awaiting).toBe('asker');
    expect(back.says).toEqual([]);
  });

  it('opens afresh after a quiet STOP and START sent before any question', () => {
    const back = run(ev.optOutQuiet, ev.optInQuiet);
    expect(back.snapshot.value).toBe('fresh');
    expect(back.says).toEqual([[], []]);
    expect(step(back.snapshot, ev.nothing).says).toEqual([{ message: 'askProduct', greet: true }]);
  });

  it('welcomes back and repeats the open question on a loud START', () => {
    const optedOut = run(ev.greeted, ev.financialProduct, ev.optOutLoud).snapshot;
    const back = step(optedOut, ev.optInLoud);
    expect(back.snapshot.value).toEqual({ bot: 'askingAsker' });
    expect(back.says).toEqual([{ message: 'optInConfirm' }, { message: 'askAsker', greet: false }]);
  });

  it('answers HELP unless Twilio already did', () => {
    expect(run(ev.greeted, ev.helpLoud).says[1]).toEqual([{ message: 'help' }]);
    expect(run(ev.greeted, ev.helpQuiet).says[1]).toEqual([]);
    expect(run(ev.greeted, ev.helpLoud).snapshot.value).toEqual({ bot: 'askingProduct' });
  });

  it('is final once closed', () => {
    const { snapshot } = run(ev.greeted, ev.financialProduct, ev.closed);
    expect(snapshot.value).toBe('closed');
    expect(snapshot.status).toBe('done');
    expect(summarizeConversation(snapshot).status).toBe('closed');
    for (const event of events) {
      const [next, actions] = transition(conversationMachine, snapshot, event);
      expect(next.value, describeEvent(event)).toBe('closed');
      expect(actions, describeEvent(event)).toEqual([]);
      expect(next.context).toEqual(snapshot.context);
    }
  });
});

describe('conversation machine, handoff examples', () => {
  /** One snapshot per stable state, reached by ordinary paths. */
  const inEveryState = (): Array<[string, Snapshot]> => [
    ['fresh', run().snapshot],
    ['bot.askingProduct', run(ev.greeted).snapshot],
    ['bot.askingAsker', run(ev.greeted, ev.financialProduct).snapshot],
    ['bot.advised', run(ev.greeted, ev.dataProduct, ev.askerSecurity).snapshot],
    ['waiting', run(ev.greeted, ev.askedCost).snapshot],
    ['human', run(ev.greeted, ev.financialProduct, ev.tookOver).snapshot],
    ['optedOut', run(ev.greeted, ev.optOutLoud).snapshot],
    ['closed', run(ev.greeted, ev.closed).snapshot],
  ];

  it('flags a both verdict reached on the second answer and tells PJ', () => {
    const { snapshot, says, notifies } = run(ev.greeted, ev.financialProduct, ev.askerSecurity);
    expect(snapshot.value).toBe('waiting');
    expect(snapshot.context.advice?.reason).toBe('both.financialProduct');
    expect(snapshot.context.flags).toEqual(['both']);
    expect(snapshot.context.reminded).toBe(false);
    expect(says[2]).toEqual([{ message: 'verdict', advice: snapshot.context.advice, international: false }]);
    expect(notifies).toEqual([[], [], [{ kind: 'flagged' }]]);
    // The verdict still ends by pointing to PJ, who has now been asked to step in.
    expect(renderReply(says[2] ?? [], flow, advisor)).toContain('858-461-8054');
  });

  it('keeps the both flag next to later ones and across a restart', () => {
    const { snapshot, says } = run(ev.productAndAsker, ev.askedCost, ev.askedForHuman, ev.restarted);
    expect(says[1]).toEqual([]);
    expect(says[2]).toEqual([]);
    expect(snapshot.value).toEqual({ bot: 'askingProduct' });
    expect(snapshot.context.flags).toEqual(['both', 'cost', 'human']);
  });

  it('hands a both conversation back to the bot at the verdict, silently after the resumed line', () => {
    const waiting = run(ev.productAndAsker).snapshot;
    const back = step(waiting, ev.handedBack);
    expect(back.snapshot.value).toEqual({ bot: 'advised' });
    expect(back.says).toEqual([{ message: 'resumed' }]);
    expect(back.notifies).toEqual([]);
    expect(step(back.snapshot, ev.nothing).says).toEqual([{ message: 'afterVerdict' }]);
  });

  it('tells PJ on every entry into waiting, and not while it stays there', () => {
    expect(run(ev.greeted, ev.askedForHuman).notifies[1]).toEqual([{ kind: 'flagged' }]);
    expect(run(ev.greeted, ev.askedCost).notifies[1]).toEqual([{ kind: 'flagged' }]);
    expect(run(ev.greeted, ev.nothing, ev.nothing).notifies.slice(1)).toEqual([[], [{ kind: 'flagged' }]]);
    expect(run(ev.productAndAsker).notifies[0]).toEqual([{ kind: 'flagged' }]);
    const { notifies } = run(ev.greeted, ev.askedCost, ev.askedForHuman, ev.helpLoud, ev.handedBack, ev.askedCost);
    expect(notifies.slice(1)).toEqual([[{ kind: 'flagged' }], [], [], [], [{ kind: 'flagged' }]]);
  });

  it('sends one holding text and one reminder while waiting, again after a new wait', () => {
    const waiting = run(ev.greeted, ev.financialProduct, ev.askedForHuman).snapshot;
    expect(waiting.context.reminded).toBe(false);
    const first = step(waiting, ev.remindDue);
    expect(first.snapshot.value).toBe('waiting');
    expect(first.snapshot.context.reminded).toBe(true);
    expect(first.says).toEqual([{ message: 'holding' }]);
    expect(first.notifies).toEqual([{ kind: 'reminder' }]);
    expect(renderReply(first.says, flow, advisor)).toBe(
      'Thanks for your patience: PJ has your messages and will get back to you soon. ' +
        'You can also text him at 858-461-8054.',
    );
    const second = step(first.snapshot, ev.remindDue);
    expect(second.says).toEqual([]);
    expect(second.notifies).toEqual([]);
    expect(second.snapshot.context).toEqual(first.snapshot.context);
    // Handed back and flagged again: a fresh wait gets its own reminder.
    const back = step(first.snapshot, ev.handedBack).snapshot;
    const again = step(back, ev.askedCost).snapshot;
    expect(again.context.reminded).toBe(false);
    expect(step(again, ev.remindDue).says).toEqual([{ message: 'holding' }]);
  });

  it('still reminds once from a snapshot saved before `reminded` existed', () => {
    const waiting = run(ev.greeted, ev.askedForHuman).snapshot;
    const persisted = JSON.parse(JSON.stringify(conversationMachine.getPersistedSnapshot(waiting))) as {
      context: Partial<ConversationContext>;
    };
    delete persisted.context.reminded;
    const old = conversationMachine.resolveState(persisted as Parameters<typeof conversationMachine.resolveState>[0]);
    const first = step(old, ev.remindDue);
    expect(first.says).toEqual([{ message: 'holding' }]);
    expect(step(first.snapshot, ev.remindDue).says).toEqual([]);
  });

  it.each(inEveryState().filter(([state]) => state !== 'waiting'))('ignores the reminder timer in %s', (_, snapshot) => {
    const [next, actions] = transition(conversationMachine, snapshot, ev.remindDue);
    expect(actions).toEqual([]);
    expect(next.value).toEqual(snapshot.value);
    expect(next.context).toEqual(snapshot.context);
  });

  it('hands back to the bot when PJ stays idle, as if he had handed back himself', () => {
    const human = run(ev.greeted, ev.financialProduct, ev.tookOver).snapshot;
    const idle = step(human, ev.idleDue);
    expect(idle.snapshot.value).toEqual({ bot: 'askingAsker' });
    expect(idle.says).toEqual([{ message: 'resumed' }, { message: 'askAsker', greet: false }]);
    expect(idle.notifies).toEqual([]);
    expect(idle).toEqual(step(human, ev.handedBack));
    expect(renderReply(idle.says, flow, advisor)).toBe(`PJ handed you back to me. ${questionText(flow.askAsker)}`);

    const afterVerdict = step(run(ev.productAndAsker, ev.tookOver).snapshot, ev.idleDue);
    expect(afterVerdict.snapshot.value).toEqual({ bot: 'advised' });
    expect(afterVerdict.says).toEqual([{ message: 'resumed' }]);
  });

  const notHuman = inEveryState().filter(([state]) => state !== 'human');
  it.each(notHuman)('ignores the idle timer in %s', (_, snapshot) => {
    const [next, actions] = transition(conversationMachine, snapshot, ev.idleDue);
    expect(actions).toEqual([]);
    expect(next.value).toEqual(snapshot.value);
    expect(next.context).toEqual(snapshot.context);
  });

  it.each(inEveryState().filter(([state]) => !['human', 'optedOut', 'closed'].includes(state)))(
    'ends the conversation politely on Slack\'s "stop" in %s',
    (_state, snapshot) => {
      const ended = step(snapshot, ev.ended);
      expect(ended.snapshot.value).toBe('closed');
      expect(ended.snapshot.status).toBe('done');
      expect(ended.says).toEqual([{ message: 'ended' }]);
      expect(ended.notifies).toEqual([]);
      expect(ended.snapshot.context.flags).toEqual(snapshot.context.flags);
      expect(summarizeConversation(ended.snapshot).status).toBe('closed');
      expect(renderReply(ended.says, flow, advisor, 'slack')).toBe(flow.ended);
    },
  );

  it.each(inEveryState().filter(([state]) => ['human', 'optedOut', 'closed'].includes(state)))(
    'ignores Slack\'s "stop" in %s',
    (_state, snapshot) => {
      const [next, actions] = transition(conversationMachine, snapshot, ev.ended);
      expect(actions).toEqual([]);
      expect(next.value).toEqual(snapshot.value);
      expect(next.context).toEqual(snapshot.context);
    },
  );

  it('tells PJ of every opt-out, quiet or loud, but not of a repeated one', () => {
    expect(run(ev.greeted, ev.optOutLoud).notifies[1]).toEqual([{ kind: 'optedOut' }]);
    const quiet = run(ev.greeted, ev.optOutQuiet);
    expect(quiet.says[1]).toEqual([]);
    expect(quiet.notifies[1]).toEqual([{ kind: 'optedOut' }]);
    expect(run(ev.greeted, ev.askedForHuman, ev.optOutQuiet).notifies[2]).toEqual([{ kind: 'optedOut' }]);
    const fromHuman = run(ev.greeted, ev.tookOver, ev.optOutLoud);
    expect(fromHuman.says[2]).toEqual([{ message: 'optOutConfirm' }]);
    expect(fromHuman.notifies[2]).toEqual([{ kind: 'optedOut' }]);
    const { notifies } = run(ev.greeted, ev.optOutLoud, ev.optOutLoud, ev.optOutQuiet, ev.optInLoud, ev.optOutQuiet);
    expect(notifies.slice(1)).toEqual([[{ kind: 'optedOut' }], [], [], [], [{ kind: 'optedOut' }]]);
  });

  it('lets only the idle timer, a loud opt-out or a hand back make the bot speak while PJ has it', () => {
    const human = run(ev.greeted, ev.dataProduct, ev.tookOver).snapshot;
    const speaking = events.filter((event) => step(human, event).says.length > 0).map(describeEvent);
    expect(speaking.sort()).toEqual(['advisor.handedBack', 'timer.idleDue', 'user.optedOut(loud)']);
  });
});
