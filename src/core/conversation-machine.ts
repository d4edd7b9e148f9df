import { assign, setup } from 'xstate';
import { advise, type Advice, type Known, type Outcome } from './advise.js';
import type { FlagReason } from './conversation.js';
import type { Language } from './languages.js';
import type { MediaKind } from './media.js';
import type { AskerFacts, Awaiting, Facts, ProductFacts, RequestFacts } from './reading.js';

/** Bump when a change makes older persisted snapshots unsafe to revive; they then start over. */
export const MACHINE_VERSION = 2;

/** After one "PJ has been asked" line, further chatter gets no such line for this long. */
export const POINTER_QUIET_MS = 30 * 60 * 1000;

/** One thing the bot says; the renderer turns it into words from flows/main.yaml. */
export type Say =
  | { message: 'askProduct' | 'askAsker'; greet: boolean; buyer: boolean }
  | { message: 'reaskProduct' | 'reaskAsker'; buyer: boolean }
  /** The pending question in short form, after answering a common question. */
  | { message: 'pending'; question: Awaiting; buyer: boolean }
  | { message: 'verdict'; advice: Advice; international: boolean }
  /** Answers to the common questions a text asked; nothing when it asked none. */
  | { message: 'topics'; topics: string[] }
  | { message: 'conflict'; product: string }
  /** "I can only read text here": said for an attachment, which is kept for PJ. */
  | { message: 'mediaAck'; kind: MediaKind }
  | {
      message:
        | 'greeting'
        | 'unclear'
        | 'handoffHuman'
        | 'handoffCost'
        | 'help'
        | 'optOutConfirm'
        | 'optInConfirm'
        | 'restart'
        | 'resumed'
        | 'pointer'
        | 'ended'
        | 'holding';
    };

/** Something PJ must hear about; the shell fans it out to his surfaces through the outbox. */
export type Notify = { kind: 'flagged' } | { kind: 'reminder' } | { kind: 'optedOut' };

export interface ConversationContext {
  /** The question last asked and not yet answered; kept while PJ has the conversation. */
  awaiting: Awaiting | null;
  /** The question asked last, kept after it was answered: a later "no sorry, 2" picks from it. */
  lastAsked: Awaiting | null;
  /** Answers to the current question that could not be understood. */
  misses: number;
  /** The concrete "money or data?" question was asked: an unknown answer now goes to PJ. */
  reasked: boolean;
  /** The bot has introduced itself once; it never does again. */
  greeted: boolean;
  product: ProductFacts | null;
  productText: string | null;
  productQuote: string | null;
  asker: AskerFacts | null;
  askerText: string | null;
  askerQuote: string | null;
  request: RequestFacts | null;
  requestQuote: string | null;
  buyer: boolean;
  international: boolean;
  advice: Advice | null;
  flags: FlagReason[];
  /** When the last "PJ has been asked" line (or holding text) went out, epoch ms. */
  pointerAt: number | null;
  /** While waiting, the one reminder (and holding text) has gone out. */
  reminded: boolean;
  /** The language the client writes in; every word to them is in it. */
  language: Language;
  /**
   * A text long enough to tell, or the client's own words ("en español"), set the language; until
   * then each text may still change it, and after, only the client asking for another language.
   */
  languageSettled: boolean;
}

/** What a client text carries into the machine: its facts, the questions it asks, its own words. */
interface Said {
  text: string;
  facts: Facts;
  topics: string[];
  /** It says something beyond fillers ("yes", "hmm"). */
  content: boolean;
  /** Some sentence of it is a question. */
  question: boolean;
  /** Its first words, to quote an answer the lexicon did not know. */
  quote: string;
}

/**
 * `quiet`: the text was an exact carrier keyword that Twilio already answered, so the bot
 * records its effect and says nothing (no double text). `at` is when it arrived (epoch ms).
 */
