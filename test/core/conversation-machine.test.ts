import { describe, expect, it } from 'vitest';
import { decideInbound } from '../../src/app/decide-inbound.js';
import type { BotSettings } from '../../src/core/bot-settings.js';
import { POINTER_QUIET_MS, type ConversationEvent, type Say } from '../../src/core/conversation-machine.js';
import type { Channel, ConversationSummary } from '../../src/core/conversation.js';
import type { SavedConversation } from '../../src/core/ports.js';
import { fillAdvisor, renderReply } from '../../src/core/render-reply.js';
import { isGsm7 } from '../../src/core/sms-segments.js';
import { persist, revive, stepConversation, type Snapshot } from '../../src/core/step-conversation.js';
import { summarizeConversation } from '../../src/core/summarize-conversation.js';
import { ADVISOR as advisor } from '../support/copy.js';
import { shippedFlows } from '../support/flows.js';

const { flow, lexicon } = shippedFlows();
const MINUTE = 60_000;
const POINTER_QUIET_MINUTES = POINTER_QUIET_MS / MINUTE;
const greeting = fillAdvisor(flow.greeting, advisor);

interface Turn {
  says: Say[];
  reply: string | null;
  summary: ConversationSummary;
  /** What PJ's surfaces were told, by kind ("flagged", "optedOut"...), his copy of the text aside. */
  notices: string[];
}

/**
 * One conversation, driven the way the app drives it: a client text goes through decideInbound
 * (interpret() then the machine, from the saved snapshot), anything else (PJ, the timers) through
 * stepConversation on the revived snapshot. `carrierAnswers`: Twilio answers STOP/START itself.
 */
class Chat {
  private saved: SavedConversation | null = null;
  private now = Date.UTC(2026, 10, 30, 9, 0);
  private count = 0;
  readonly replies: string[] = [];
  private readonly settings: BotSettings;
  private readonly channel: Channel;

  constructor(options: { carrierAnswers?: boolean; channel?: Channel } = {}) {
    this.settings = {
      flow,
      lexicon,
      advisor,
      botAnswersKeywords: options.carrierAnswers !== true,
      handoff: { notifySms: null, desk: true, idleMs: 240 * MINUTE, remindMs: 30 * MINUTE },
    };
    this.channel = options.channel ?? 'sms';
  }

  /** The client writes `text`, `minutes` after the previous event. */
  send(text: string, minutes = 1): Turn {
    this.now += minutes * MINUTE;
    const participant = this.channel === 'sms' ? '+14155550101' : 'T1:U1';
    const decision = decideInbound(
      this.settings,
      {
        channel: this.channel,
        participant,
        conversationKey: participant,
        provider: 'test',
        externalId: `m${++this.count}`,
        text,
        receivedAt: this.now,
      },
      this.saved,
    );
    this.saved = { id: 1, machineVersion: decision.machineVersion, snapshot: decision.snapshot };
    const reply = decision.replies[0] ?? null;
    expect(decision.replies.length, text).toBeLessThanOrEqual(1);
    if (reply !== null) {
      expect(isGsm7(reply), reply).toBe(true);
      expect(reply, reply).not.toMatch(/\{\w+\}/);
      this.replies.push(reply);
    }
    const notices = (decision.outbox ?? []).flatMap((d) =>
      d.payload.type === 'notice' && d.payload.notice.kind !== 'clientMessage' ? [d.payload.notice.kind] : [],
    );
    return { says: decision.says, reply, summary: decision.summary, notices };
  }

  /** PJ or a stored timer acts, `minutes` after the previous event. */
  apply(make: (at: number) => ConversationEvent, minutes = 1): Turn {
    this.now += minutes * MINUTE;
    const { next, says, notifies } = stepConversation(this.snapshot, make(this.now));
    this.saved = { id: 1, ...persist(next) };
    return {
      says,
      reply: renderReply(says, flow, advisor, this.channel),
      summary: summarizeConversation(next),
      notices: notifies.map((n) => n.kind),
    };
  }

  get snapshot(): Snapshot {
    return revive(this.saved);
  }

  get summary(): ConversationSummary {
    return summarizeConversation(this.snapshot);
  }

  /** Sends each text in turn and returns the last turn. */
  script(...texts: string[]): Turn {
    let last: Turn | undefined;
    for (const text of texts) last = this.send(text);
    if (last === undefined) throw new Error('no texts');
    return last;
  }
}

