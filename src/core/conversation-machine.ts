import { assign, setup } from 'xstate';
import { advise, type Advice } from './advise.js';
import type { FlagReason } from './conversation.js';
import type { AskerFacts, Awaiting, ProductFacts } from './reading.js';

/** Bump when a change makes older persisted snapshots unsafe to revive; they then start over. */
export const MACHINE_VERSION = 1;

/** One thing the bot says; the renderer turns it into words from flows/main.yaml. */
export type Say =
  | { message: 'askProduct' | 'askAsker'; greet: boolean }
  | { message: 'reaskProduct' | 'reaskAsker' }
  | { message: 'verdict'; advice: Advice; international: boolean }
  | {
      message:
        | 'unclear'
        | 'handoffHuman'
        | 'handoffCost'
        | 'help'
        | 'optOutConfirm'
        | 'optInConfirm'
        | 'restart'
        | 'resumed'
        | 'afterVerdict'
        | 'ended'
        | 'holding';
    };

/** Something PJ must hear about; the shell fans it out to his surfaces through the outbox. */
export type Notify = { kind: 'flagged' } | { kind: 'reminder' } | { kind: 'optedOut' };

export interface ConversationContext {
  /** The question last asked and not yet answered; kept while PJ has the conversation. */
  awaiting: Awaiting | null;
  /** Answers to the current question that could not be understood. */
  misses: number;
  product: ProductFacts | null;
  asker: AskerFacts | null;
  productText: string | null;
  askerText: string | null;
  international: boolean;
  advice: Advice | null;
  flags: FlagReason[];
  /** The one pointer to PJ after a verdict was sent; further chit-chat gets silence. */
  nudged: boolean;
  /** While waiting, the one reminder (and holding text) has gone out. */
  reminded: boolean;
}

/**
 * `quiet`: the text was an exact carrier keyword that Twilio already answered, so the bot
 * records its effect and says nothing (no double text).
 */
export type ConversationEvent =
  | {
      type: 'user.answered';
      text: string;
      product: ProductFacts | null;
      asker: AskerFacts | null;
      international: boolean;
    }
  | { type: 'user.greeted' }
  | { type: 'user.optedOut'; quiet: boolean }
  | { type: 'user.optedIn'; quiet: boolean }
  | { type: 'user.askedHelp'; quiet: boolean }
  | { type: 'user.restarted' }
  /** Slack's "stop": there is no opt-out there, so the conversation just ends politely. */
  | { type: 'user.ended' }
  | { type: 'user.askedForHuman' }
  | { type: 'user.askedCost' }
  | { type: 'advisor.tookOver' }
  | { type: 'advisor.handedBack' }
  | { type: 'advisor.closed' }
  /** Stored deadlines, fired by the shell's sweep. */
  | { type: 'timer.remindDue' }
  | { type: 'timer.idleDue' };

type Answered = Extract<ConversationEvent, { type: 'user.answered' }>;

export const initialContext: ConversationContext = {
  awaiting: null,
  misses: 0,
  product: null,
  asker: null,
  productText: null,
  askerText: null,
  international: false,
  advice: null,
  flags: [],
  nudged: false,
  reminded: false,
};

function mergeProduct(a: ProductFacts | null, b: ProductFacts | null): ProductFacts | null {
  if (a === null) return b;
  if (b === null) return a;
  return { financial: a.financial ?? b.financial, data: a.data ?? b.data };
}

function mergeAsker(a: AskerFacts | null, b: AskerFacts | null): AskerFacts | null {
  if (a === null) return b;
  if (b === null) return a;
  return { finance: a.finance ?? b.finance, security: a.security ?? b.security };
}

/** The context after taking in an answer: facts accumulate, the user's words are kept. */
function takeAnswer(context: ConversationContext, event: Answered): Partial<ConversationContext> {
  const product = mergeProduct(context.product, event.product);
  const asker = mergeAsker(context.asker, event.asker);
  return {
    product,
    asker,
    productText: context.productText ?? (event.product ? event.text : null),
    askerText: context.askerText ?? (event.asker ? event.text : null),
    international: context.international || event.international,
    advice: product && asker ? advise(product, asker) : null,
  };
}

function withFlag(flags: FlagReason[], reason: FlagReason): FlagReason[] {
  return flags.includes(reason) ? flags : [...flags, reason];
}

function sayVerdict({ context }: { context: ConversationContext }): Say {
  // NOTE: only reached behind the hasAdvice guard, so advice is set.
  return { message: 'verdict', advice: context.advice as Advice, international: context.international };
}