export type ConversationEvent =
  | ({ type: 'user.answered'; at: number } & Said)
  | { type: 'user.greeted'; at: number }
  /** "thanks", "ok", a thumbs-up: no reply once there is nothing to ask. */
  | { type: 'user.acknowledged'; at: number }
  /** Only an attachment (an MMS picture), no words: acknowledged, never a failed answer. */
  | { type: 'user.sentMedia'; at: number; kind: MediaKind }
  | { type: 'user.optedOut'; quiet: boolean }
  | { type: 'user.optedIn'; quiet: boolean; at: number }
  | { type: 'user.askedHelp'; quiet: boolean }
  | { type: 'user.restarted' }
  /** Slack's "stop": there is no opt-out there, so the conversation just ends politely. */
  | { type: 'user.ended' }
  | { type: 'user.askedForHuman'; at: number }
  | { type: 'user.askedCost'; at: number }
  /** What the client writes is in `language`: noted before the text's own event, nothing said. */
  | { type: 'user.wroteIn'; language: Language; settled: boolean }
  /** The text only asked for another language ("English please"): the bot says again what it last said. */
  | { type: 'user.switchedLanguage'; at: number }
  | { type: 'advisor.tookOver' }
  | { type: 'advisor.handedBack' }
  | { type: 'advisor.closed' }
  /** Stored deadlines, fired by the shell's sweep. */
  | { type: 'timer.remindDue'; at: number }
  | { type: 'timer.idleDue' };

type Answered = Extract<ConversationEvent, { type: 'user.answered' }>;
type Event = ConversationEvent;

export const initialContext: ConversationContext = {
  awaiting: null,
  lastAsked: null,
  misses: 0,
  reasked: false,
  greeted: false,
  product: null,
  productText: null,
  productQuote: null,
  asker: null,
  askerText: null,
  askerQuote: null,
  request: null,
  requestQuote: null,
  buyer: false,
  international: false,
  advice: null,
  flags: [],
  pointerAt: null,
  reminded: false,
  language: 'en',
  languageSettled: false,
};

const hasFacts = (f: Facts): boolean => f.product !== null || f.asker !== null || f.request !== null || f.buyer;

function mergeProduct(a: ProductFacts | null, b: ProductFacts): ProductFacts {
  if (a === null) return b;
  return {
    financial: b.financial ?? a.financial,
    sensitive: b.sensitive ?? a.sensitive,
    technology: b.technology ?? a.technology,
    generic: b.generic ?? a.generic,
  };
}

const decisive = (a: AskerFacts | null): boolean => a !== null && (a.finance !== null || a.security !== null);

/**
 * A new asker replaces the old one ("no wait, it came from the controller"), unless it adds
 * ("security wants it too") or names nobody in particular ("a customer").
 */
function nextAsker(old: AskerFacts | null, next: AskerFacts, facts: Facts): AskerFacts {
  if (!decisive(next)) return old ?? next;
  if (old === null || facts.correction || !facts.addition) return next;
  return { finance: next.finance ?? old.finance, security: next.security ?? old.security };
}

/** The context after taking in what a text says: facts accumulate or are corrected, words are kept. */
function takeFacts(context: ConversationContext, said: Said): Partial<ConversationContext> {
  const { facts, text } = said;
  const next: Partial<ConversationContext> = {
    buyer: context.buyer || facts.buyer,
    international: context.international || facts.international,
  };
  if (facts.product !== null) {
    const replace = facts.correction || context.product === null;
    next.product = facts.correction ? facts.product : mergeProduct(context.product, facts.product);
    next.productText = replace || context.productText === null ? text : context.productText;
    const newlyFinancial = facts.product.financial !== null && context.product?.financial == null;
    next.productQuote = replace || newlyFinancial ? facts.productQuote : context.productQuote;
  }
  if (facts.asker !== null) {
    next.asker = nextAsker(context.asker, facts.asker, facts);
    const replaced = decisive(facts.asker) || context.asker === null;
    next.askerText = replaced ? text : context.askerText;
    next.askerQuote = replaced ? facts.askerQuote : context.askerQuote;
  }
  // A buyer's message that names no known service still describes the vendor ("a share registrar").
  if (facts.buyer && facts.product === null && context.productText === null && said.content) {
    next.productText = text;
    next.productQuote = said.quote;
  }
  // "a university we're selling to" answers "who is asking?" even though "university" is a business word.
  if (
    facts.asker === null &&
    context.awaiting === 'asker' &&
    facts.request === null &&
    !facts.buyer &&
    !facts.correction
  ) {
    next.asker = context.asker ?? { finance: null, security: null };
    next.askerText = context.askerText ?? text;
    next.askerQuote = context.askerQuote ?? said.quote;
  }
  if (facts.request !== null) {
    const old = facts.correction ? null : context.request;
    next.request = {
      report: facts.request.report ?? old?.report ?? null,
      type: facts.request.type ?? old?.type ?? null,
    };
    next.requestQuote = facts.requestQuote;
  }
  return next;
}