const messages = (turn: Turn): string[] => turn.says.map((say) => say.message);
const tookOver = () => ({ type: 'advisor.tookOver' }) as const;
const handedBack = () => ({ type: 'advisor.handedBack' }) as const;
const remindDue = (at: number) => ({ type: 'timer.remindDue', at }) as const;

// Client texts with one plain meaning each; the tests assert where they lead.
const PAYROLL = 'we run payroll for dental clinics';
const UNKNOWN_BUSINESS = 'we help florists with their arrangements';
const CRM = 'we make a CRM for dentists';
const SECURITY = 'their infosec team';
const CONTROLLER = 'their controller';

/** A conversation that has reached a SOC 2 verdict with the bot. */
function advisedSoc2(): Chat {
  const chat = new Chat();
  const turn = chat.script('hi', CRM, SECURITY);
  expect(turn.summary).toMatchObject({ status: 'bot', verdict: 'soc2', flags: [] });
  return chat;
}

describe('opening', () => {
  it('introduces itself once, on the first reply only', () => {
    const chat = new Chat();
    const first = chat.send('hi');
    expect(first.says).toEqual([{ message: 'askProduct', greet: true, buyer: false }]);
    expect(first.reply?.startsWith(greeting)).toBe(true);
    expect(chat.send('hello').says).toEqual([{ message: 'askProduct', greet: false, buyer: false }]);
    chat.script(PAYROLL, CONTROLLER);
    expect(chat.replies.filter((reply) => reply.includes(greeting))).toHaveLength(1);
  });

  it('introduces itself with the next question when the first text already answers one', () => {
    const chat = new Chat();
    const first = chat.send(PAYROLL);
    expect(first.says).toEqual([{ message: 'askAsker', greet: true, buyer: false }]);
    chat.send('hmm');
    chat.send(CONTROLLER);
    expect(chat.replies.filter((reply) => reply.includes(greeting))).toHaveLength(1);
  });

  it('answers "yes" from someone who never opted out as a way of saying hello', () => {
    const turn = new Chat().send('yes');
    expect(turn.says).toEqual([{ message: 'askProduct', greet: true, buyer: false }]);
    expect(turn.summary.status).toBe('bot');
  });
});