// A "both" client is the most valuable: after the verdict, PJ is asked to step in.
const bothGoesToAdvisor = [
  {
    guard: 'isBoth',
    target: '#conversation.waiting',
    actions: [{ type: 'say', params: sayVerdict }, { type: 'flag', params: { reason: 'both' } }],
  },
] as const;

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
    takeAnswer: assign(({ context, event }) => (event.type === 'user.answered' ? takeAnswer(context, event) : {})),
    await: assign((_, params: { question: Awaiting | null }) => ({ awaiting: params.question, misses: 0 })),
    countMiss: assign(({ context }) => ({ misses: context.misses + 1 })),
    flag: assign(({ context }, params: { reason: FlagReason }) => ({ flags: withFlag(context.flags, params.reason) })),
    forgetAnswers: assign(({ context }) => ({ ...initialContext, flags: context.flags })),
    markNudged: assign({ nudged: true }),
  },
  guards: {
    isQuiet: ({ event }) => 'quiet' in event && event.quiet,
    hasAdvice: ({ context }) => context.advice !== null,
    awaitsAsker: ({ context }) => context.awaiting === 'asker',
    awaitsProduct: ({ context }) => context.awaiting === 'product',
    answersProduct: ({ event }) => event.type === 'user.answered' && event.product !== null,
    answersAsker: ({ event }) => event.type === 'user.answered' && event.asker !== null,
    isFirstMiss: ({ context }) => context.misses === 0,
    isBoth: ({ context }) => context.advice?.verdict === 'both',
    alreadyReminded: ({ context }) => context.reminded,
    alreadyNudged: ({ context }) => context.nudged,
    changesVerdict: ({ context, event }) => {
      if (event.type !== 'user.answered' || context.advice === null) return false;
      const next = takeAnswer({ ...context, productText: '', askerText: '' }, event).advice;
      return next !== null && next !== undefined && next.verdict !== context.advice.verdict;
    },
  },
}).createMachine({
  id: 'conversation',
  initial: 'fresh',
  context: initialContext,
  on: {
    'user.optedOut': [
      { guard: 'isQuiet', target: '.optedOut', actions: { type: 'notify', params: { kind: 'optedOut' } } },
      {
        target: '.optedOut',
        actions: [{ type: 'say', params: { message: 'optOutConfirm' } }, { type: 'notify', params: { kind: 'optedOut' } }],
      },
    ],
    'timer.remindDue': {},
    'timer.idleDue': {},
    'user.restarted': {
      target: '.bot.askingProduct',
      reenter: true,
      actions: [
        'forgetAnswers',
        { type: 'say', params: { message: 'restart' } },
        { type: 'say', params: { message: 'askProduct', greet: false } },
      ],
    },
    'user.askedForHuman': {
      target: '.waiting',
      actions: [
        { type: 'flag', params: { reason: 'human' } },
        { type: 'say', params: { message: 'handoffHuman' } },
      ],
    },
    'user.askedCost': {
      target: '.waiting',
      actions: [
        { type: 'flag', params: { reason: 'cost' } },
        { type: 'say', params: { message: 'handoffCost' } },
      ],
    },
    'user.askedHelp': [{ guard: 'isQuiet' }, { actions: { type: 'say', params: { message: 'help' } } }],
    'user.ended': { target: '.closed', actions: { type: 'say', params: { message: 'ended' } } },
    'advisor.tookOver': { target: '.human' },
    'advisor.closed': { target: '.closed' },
  },
  states: {
    fresh: {
      on: {
        'user.answered': [
          {
            guard: 'answersProduct',
            target: 'bot.opened',
            actions: 'takeAnswer',
          },
          {
            target: 'bot.askingProduct',
            actions: ['takeAnswer', { type: 'say', params: { message: 'askProduct', greet: true } }],
          },
        ],
        'user.greeted': {
          target: 'bot.askingProduct',
          actions: { type: 'say', params: { message: 'askProduct', greet: true } },
        },
        'user.optedIn': [
          { guard: 'isQuiet' },
          { target: 'bot.askingProduct', actions: { type: 'say', params: { message: 'askProduct', greet: true } } },
        ],
      },
    },
    bot: {
      initial: 'askingProduct',
      states: {
        // Transient: the opening message already answered the first question (maybe both).
        opened: {
          always: [
            ...bothGoesToAdvisor,
            { guard: 'hasAdvice', target: 'advised', actions: { type: 'say', params: sayVerdict } },
            { target: 'askingAsker', actions: { type: 'say', params: { message: 'askAsker', greet: true } } },
          ],
        },
        askingProduct: {
          entry: { type: 'await', params: { question: 'product' } },
          on: {
            'user.answered': [
              { guard: 'answersProduct', target: 'answered', actions: 'takeAnswer' },
              { guard: 'isFirstMiss', actions: ['countMiss', { type: 'say', params: { message: 'reaskProduct' } }] },
              {
                target: '#conversation.waiting',
                actions: [{ type: 'flag', params: { reason: 'unclear' } }, { type: 'say', params: { message: 'unclear' } }],
              },
            ],
            'user.greeted': { actions: { type: 'say', params: { message: 'askProduct', greet: false } } },
            'user.optedIn': [
              { guard: 'isQuiet' },
              { actions: { type: 'say', params: { message: 'askProduct', greet: false } } },
            ],
          },
        },
        askingAsker: {
          entry: { type: 'await', params: { question: 'asker' } },
          on: {
            'user.answered': [
              { guard: 'answersAsker', target: 'answered', actions: 'takeAnswer' },
              { guard: 'isFirstMiss', actions: ['countMiss', { type: 'say', params: { message: 'reaskAsker' } }] },
              {
                target: '#conversation.waiting',
                actions: [{ type: 'flag', params: { reason: 'unclear' } }, { type: 'say', params: { message: 'unclear' } }],
              },
            ],
            'user.greeted': { actions: { type: 'say', params: { message: 'askAsker', greet: false } } },
            'user.optedIn': [
              { guard: 'isQuiet' },
              { actions: { type: 'say', params: { message: 'askAsker', greet: false } } },
            ],
          },
        },
        // Transient: an accepted answer either completes the picture or leads to the next question.
        answered: {
          always: [
            ...bothGoesToAdvisor,
            { guard: 'hasAdvice', target: 'advised', actions: { type: 'say', params: sayVerdict } },
            { target: 'askingAsker', actions: { type: 'say', params: { message: 'askAsker', greet: false } } },
          ],
        },
        advised: {
          entry: { type: 'await', params: { question: null } },
          on: {
            'user.answered': [
              { guard: 'changesVerdict', target: 'answered', actions: 'takeAnswer' },
              { guard: 'alreadyNudged' },
              { actions: ['markNudged', { type: 'say', params: { message: 'afterVerdict' } }] },
            ],
            'user.greeted': [
              { guard: 'alreadyNudged' },
              { actions: ['markNudged', { type: 'say', params: { message: 'afterVerdict' } }] },
            ],
            'user.optedIn': {},
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
            ],
          },
        ],
        // PJ will answer: the bot keeps quiet and the transcript keeps everything for him.
        'user.answered': {},
        'user.greeted': {},
        'user.optedIn': {},
        'user.askedForHuman': { actions: { type: 'flag', params: { reason: 'human' } } },
        'user.askedCost': { actions: { type: 'flag', params: { reason: 'cost' } } },
        'advisor.handedBack': { target: '#conversation.resume', actions: { type: 'say', params: { message: 'resumed' } } },
      },
    },
    human: {
      on: {
        // While PJ has the conversation the bot never speaks; only an opt-out still acts.
        'user.answered': {},
        'user.greeted': {},
        'user.optedIn': {},
        'user.askedHelp': {},
        'user.restarted': {},
        'user.askedForHuman': {},
        'user.askedCost': { actions: { type: 'flag', params: { reason: 'cost' } } },
        'user.ended': {},
        'advisor.tookOver': {},
        'advisor.handedBack': { target: '#conversation.resume', actions: { type: 'say', params: { message: 'resumed' } } },
        'timer.idleDue': { target: '#conversation.resume', actions: { type: 'say', params: { message: 'resumed' } } },
      },
    },
    // Transient: back to where the bot left off, repeating the open question if there is one.
    resume: {
      always: [
        { guard: 'hasAdvice', target: 'bot.advised' },
        {
          guard: 'awaitsAsker',
          target: 'bot.askingAsker',
          actions: { type: 'say', params: { message: 'askAsker', greet: false } },
        },
        { target: 'bot.askingProduct', actions: { type: 'say', params: { message: 'askProduct', greet: false } } },
      ],
    },
    optedOut: {
      on: {
        // Nothing is sent to an opted-out sender, ever, until they opt back in.
        'user.answered': {},
        'user.greeted': {},
        'user.askedHelp': {},
        'user.restarted': {},
        'user.askedForHuman': {},
        'user.askedCost': {},
        'user.optedOut': {},
        'user.ended': {},
        'advisor.tookOver': {},
        'advisor.closed': {},
        'user.optedIn': [
          { guard: 'isQuiet', target: 'resumeQuietly' },
          { target: 'resume', actions: { type: 'say', params: { message: 'optInConfirm' } } },
        ],
      },
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
    // Final, but xstate's pure transition() still offers events to the root handlers: swallow them all.
    closed: {
      type: 'final',
      on: {
        'user.answered': {},
        'user.greeted': {},
        'user.optedOut': {},
        'user.optedIn': {},
        'user.askedHelp': {},
        'user.restarted': {},
        'user.askedForHuman': {},
        'user.askedCost': {},
        'user.ended': {},
        'advisor.tookOver': {},
        'advisor.handedBack': {},
        'advisor.closed': {},
        'timer.remindDue': {},
        'timer.idleDue': {},
      },
    },
  },
});

export type ConversationMachine = typeof conversationMachine;