/** An answer the lexicon did not know, kept in the client's words: it answered the question asked. */
function takeUnknown(context: ConversationContext, said: Said): Partial<ConversationContext> {
  if (context.awaiting === 'asker') {
    return { asker: { finance: null, security: null }, askerText: said.text, askerQuote: said.quote };
  }
  return { productText: said.text, productQuote: said.quote };
}

function knownOf(context: ConversationContext): Known {
  return {
    product: context.product,
    productAnswered: context.productText !== null || context.product !== null,
    asker: context.asker,
    request: context.request,
    buyer: context.buyer,
    quotes: { product: context.productQuote, asker: context.askerQuote, request: context.requestQuote },
  };
}

const outcomeOf = (context: ConversationContext): Outcome => advise(knownOf(context));

function adviceOf(context: ConversationContext): Advice | null {
  const outcome = outcomeOf(context);
  return outcome.kind === 'advice' ? outcome.advice : null;
}

function withFlag(flags: FlagReason[], reason: FlagReason): FlagReason[] {
  return flags.includes(reason) ? flags : [...flags, reason];
}

const answered = (event: Event): Answered | null => (event.type === 'user.answered' ? event : null);
const atOf = (event: Event): number | null => ('at' in event ? event.at : null);

type Ctx = { context: ConversationContext; event: Event };
const sayVerdict = ({ context }: Ctx): Say => ({
  message: 'verdict',
  advice: adviceOf(context) as Advice,
  international: context.international,
});
/** The verdict kept when it was given, said again (in the language the client just asked for). */
const sayKeptVerdict = ({ context }: Ctx): Say => ({
  message: 'verdict',
  advice: context.advice as Advice,
  international: context.international,
});
const ask =
  (question: Awaiting) =>
  ({ context }: Ctx): Say => ({
    message: question === 'product' ? 'askProduct' : 'askAsker',
    greet: !context.greeted,
    buyer: context.buyer,
  });
const reask =
  (question: Awaiting) =>
  ({ context }: Ctx): Say => ({
    message: question === 'product' ? 'reaskProduct' : 'reaskAsker',
    buyer: context.buyer,
  });

const sayMediaAck = {
  type: 'say',
  params: ({ event }: Ctx): Say => ({
    message: 'mediaAck',
    kind: event.type === 'user.sentMedia' ? event.kind : 'file',
  }),
} as const;

const sayTopics = {
  type: 'say',
  params: ({ event }: Ctx): Say => ({ message: 'topics', topics: answered(event)?.topics ?? [] }),
} as const;

/** Flags the conversation for PJ and says why in one line; the line counts as the pointer to PJ. */
const toAdvisor = (reason: FlagReason, say: Say | ((ctx: Ctx) => Say)) =>
  ({
    target: '#conversation.open.waiting',
    actions: [{ type: 'flag', params: { reason } }, { type: 'say', params: say }, 'markPointer'],
  }) as const;

/**
 * Both asking states come from this one definition: an answer with facts (or, to the product
 * question, any description) moves on; a common question is answered and the question repeated
 * in short; an empty answer is asked again once, concretely, then goes to PJ.
 */