describe('the two questions', () => {
  it('moves on to the asker when the product is in words the lexicon does not know, and lets the asker decide', () => {
    for (const [asker, verdict] of [
      [SECURITY, 'soc2'],
      [CONTROLLER, 'soc1'],
    ] as const) {
      const chat = new Chat();
      chat.send('hi');
      const product = chat.send(UNKNOWN_BUSINESS);
      expect(messages(product)).toEqual(['askAsker']);
      expect(product.summary.answers.product).toBe(UNKNOWN_BUSINESS);
      const decided = chat.send(asker);
      expect(decided.summary.verdict).toBe(verdict);
      expect(messages(decided)).toEqual(['verdict']);
    }
  });

  it('keeps an asker named while the product was awaited, and decides once the product comes', () => {
    const chat = new Chat();
    chat.send('hi');
    const early = chat.send('their controller asked us for it');
    expect(messages(early)).toEqual(['askProduct']);
    expect(chat.snapshot.context.asker?.finance).not.toBeNull();
    const decided = chat.send(PAYROLL);
    expect(decided.summary.verdict).toBe('soc1');
    expect(chat.snapshot.context.advice).toMatchObject({
      reason: 'soc1.productAndAsker',
      asker: expect.stringContaining('controller'),
    });
  });

  it('decides at once when one text answers both questions', () => {
    const turn = new Chat().send(`${PAYROLL}, and their controller wants a SOC report`);
    expect(messages(turn)).toEqual(['verdict']);
    expect(turn.summary.verdict).toBe('soc1');
  });

  it('replaces the product on a correction instead of adding to it', () => {
    const chat = new Chat();
    chat.script('hi', 'we do billing for gyms');
    expect(chat.snapshot.context.product?.financial).not.toBeNull();
    chat.send('sorry, I meant we just host their websites');
    expect(chat.snapshot.context.product?.financial).toBeNull();
    expect(chat.send(CONTROLLER).summary).toMatchObject({ verdict: null, flags: ['conflict'] });
  });

  it('replaces the asker on a correction, even after the verdict, and sends the new verdict', () => {
    const chat = new Chat();
    expect(chat.script(PAYROLL, SECURITY).summary.verdict).toBe('soc2');
    const corrected = chat.send('no wait, it came from the controller');
    expect(messages(corrected)).toEqual(['verdict']);
    expect(corrected.summary.verdict).toBe('soc1');
    expect(chat.snapshot.context.asker).toEqual({ finance: 'their controller', security: null });
  });

  it('answers a common question in place, repeats the pending question, and counts no miss', () => {
    const chat = new Chat();
    chat.send('hi');
    const asked = chat.send("what's the difference between type 1 and type 2?");
    expect(asked.says).toEqual([
      { message: 'topics', topics: ['types'] },
      { message: 'pending', question: 'product', buyer: false },
    ]);
    expect(asked.reply?.startsWith(flow.answers.types ?? '?')).toBe(true);
    expect(asked.reply?.endsWith(flow.pending.product)).toBe(true);
    expect(chat.snapshot.context).toMatchObject({ awaiting: 'product', misses: 0, productText: null });
    // The first unusable answer after it is still only the first miss.
    expect(messages(chat.send('hmm'))).toEqual(['reaskProduct']);
  });

  it.each(['how long does it take?', 'who performs the audit?', "what's a SOC 3?"])(
    'answers %j while the asker is awaited without taking it as the asker',
    (question) => {
      const chat = new Chat();
      chat.send(PAYROLL);
      const asked = chat.send(question);
      expect(messages(asked)).toEqual(['topics', 'pending']);
      expect(asked.summary).toMatchObject({ awaiting: 'asker', verdict: null, answers: { asker: null } });
      expect(chat.send(CONTROLLER).summary.verdict).toBe('soc1');
    },
  );

  it.each(['what is this?', 'hi i need help'])(
    'answers %j with the help text and the open question in short',
    (text) => {
      const chat = new Chat();
      chat.send(PAYROLL);
      const helped = chat.send(text);
      expect(helped.says).toEqual([{ message: 'help' }, { message: 'pending', question: 'asker', buyer: false }]);
      expect(helped.reply?.endsWith(flow.pending.asker)).toBe(true);
      expect(chat.send(CONTROLLER).summary.verdict).toBe('soc1');
    },
  );

  it.each(['yes', 'Start'])('replies to %j in the middle of the conversation with the open question', (text) => {
    const chat = new Chat();
    chat.send(PAYROLL);
    const yes = chat.send(text);
    expect(yes.reply).not.toBeNull();
    expect(yes.says).toEqual([{ message: 'askAsker', greet: false, buyer: false }]);
    expect(yes.summary).toMatchObject({ status: 'bot', awaiting: 'asker' });
  });
});

describe('after the verdict', () => {
  it('answers a common question, and nothing more', () => {
    const chat = advisedSoc2();
    const turn = chat.send('what is a bridge letter?');
    expect(turn.says).toEqual([{ message: 'topics', topics: ['bridge'] }]);
    expect(turn.reply).toBe(fillAdvisor(flow.answers.bridge ?? '?', advisor));
    expect(turn.summary).toMatchObject({ status: 'bot', flags: [] });
  });

  it.each(['thanks', 'ok', 'Thank you!', '\u{1F44D}'])('does not reply to %j', (text) => {
    const chat = advisedSoc2();
    expect(chat.send(text)).toMatchObject({ says: [], reply: null, notices: [] });
  });

  it('points to PJ once on anything else, then stays quiet for 30 minutes, then points again', () => {
    const chat = advisedSoc2();
    const first = chat.send('hello??');
    expect(messages(first)).toEqual(['pointer']);
    expect(first.summary.flags).toEqual(['followup']);
    expect(first.notices).toEqual(['flagged']);
    expect(chat.send('can you send that by email?', 5).reply).toBeNull();
    expect(chat.send('what is a SOC 3?', 5).says).toEqual([{ message: 'topics', topics: ['soc3'] }]);
    expect(chat.send('anyone there?', POINTER_QUIET_MINUTES - 11).reply).toBeNull();
    expect(messages(chat.send('hello?', 1))).toEqual(['pointer']);
    expect(chat.send('hello?', 1).reply).toBeNull();
    expect(chat.summary.verdict).toBe('soc2');
  });
});

