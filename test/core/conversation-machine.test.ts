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
  type Say,
} from '../../src/core/conversation-machine.js';
import type { Status } from '../../src/core/conversation.js';
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
 * and a financial one lead to different verdicts from the same state.
 */
function serializeState(snapshot: Snapshot): string {
  const c = snapshot.context;
  return JSON.stringify([
    stateId(snapshot),
    c.awaiting,
    c.misses,
    c.product && [c.product.financial !== null, c.product.data !== null],
    c.asker && [c.asker.finance !== null, c.asker.security !== null],
    c.advice?.verdict ?? null,
    c.nudged,
    [...c.flags].sort(),
  ]);
}

function saysOf(actions: readonly Action[]): Say[] {
  return actions.filter((a) => a.type === 'say').map((a) => a.params as Say);
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

/** Every invariant for one step; returns the broken ones (cheaper than expect() in hot loops). */
function checkStep(prev: Snapshot, event: ConversationEvent, next: Snapshot, actions: readonly Action[]): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(message);
  const says = saysOf(actions);
  const from = stateId(prev);
  const to = stateId(next);
  const isUser = event.type.startsWith('user.');
  const quiet = 'quiet' in event && event.quiet;
  const messages = says.map((s) => s.message);

  if (!(STABLE_STATES as readonly string[]).includes(to)) fail(`rests in transient state ${to}`);

  // (1) Silence towards a sender PJ has or who opted out.
  if (isUser && [from, to].some((s) => s === 'human' || s === 'optedOut')) {
    if (from === 'optedOut' && event.type === 'user.optedIn' && !event.quiet) {
      if (messages[0] !== 'optInConfirm') fail(`opt-in out of optedOut said ${messages.join(',')}`);
      if (to === 'optedOut') fail('a loud opt-in stayed opted out');
    } else if (from !== 'optedOut' && event.type === 'user.optedOut' && !event.quiet) {
      if (messages.join(',') !== 'optOutConfirm') fail(`opt-out said ${messages.join(',')}`);
    } else if (says.length > 0) {
      fail(`${from} -> ${to} said ${messages.join(',')}`);
    }
  }
  if (to === 'optedOut' && from !== 'optedOut' && event.type !== 'user.optedOut') fail(`opted out by ${event.type}`);
  if (to === 'human' && from !== 'human' && event.type !== 'advisor.tookOver') fail(`human by ${event.type}`);
  if (from === 'closed' && (to !== 'closed' || actions.length > 0)) fail('closed reacted');
  if (event.type.startsWith('advisor.') && says.length > 0) {
    if (event.type !== 'advisor.handedBack' || messages[0] !== 'resumed') {
      fail(`advisor event said ${messages.join(',')}`);
    }
  }

  // (2) Twilio already answered a quiet keyword.
  if (quiet && says.length > 0) fail(`quiet event said ${messages.join(',')}`);

  // (3) Everything said renders to cheap SMS, alone and as the turn's one text.
  const renderIssue = renderProblem(says);
  if (renderIssue !== null) fail(renderIssue);

  // (4) The stored summary agrees with the machine.
  const summary = summarizeConversation(next);
  const c = next.context;
  if (summary.status !== EXPECTED_STATUS[to]) fail(`status ${summary.status} in ${to}`);
  if (summary.awaiting !== c.awaiting) fail('summary awaiting');
  if ((summary.verdict ?? null) !== (c.advice?.verdict ?? null)) fail('summary verdict');
  if (JSON.stringify(summary.flags) !== JSON.stringify(c.flags)) fail('summary flags');
  if (summary.answers.product !== c.productText || summary.answers.asker !== c.askerText) fail('summary answers');
  if ((next.status === 'done') !== (to === 'closed')) fail(`status ${next.status} in ${to}`);

  // (5) The open question matches the state.
  const awaitingIn: Record<string, ConversationContext['awaiting']> = {
    'bot.askingProduct': 'product',
    'bot.askingAsker': 'asker',
    'bot.advised': null,
  };
  if (to in awaitingIn && c.awaiting !== awaitingIn[to]) fail(`awaiting ${c.awaiting} in ${to}`);
  if (to === 'bot.advised' && c.advice === null) fail('advised without advice');

  // (6) A verdict is sent exactly when an answer brings the machine to a (new) verdict.
  const verdicts = says.filter((s) => s.message === 'verdict');
  const enteredAdvised =
    event.type === 'user.answered' &&
    to === 'bot.advised' &&
    (from !== 'bot.advised' || prev.context.advice?.verdict !== c.advice?.verdict);
  if (verdicts.length !== (enteredAdvised ? 1 : 0)) {
    fail(`${verdicts.length} verdicts for ${describeEvent(event)} ${from} -> ${to}`);
  }
  for (const v of verdicts) {
    if (v.message !== 'verdict') continue;
    if (JSON.stringify(v.advice) !== JSON.stringify(c.advice)) fail('verdict advice differs from context');
    if (v.advice.verdict !== c.advice?.verdict) fail('verdict differs from context');
    if (v.international !== c.international) fail('verdict international differs from context');
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

interface Replay {
  snapshots: Snapshot[];
  problems: string[];
}

/**
 * Replays `path` from the initial state with the pure transition(), reviving every snapshot
 * from JSON before the next step (as the shell does), checking every invariant on the way.
 */
function replay(path: readonly ConversationEvent[]): Replay {
  let [snapshot] = initialTransition(conversationMachine);
  const snapshots = [snapshot];
  const problems: string[] = [];
  path.forEach((event, i) => {
    const [next, actions] = transition(conversationMachine, snapshot, event);
    const revived = roundTrip(next);
    const where = `step ${i + 1} ${describeEvent(event)}:`;
    for (const p of [...checkStep(snapshot, event, next, actions), ...roundTripProblems(next, revived)]) {
      problems.push(`${where} ${p}`);
    }
    snapshot = revived;
    snapshots.push(snapshot);
  });
  return { snapshots, problems };
}

function eventsOf(steps: ReadonlyArray<{ event: { type: string } }>): ConversationEvent[] {
  // NOTE: the first step of every path is the xstate.init pseudo-event.
  return steps.filter((s) => s.event.type !== 'xstate.init').map((s) => s.event as ConversationEvent);
}

function run(...path: ConversationEvent[]): { snapshot: Snapshot; says: Say[][] } {
  let [snapshot] = initialTransition(conversationMachine);
  const says: Say[][] = [];
  for (const event of path) {
    const [next, actions] = transition(conversationMachine, snapshot, event);
    snapshot = roundTrip(next);
    says.push(saysOf(actions));
  }
  return { snapshot, says };
}

function step(snapshot: Snapshot, event: ConversationEvent): { snapshot: Snapshot; says: Say[] } {
  const [next, actions] = transition(conversationMachine, snapshot, event);
  return { snapshot: roundTrip(next), says: saysOf(actions) };
}

// ---------------------------------------------------------------------------------------------
// Model-based tests

describe('conversation machine, model-based', () => {
  // NOTE: the store never hands a closed conversation to the machine (it loads the latest one that
  // is not closed), so the traversal stops there; what closed does with events is tested below.
  const isDone = (snapshot: Snapshot) => snapshot.status === 'done';
  const shortest = getShortestPaths(conversationMachine, { events, serializeState, stopWhen: isDone, limit: 50_000 });
  const shortestCases = shortest.map((p) => {
    const path = eventsOf(p.steps);
    return [path.map(describeEvent).join(' > ') || '(initial)', path, p.state] as const;
  });

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
  });

  it('the traversal stays bounded and reaches every state node', () => {
    expect(shortest.length).toBeGreaterThan(100);
    expect(shortest.length).toBeLessThan(2_000);
    const reached = new Set(shortest.map((p) => stateId(p.state)));
    expect([...reached].sort()).toEqual([...STABLE_STATES].sort());
    const verdicts = new Set(shortest.map((p) => p.state.context.advice?.verdict ?? null));
    expect([...verdicts].sort()).toEqual(['both', null, 'soc1', 'soc2'].sort());
  });

  it.each(shortestCases)('shortest path %s keeps every invariant', (_name, path, graphState) => {
    const { snapshots, problems } = replay(path);
    expect(problems).toEqual([]);
    const last = snapshots.at(-1) as Snapshot;
    expect(serializeState(last)).toBe(serializeState(graphState));
    // Edge coverage: every event from every reachable (abstract) state.
    const edgeProblems: string[] = [];
    for (const event of isDone(last) ? [] : events) {
      const [next, actions] = transition(conversationMachine, last, event);
      for (const p of [...checkStep(last, event, next, actions), ...roundTripProblems(next, roundTrip(next))]) {
        edgeProblems.push(`then ${describeEvent(event)}: ${p}`);
      }
    }
    expect(edgeProblems).toEqual([]);
  });

  it('every simple path through the state nodes keeps every invariant', () => {
    // NOTE: keyed on the state node alone, so a path visits each node at most once.
    const simple = getSimplePaths(conversationMachine, {
      events,
      serializeState: stateId,
      stopWhen: isDone,
      limit: 1_000,
    });
    expect(simple.length).toBeGreaterThan(1_000);
    // The paths share long prefixes: each distinct prefix is transitioned and checked once.
    const eventIndex = new Map(events.map((event, i) => [event, i]));
    const [initial] = initialTransition(conversationMachine);
    const byPrefix = new Map<string, Snapshot>([['', initial]]);
    const problems = new Set<string>();
    const reached = new Set<string>();
    let transitions = 0;
    for (const p of simple) {
      const path = eventsOf(p.steps);
      let prefix = '';
      let snapshot = initial;
      path.forEach((event, i) => {
        const key = `${prefix},${eventIndex.get(event) ?? describeEvent(event)}`;
        let next = byPrefix.get(key);
        if (next === undefined) {
          transitions += 1;
          const [direct, actions] = transition(conversationMachine, snapshot, event);
          next = roundTrip(direct);
          const found = [...checkStep(snapshot, event, direct, actions), ...roundTripProblems(direct, next)];
          for (const problem of found) {
            problems.add(`${path.slice(0, i + 1).map(describeEvent).join(' > ')}: ${problem}`);
          }
          byPrefix.set(key, next);
        }
        prefix = key;
        snapshot = next;
      });
      reached.add(stateId(snapshot));
      if (problems.size > 20) break;
    }
    expect([...problems]).toEqual([]);
    expect(transitions).toBeGreaterThan(1_000);
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

  it('gives the verdict directly when the opening message has product and asker', () => {
    const { snapshot, says } = run(ev.productAndAsker);
    expect(snapshot.value).toEqual({ bot: 'advised' });
    expect(snapshot.context.advice).toEqual({
      verdict: 'both',
      reason: 'both.dataProduct',
      product: 'data processing',
      asker: 'their year-end audit',
    });
    expect(says).toEqual([[{ message: 'verdict', advice: snapshot.context.advice, international: true }]]);
    expect(summarizeConversation(snapshot)).toEqual({
      status: 'bot',
      awaiting: null,
      answers: { product: ev.productAndAsker.text, asker: ev.productAndAsker.text },
      verdict: 'both',
      flags: [],
    });
    const text = renderReply(says[0] ?? [], flow, advisor) ?? '';
    expect(text.startsWith('You need both SOC 1 and SOC 2.')).toBe(true);
    expect(text).toContain(flow.verdict.international);
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

  it('sends the new verdict when an answer after the verdict changes it', () => {
    const advised = run(ev.greeted, ev.dataProduct, ev.askerSecurity).snapshot;
    expect(advised.context.advice?.verdict).toBe('soc2');
    const changed = step(advised, ev.financialProduct);
    expect(changed.snapshot.value).toEqual({ bot: 'advised' });
    expect(changed.snapshot.context.advice).toEqual({
      verdict: 'both',
      reason: 'both.product',
      product: 'benefits administration and data processing',
      asker: null,
    });
    expect(changed.says).toEqual([
      { message: 'verdict', advice: changed.snapshot.context.advice, international: false },
    ]);
    // The user's first words stay the recorded answer.
    expect(changed.snapshot.context.productText).toBe(ev.dataProduct.text);
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