function askingState(question: Awaiting) {
  return {
    entry: { type: 'await', params: { question } },
    on: {
      'user.answered': [
        { guard: 'bringsFacts', target: 'deciding', actions: [sayTopics, 'takeFacts'] },
        { guard: 'answersInOwnWords', target: 'deciding', actions: [sayTopics, 'takeUnknown'] },
        // A common question is answered; any other question ("why do you ask?") gets the question again.
        {
          guard: 'asksOnly',
          actions: [
            sayTopics,
            {
              type: 'say',
              params: ({ context }: Ctx): Say => ({ message: 'pending', question, buyer: context.buyer }),
            },
          ],
        },
        { guard: 'isQuestion', actions: { type: 'say', params: ask(question) } },
        { guard: 'canAskAgain', actions: ['countMiss', { type: 'say', params: reask(question) }, 'markReasked'] },
        toAdvisor('unclear', { message: 'unclear' }),
      ],
      'user.greeted': { actions: [{ type: 'say', params: ask(question) }, 'markGreeted'] },
      // "what is this?" gets the help text and the question again, so the client knows what to answer.
      'user.askedHelp': [
        { guard: 'isQuiet' },
        {
          actions: [
            { type: 'say', params: { message: 'help' } },
            {
              type: 'say',
              params: ({ context }: Ctx): Say => ({ message: 'pending', question, buyer: context.buyer }),
            },
          ],
        },
      ],
      // "ok" or a shrug answers nothing: asked again once, then PJ.
      'user.acknowledged': [
        { guard: 'canAskAgain', actions: ['countMiss', { type: 'say', params: reask(question) }, 'markReasked'] },
        toAdvisor('unclear', { message: 'unclear' }),
      ],
      // "yes" or "start" from someone who never opted out is an answer to nothing: ask again.
      'user.optedIn': { actions: [{ type: 'say', params: ask(question) }, 'markGreeted'] },
      // The question again, in the language just asked for.
      'user.switchedLanguage': { actions: [{ type: 'say', params: ask(question) }, 'markGreeted'] },
      // A picture answers nothing and misses nothing: acknowledged, and the question repeated in short.
      'user.sentMedia': {
        actions: [
          sayMediaAck,
          { type: 'say', params: ({ context }: Ctx): Say => ({ message: 'pending', question, buyer: context.buyer }) },
        ],
      },
    },
  } as const;
}

/**
 * The conversation itself. Pure: the shell revives the saved snapshot, applies one event with
 * xstate's `transition()`, saves the result and only then sends what the `say` actions ask for.
 */