describe('while waiting for PJ', () => {
  function waiting(): Chat {
    const chat = new Chat();
    chat.send(PAYROLL);
    const handoff = chat.send('can I talk to a real person?');
    expect(messages(handoff)).toEqual(['handoffHuman']);
    expect(handoff.summary).toMatchObject({ status: 'waiting', flags: ['human'] });
    return chat;
  }

  it('answers common questions, ignores thanks, and points to PJ at most every 30 minutes', () => {
    const chat = waiting();
    // The handoff line already told them how to reach PJ.
    expect(chat.send('hello?', 5).reply).toBeNull();
    expect(chat.send('thanks', 1).reply).toBeNull();
    expect(chat.send('what is a SOC 3?', 1).says).toEqual([{ message: 'topics', topics: ['soc3'] }]);
    expect(messages(chat.send('any news?', POINTER_QUIET_MINUTES - 7))).toEqual(['pointer']);
    expect(chat.send('hello?', 10).reply).toBeNull();
    expect(chat.summary.status).toBe('waiting');
  });

  it('counts the holding text as the pointer, and sends it once per wait', () => {
    const chat = waiting();
    const holding = chat.apply(remindDue, 30);
    expect(messages(holding)).toEqual(['holding']);
    expect(holding.notices).toEqual(['reminder']);
    expect(chat.send('hello?', 5).reply).toBeNull();
    expect(chat.apply(remindDue, 1).says).toEqual([]);
    expect(messages(chat.send('hello?', POINTER_QUIET_MINUTES - 6))).toEqual(['pointer']);
  });

  it('resumes at the open question when PJ hands back', () => {
    const chat = waiting();
    const back = chat.apply(handedBack);
    expect(back.says).toEqual([{ message: 'resumed' }, { message: 'askAsker', greet: false, buyer: false }]);
    expect(chat.send(CONTROLLER).summary.verdict).toBe('soc1');
  });
});

describe('while PJ has the conversation', () => {
  it('says nothing, whatever the client writes', () => {
    const chat = new Chat();
    chat.send(PAYROLL);
    expect(chat.apply(tookOver).says).toEqual([]);
    for (const text of [
      'hi',
      CONTROLLER,
      'what is a SOC 3?',
      'yes',
      'help',
      'how much does it cost?',
      'start over',
      'talk to a person',
      'thanks',
    ]) {
      const turn = chat.send(text);
      expect(turn.says, text).toEqual([]);
      expect(turn.summary.status, text).toBe('human');
    }
    expect(chat.apply((at) => ({ type: 'timer.remindDue', at })).says).toEqual([]);
  });

  it('hands back when PJ stays idle, as if he had handed back himself', () => {
    const chat = new Chat();
    chat.send(PAYROLL);
    chat.apply(tookOver);
    const idle = stepConversation(chat.snapshot, { type: 'timer.idleDue' });
    const byPj = stepConversation(chat.snapshot, { type: 'advisor.handedBack' });
    expect(idle.says).toEqual(byPj.says);
    expect(idle.next.context).toEqual(byPj.next.context);
    expect(idle.says.map((s) => s.message)).toEqual(['resumed', 'askAsker']);
  });
});

describe('opting out', () => {
  const states: Array<[string, (chat: Chat) => void]> = [
    ['fresh', () => undefined],
    ['asking the product', (chat) => chat.send('hi')],
    ['asking the asker', (chat) => chat.send(PAYROLL)],
    ['advised', (chat) => chat.script(CRM, SECURITY)],
    ['waiting', (chat) => chat.script(CRM, CONTROLLER)],
    ['with PJ', (chat) => chat.apply(tookOver)],
  ];

  it.each(states)('works from %s, confirmed once, then nothing is sent', (_state, reach) => {
    const chat = new Chat();
    reach(chat);
    const stop = chat.send('please stop texting me');
    expect(messages(stop)).toEqual(['optOutConfirm']);
    expect(stop.summary.status).toBe('opted_out');
    for (const text of ['hi', 'what is a SOC 3?', PAYROLL, 'help', 'talk to a person'])
      expect(chat.send(text).says, text).toEqual([]);
  });

  it('is silent when Twilio already answered STOP, and a quiet START resumes at the open question', () => {
    const chat = new Chat({ carrierAnswers: true });
    chat.send(PAYROLL);
    expect(chat.send('STOP')).toMatchObject({ says: [], summary: { status: 'opted_out' } });
    const start = chat.send('START');
    expect(start.says).toEqual([]);
    expect(start.summary).toMatchObject({ status: 'bot', awaiting: 'asker' });
    expect(chat.send(CONTROLLER).summary.verdict).toBe('soc1');
  });

  it('welcomes back and repeats the open question when the bot answers START itself', () => {
    const chat = new Chat();
    chat.script(PAYROLL, 'STOP');
    expect(chat.send('START').says).toEqual([
      { message: 'optInConfirm' },
      { message: 'askAsker', greet: false, buyer: false },
    ]);
  });
});

describe('flags for PJ', () => {
  it('flags unclear after two answers that say nothing, at either question', () => {
    for (const opening of [[], [PAYROLL]]) {
      const chat = new Chat();
      chat.script('hi', ...opening);
      expect(messages(chat.send('hmm'))[0]).toMatch(/^reask/);
      const second = chat.send('hmm');
      expect(messages(second)).toEqual(['unclear']);
      expect(second.summary).toMatchObject({ status: 'waiting', flags: ['unclear'], verdict: null });
      expect(second.notices).toEqual(['flagged']);
    }
  });

  it('flags unclear when the concrete re-ask gets words it cannot place', () => {
    const chat = new Chat();
    chat.script('hi', 'hmm');
    expect(chat.send(UNKNOWN_BUSINESS).summary).toMatchObject({ status: 'waiting', flags: ['unclear'] });
  });

  it('flags a conflict with no verdict when the finance side asks about a plainly non-financial service', () => {
    const chat = new Chat();
    chat.send(CRM);
    const turn = chat.send(CONTROLLER);
    expect(turn.says).toEqual([{ message: 'conflict', product: expect.stringContaining('crm') }]);
    expect(turn.summary).toMatchObject({ status: 'waiting', verdict: null, flags: ['conflict'] });
    expect(turn.notices).toEqual(['flagged']);
  });

  it('flags both, keeping the verdict, for financial processing with sensitive data', () => {
    const chat = new Chat();
    chat.send('we process payments and store card numbers');
    const turn = chat.send('not sure');
    expect(messages(turn)).toEqual(['verdict']);
    expect(turn.summary).toMatchObject({ status: 'waiting', verdict: 'both', flags: ['both'] });
  });

  it('flags both when both sides ask', () => {
    const turn = new Chat().script(CRM, 'both their CFO and their security team');
    expect(turn.summary).toMatchObject({ verdict: 'both', flags: ['both'] });
  });
});

describe('the buying side', () => {
  it('tells a buyer what to request, never "You need"', () => {
    const turn = new Chat().send(
      'I manage vendors at a bank. Which SOC report should we request from our payroll vendor?',
    );
    expect(turn.summary).toMatchObject({ side: 'buyer', verdict: 'soc1' });
    expect(turn.reply?.startsWith(flow.verdict.buyerHeadline.soc1)).toBe(true);
    expect(turn.reply).not.toContain(flow.verdict.headline.soc1);
  });

  it('keeps a vendor on the client side', () => {
    expect(new Chat().script(PAYROLL, CONTROLLER).summary.side).toBe('client');
  });
});

describe('controls', () => {
  it('starts over on request, forgetting the answers and keeping the flags', () => {
    const chat = new Chat();
    chat.script(CRM, CONTROLLER);
    chat.apply(handedBack);
    const restart = chat.send('start over');
    expect(messages(restart)).toEqual(['restart', 'askProduct']);
    expect(restart.summary).toMatchObject({
      status: 'bot',
      awaiting: 'product',
      verdict: null,
      flags: ['conflict'],
      answers: { product: null },
    });
  });

  it('hands a price question to PJ', () => {
    const turn = new Chat().script(PAYROLL, 'how much does it cost?');
    expect(messages(turn)).toEqual(['handoffCost']);
    expect(turn.summary).toMatchObject({ status: 'waiting', flags: ['cost'] });
  });

  it('ends politely on Slack\'s "stop", which is no opt-out there', () => {
    const chat = new Chat({ channel: 'slack' });
    chat.send('hi');
    const stop = chat.send('stop');
    expect(messages(stop)).toEqual(['ended']);
    expect(stop.summary.status).toBe('closed');
  });

  it('is final once closed', () => {
    const chat = new Chat();
    chat.send(PAYROLL);
    chat.apply(() => ({ type: 'advisor.closed' }));
    expect(chat.snapshot.status).toBe('done');
    for (const text of ['hi', CONTROLLER, 'START'])
      expect(chat.send(text)).toMatchObject({ says: [], summary: { status: 'closed' } });
  });
});