export const conversationMachine = setup({
  types: {
    context: {} as ConversationContext,
    events: {} as ConversationEvent,
  },
  actions: {
    // Effects are executed by the shell, never here: transition() returns them as data.
    say: (_, _params: Say) => undefined,
    notify: (_, _params: Notify) => undefined,
    markReminded: assign({ reminded: true }),
    markGreeted: assign({ greeted: true }),
    markReasked: assign(({ context }) => ({ reasked: context.reasked || context.awaiting === 'product' })),
    markPointer: assign(({ context, event }) => ({ pointerAt: atOf(event) ?? context.pointerAt })),
    takeFacts: assign(({ context, event }) => {
      const said = answered(event);
      return said ? takeFacts(context, said) : {};
    }),
    takeUnknown: assign(({ context, event }) => {
      const said = answered(event);
      return said ? takeUnknown(context, said) : {};
    }),
    keepAdvice: assign(({ context }) => ({ advice: adviceOf(context) })),
    await: assign(({ context }, params: { question: Awaiting | null }) => ({
      awaiting: params.question,
      lastAsked: params.question ?? context.lastAsked,
      misses: 0,
    })),
    countMiss: assign(({ context }) => ({ misses: context.misses + 1 })),
    flag: assign(({ context }, params: { reason: FlagReason }) => ({ flags: withFlag(context.flags, params.reason) })),
    forgetAnswers: assign(({ context }) => ({
      ...initialContext,
      flags: context.flags,
      greeted: context.greeted,
      language: context.language,
      languageSettled: context.languageSettled,
    })),
    takeLanguage: assign(({ context, event }) =>
      event.type === 'user.wroteIn'
        ? { language: event.language, languageSettled: context.languageSettled || event.settled }
        : {},
    ),
  },
  guards: {
    isQuiet: ({ event }) => 'quiet' in event && event.quiet,
    hasAdvice: ({ context }) => context.advice !== null,
    awaitsAsker: ({ context }) => context.awaiting === 'asker',
    awaitsProduct: ({ context }) => context.awaiting === 'product',
    bringsFacts: ({ event }) => answered(event) !== null && hasFacts((event as Answered).facts),
    // A description the lexicon does not know still answers "what does your product do?"; any
    // words but fillers answer "who is asking?" (the product then decides).
    answersInOwnWords: ({ context, event }) => {
      const said = answered(event);
      return said !== null && said.content && !said.question && !(context.awaiting === 'product' && context.reasked);
    },
    isQuestion: ({ event }) => answered(event)?.question === true && answered(event)?.content === true,
    describes: ({ event }) => {
      const said = answered(event);
      return said !== null && said.content && !said.question && said.topics.length === 0;
    },
    asksOnly: ({ event }) => (answered(event)?.topics.length ?? 0) > 0,
    hasContent: ({ event }) => answered(event)?.content === true,
    canAskAgain: ({ context }) => context.misses === 0 && !(context.awaiting === 'product' && context.reasked),
    isConflict: ({ context }) => outcomeOf(context).kind === 'conflict',
    isBoth: ({ context }) => adviceOf(context)?.verdict === 'both',
    isAdvice: ({ context }) => outcomeOf(context).kind === 'advice',
    needsProduct: ({ context }) => outcomeOf(context).kind === 'needProduct',
    stillNoProduct: ({ context }) =>
      context.reasked && context.awaiting === 'product' && outcomeOf(context).kind === 'needProduct',
    needsAsker: ({ context }) => outcomeOf(context).kind === 'needAsker',
    mayReaskProduct: ({ context }) => !context.reasked,
    alreadyReminded: ({ context }) => context.reminded,
    pointerDue: ({ context, event }) => {
      const at = atOf(event);
      return context.pointerAt === null || at === null || at - context.pointerAt >= POINTER_QUIET_MS;
    },
    changesOutcome: ({ context, event }) => {
      const said = answered(event);
      if (said === null || !hasFacts(said.facts)) return false;
      const next = outcomeOf({ ...context, ...takeFacts(context, said) });
      const now = outcomeOf(context);
      if (next.kind !== 'advice' || now.kind !== 'advice')
        return next.kind !== now.kind && (next.kind === 'advice' || next.kind === 'conflict');
      return next.advice.verdict !== now.advice.verdict || next.advice.typeAdvice !== now.advice.typeAdvice;
    },
  },
}).createMachine({
  id: 'conversation',
  initial: 'open',
  context: initialContext,
  // Whatever state the conversation is in, what the client writes in is kept.
  on: { 'user.wroteIn': { actions: 'takeLanguage' } },
  states: {
    // Everything but an opted-out or closed conversation: the handlers here apply in every child
    // unless the child (PJ has it, say) overrides them.
    open: {
      initial: 'fresh',
      on: {
        'user.optedOut': [
          { guard: 'isQuiet', target: 'optedOut', actions: { type: 'notify', params: { kind: 'optedOut' } } },
          {
            target: 'optedOut',
            actions: [
              { type: 'say', params: { message: 'optOutConfirm' } },
              { type: 'notify', params: { kind: 'optedOut' } },
            ],
          },
        ],
        'user.restarted': {
          target: '.bot.askingProduct',
          reenter: true,
          actions: [
            'forgetAnswers',
            { type: 'say', params: { message: 'restart' } },
            { type: 'say', params: ask('product') },
            'markGreeted',
          ],
        },
        'user.askedForHuman': toAdvisor('human', { message: 'handoffHuman' }),
        'user.askedCost': toAdvisor('cost', { message: 'handoffCost' }),
        'user.askedHelp': [{ guard: 'isQuiet' }, { actions: { type: 'say', params: { message: 'help' } } }],
        'user.ended': { target: 'closed', actions: { type: 'say', params: { message: 'ended' } } },
        'advisor.tookOver': { target: '.human' },
        'advisor.closed': { target: 'closed' },
      },
      states: {
        fresh: {
          on: {
            'user.answered': [
              { guard: 'bringsFacts', target: 'bot.deciding', actions: [sayTopics, 'takeFacts'] },
              // A first text that describes something ("load testing as a service") answers the first question.
              { guard: 'describes', target: 'bot.deciding', actions: 'takeUnknown' },
              {
                target: 'bot.askingProduct',
                actions: [
                  { type: 'say', params: { message: 'greeting' } },
                  'markGreeted',
                  sayTopics,
                  { type: 'say', params: ask('product') },
                ],
              },
            ],
            'user.greeted': {
              target: 'bot.askingProduct',
              actions: [{ type: 'say', params: ask('product') }, 'markGreeted'],
            },
            'user.acknowledged': {
              target: 'bot.askingProduct',
              actions: [{ type: 'say', params: ask('product') }, 'markGreeted'],
            },
            // "yes" or "start" from someone who never opted out opens the conversation like "hi".
            'user.optedIn': {
              target: 'bot.askingProduct',
              actions: [{ type: 'say', params: ask('product') }, 'markGreeted'],
            },
            'user.switchedLanguage': {
              target: 'bot.askingProduct',
              actions: [{ type: 'say', params: ask('product') }, 'markGreeted'],
            },
            'user.sentMedia': {
              target: 'bot.askingProduct',
              actions: [
                { type: 'say', params: { message: 'greeting' } },
                'markGreeted',
                sayMediaAck,
                { type: 'say', params: ask('product') },
              ],
            },
          },
        },
        bot: {
          initial: 'askingProduct',
          states: {
            askingProduct: askingState('product'),
            askingAsker: askingState('asker'),
            // Transient: what is known either decides, or says which question comes next.
            deciding: {
              always: [
                {
                  guard: 'isConflict',
                  target: '#conversation.open.waiting',
                  actions: [
                    { type: 'flag', params: { reason: 'conflict' } },
                    assign({ advice: null }),
                    {
                      type: 'say',
                      params: ({ context }: Ctx): Say => ({ message: 'conflict', product: context.productQuote ?? '' }),
                    },
                    'markPointer',
                  ],
                },
                {
                  guard: 'isBoth',
                  target: '#conversation.open.waiting',
                  actions: [
                    'keepAdvice',
                    { type: 'say', params: sayVerdict },
                    { type: 'flag', params: { reason: 'both' } },
                    'markPointer',
                  ],
                },
                { guard: 'isAdvice', target: 'advised', actions: ['keepAdvice', { type: 'say', params: sayVerdict }] },
                // The concrete re-ask got no product either: neither answer is usable, so PJ.
                { guard: 'stillNoProduct', ...toAdvisor('unclear', { message: 'unclear' }) },
                {
                  guard: 'needsProduct',
                  target: 'askingProduct',
                  actions: [{ type: 'say', params: ask('product') }, 'markGreeted'],
                },
                {
                  guard: 'needsAsker',
                  target: 'askingAsker',
                  actions: [{ type: 'say', params: ask('asker') }, 'markGreeted'],
                },
                {
                  guard: 'mayReaskProduct',
                  target: 'askingProduct',
                  actions: [{ type: 'say', params: reask('product') }, assign({ reasked: true })],
                },
                toAdvisor('unclear', { message: 'unclear' }),
              ],
            },
            advised: {
              entry: { type: 'await', params: { question: null } },
              on: {
                'user.answered': [
                  { guard: 'changesOutcome', target: 'deciding', actions: [sayTopics, 'takeFacts'] },
                  { guard: 'asksOnly', actions: sayTopics },
                  // Anything else but a thank-you (a separate event) goes to PJ, with one line saying so.
                  toAdvisor('followup', { message: 'pointer' }),
                ],
                'user.greeted': toAdvisor('followup', { message: 'pointer' }),
                'user.acknowledged': {},
                'user.optedIn': {},
                // The verdict again, in the language just asked for.
                'user.switchedLanguage': { actions: { type: 'say', params: sayKeptVerdict } },
                // Kept for PJ in the transcript; not a question for him by itself.
                'user.sentMedia': { actions: sayMediaAck },
              },
            },
          },
        },
        waiting: {
          entry: [assign({ reminded: false }), { type: 'notify', params: { kind: 'flagged' } }],
          on: {
            'timer.remindDue': [
              { guard: 'alreadyReminded' },
              {
                actions: [
                  'markReminded',
                  { type: 'notify', params: { kind: 'reminder' } },
                  { type: 'say', params: { message: 'holding' } },
                  'markPointer',
                ],
              },
            ],
            // PJ will answer: common questions still get answers, anything else one line at most
            // every 30 minutes, and PJ sees it all.
            'user.answered': [
              // A correction that settles it ("no wait, it was their IT team") gets its answer.
              { guard: 'changesOutcome', target: 'bot.deciding', actions: [sayTopics, 'takeFacts'] },
              { guard: 'asksOnly', actions: sayTopics },
              { guard: 'pointerDue', actions: [{ type: 'say', params: { message: 'pointer' } }, 'markPointer'] },
            ],
            'user.greeted': [
              { guard: 'pointerDue', actions: [{ type: 'say', params: { message: 'pointer' } }, 'markPointer'] },
            ],
            // PJ sees it with the client's other messages; the acknowledgement counts as the pointer.
            'user.sentMedia': [{ guard: 'pointerDue', actions: [sayMediaAck, 'markPointer'] }],
            'user.acknowledged': {},
            'user.optedIn': {},
            'user.askedForHuman': [
              {
                guard: 'pointerDue',
                actions: [
                  { type: 'flag', params: { reason: 'human' } },
                  { type: 'say', params: { message: 'pointer' } },
                  'markPointer',
                ],
              },
              { actions: { type: 'flag', params: { reason: 'human' } } },
            ],
            'user.askedCost': {
              actions: [
                { type: 'flag', params: { reason: 'cost' } },
                { type: 'say', params: { message: 'handoffCost' } },
                'markPointer',
              ],
            },
            'advisor.handedBack': { target: 'resume', actions: { type: 'say', params: { message: 'resumed' } } },
            // In the language just asked for: the verdict PJ was asked in on, or that PJ has it.
            'user.switchedLanguage': [
              { guard: 'hasAdvice', actions: { type: 'say', params: sayKeptVerdict } },
              { actions: [{ type: 'say', params: { message: 'pointer' } }, 'markPointer'] },
            ],
          },
        },
        human: {
          on: {
            // While PJ has the conversation the bot never speaks; only an opt-out still acts.
            'user.answered': {},
            'user.greeted': {},
            'user.acknowledged': {},
            'user.sentMedia': {},
            'user.optedIn': {},
            'user.askedHelp': {},
            'user.restarted': {},
            'user.askedForHuman': {},
            'user.askedCost': { actions: { type: 'flag', params: { reason: 'cost' } } },
            'user.ended': {},
            'user.switchedLanguage': {},
            'advisor.tookOver': {},
            'advisor.handedBack': { target: 'resume', actions: { type: 'say', params: { message: 'resumed' } } },
            'timer.idleDue': { target: 'resume', actions: { type: 'say', params: { message: 'resumed' } } },
          },
        },
        // Transient: back to where the bot left off, repeating the open question if there is one.
        resume: {
          always: [
            { guard: 'hasAdvice', target: 'bot.advised' },
            { guard: 'awaitsAsker', target: 'bot.askingAsker', actions: { type: 'say', params: ask('asker') } },
            { target: 'bot.askingProduct', actions: { type: 'say', params: ask('product') } },
          ],
        },
        // Transient: Twilio already confirmed the opt-in, so resume without a word.
        resumeQuietly: {
          always: [
            { guard: 'hasAdvice', target: 'bot.advised' },
            { guard: 'awaitsAsker', target: 'bot.askingAsker' },
            { guard: 'awaitsProduct', target: 'bot.askingProduct' },
            // Nothing was asked yet: the next text opens the conversation as a first one would.
            { target: 'fresh' },
          ],
        },
      },
    },
    optedOut: {
      on: {
        // Nothing is sent to an opted-out sender, ever, until they opt back in.
        'user.optedIn': [
          { guard: 'isQuiet', target: 'open.resumeQuietly' },
          { target: 'open.resume', actions: { type: 'say', params: { message: 'optInConfirm' } } },
        ],
      },
    },
    closed: { type: 'final' },
  },
});

export type ConversationMachine = typeof conversationMachine;
