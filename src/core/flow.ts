import { z } from 'zod';
import type { ReasonKey, TypeAdvice } from './advise.js';
import type { Refusal } from './driving-ports.js';
import type { Language } from './languages.js';
import { findNonGsmCharacters } from './sms-segments.js';

/**
 * One text the bot sends. It must be GSM-7 (a curly quote or an em dash makes an SMS UCS-2 and
 * up to three times dearer) and may use only the placeholders the renderer fills in for it:
 * {advisor} and {phone} everywhere, and the ones each text declares below.
 */
const copy = (...placeholders: string[]) => textSchema(true, placeholders);

/**
 * A text only a web page shows (a translation's web chat panel): any letter, since no SMS
 * carries it, but the same placeholders.
 */
const pageCopy = (...placeholders: string[]) => textSchema(false, placeholders);

function textSchema(gsm: boolean, placeholders: string[]) {
  const allowed = ['advisor', 'phone', ...placeholders];
  return z
    .string()
    .min(1)
    .superRefine((text, ctx) => {
      const bad = gsm ? findNonGsmCharacters(text) : [];
      if (bad.length > 0) {
        const shown = bad.map((c) => `U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`);
        ctx.addIssue({ code: 'custom', message: `not GSM-7: ${shown.join(', ')}; use plain ASCII quotes and dashes` });
      }
      for (const [, name] of text.matchAll(/\{(\w+)\}/g)) {
        if (name === undefined || !allowed.includes(name)) {
          ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}; use ${allowed.join(', ')}` });
        }
      }
    });
}

/** A client text with nothing of theirs in it. */
const Copy = copy();
/** A verdict text: a few of the client's own words. */
const VerdictCopy = copy('product', 'asker', 'request');
/** What names a conversation in a text to PJ (render-notice's fillConversation). */
const CONVERSATION = ['id', 'reasons', 'sender', 'channel', 'verdict', 'product', 'asker', 'language'];
/** A text to PJ about a conversation, with `extra` placeholders of its own. */
const aboutConversation = (...extra: string[]) => copy(...CONVERSATION, ...extra);

/** A note that reports an outbox item: the words before {detail} name the item, so a repeat is recognised. */
const ItemNote = copy('item', 'detail').refine(
  (text) => text.includes('{item}') && !text.split('{item}')[0]?.includes('{detail}'),
  {
    message: 'must name {item} before {detail}',
  },
);

/**
 * A question with numbered choices. SMS shows "question 1 a, 2 b, 3 c. freeText"; Slack shows
 * the question with one button per choice. Choice N means what lexicon.yaml's choice N means.
 */
const Question = z.strictObject({
  question: Copy,
  choices: z.array(Copy).min(2).max(9),
  freeText: Copy.optional(),
});
export type Question = z.infer<typeof Question>;

/**
 * The web chat panel's words, as a visitor reads them: GSM-7 in flows/main.yaml (`copy`), any
 * letter in a translation (`pageCopy`). {max} and {contact} are filled in the browser.
 */
function webPanel(text: typeof copy) {
  return z.strictObject({
    launcher: text(),
    title: text(),
    subtitle: text(),
    close: text(),
    placeholder: text(),
    send: text(),
    you: text(),
    bot: text(),
    textAdvisor: text(),
    callAdvisor: text(),
    contactOffer: text(),
    contactLabel: text(),
    contactHint: text(),
    contactSend: text(),
    contactSkip: text(),
    contactThanks: text('contact'),
    contactInvalid: text(),
    newReply: text(),
    reconnecting: text(),
    sendFailed: text(),
    tooLong: text('max'),
    tooFast: text(),
    unavailable: text(),
  });
}

/** The web chat panel's words in a translation (flows/<language>/main.yaml `web:`). */
export const WebPanelTranslationSchema = webPanel(pageCopy);

export const FlowSchema = z.strictObject({
  greeting: Copy,
  askProduct: Question,
  askAsker: Question,
  askVendor: Question,
  reaskProduct: Question,
  reaskAsker: Question,
  pending: z.strictObject({ product: Copy, asker: Copy, vendor: Copy }),
  unclear: Copy,
  conflict: copy('product'),
  handoffHuman: Copy,
  handoffCost: Copy,
  help: Copy,
  slackHelp: Copy,
  optOutConfirm: Copy,
  optInConfirm: Copy,
  restart: Copy,
  resumed: Copy,
  pointer: Copy,
  ended: Copy,
  holding: Copy,
  /** The line that acknowledges an attachment (an MMS picture): the bot reads only text. */
  mediaAck: z.strictObject({ picture: Copy, pictures: Copy, file: Copy }),
  talkToAdvisor: Copy,
  slackChose: copy('choice'),
  /** What PJ is told, on his phone and in the Slack handoff thread, and his commands' answers. */
  advisor: z.strictObject({
    flagged: aboutConversation(),
    reminder: aboutConversation(),
    clientMessage: aboutConversation('text'),
    optedOut: aboutConversation(),
    tookOver: aboutConversation('by'),
    released: aboutConversation('by'),
    closed: aboutConversation('by'),
    failed: aboutConversation('text', 'detail'),
    unknown: aboutConversation('text', 'detail'),
    noticeLost: aboutConversation('via', 'text'),
    by: copy('surface'),
    byUser: copy('surface', 'user'),
    pinRefused: copy('sender', 'command'),
    idleBy: copy('minutes'),
    digest: z.strictObject({
      summary: copy('day', 'started', 'soc1', 'soc2', 'both', 'flagged'),
      waiting: copy('count', 'items'),
      waitingItem: copy('id', 'sender', 'reasons'),
      noneWaiting: Copy,
    }),
    labels: z.strictObject({
      soc1: Copy,
      soc2: Copy,
      both: Copy,
      buyer: copy('report'),
      noVerdict: Copy,
      notAnswered: Copy,
      noReasons: Copy,
      viaSms: Copy,
      viaDesk: Copy,
      /** The client's language, as {language} names it to PJ. */
      languages: z.strictObject({ en: Copy, es: Copy }) satisfies z.ZodType<Record<Language, string>>,
      /** What the client attached, after their words: "+1 picture". */
      onePicture: Copy,
      pictures: copy('count'),
      oneFile: Copy,
      files: copy('count'),
    }),
    refused: z.strictObject({
      not_found: copy('id'),
      closed: copy('id'),
      opted_out: copy('id'),
      not_with_advisor: copy('id'),
      empty: copy('id'),
    }) satisfies z.ZodType<Record<Refusal, string>>,
    commands: z.strictObject({
      usage: copy('id'),
      sent: copy('id'),
      handedBack: copy('id'),
      closed: copy('id'),
      alreadyClosed: copy('id'),
      list: copy('items'),
      listEmpty: Copy,
      listItem: copy('id', 'where', 'sender'),
      listItemFlagged: copy('id', 'where', 'reasons', 'sender'),
      waiting: Copy,
      withYou: Copy,
      more: copy('count'),
      asked: z.strictObject({ list: Copy, reply: copy('id'), back: copy('id'), close: copy('id'), usage: Copy }),
    }),
  }),
  /** PJ's desk: the Slack handoff channel. */
  desk: z.strictObject({
    headline: aboutConversation(),
    headlineUnflagged: aboutConversation(),
    summary: aboutConversation(),
    summaryUnflagged: aboutConversation(),
    fields: z.strictObject({ channel: Copy, sender: Copy, product: Copy, asker: Copy, verdict: Copy, reasons: Copy }),
    lastMessages: Copy,
    client: Copy,
    bot: Copy,
    buttons: z.strictObject({ takeOver: Copy, release: Copy, close: Copy }),
    hint: Copy,
    flaggedAgain: aboutConversation(),
    internal: aboutConversation(),
    notSent: copy('problem'),
    couldNot: z.strictObject({ takeOver: copy('problem'), release: copy('problem'), close: copy('problem') }),
    ourFault: Copy,
    onlyAdvisor: Copy,
    notAdvisor: aboutConversation('user'),
  }),
  /** What happened, as the transcript shows it to PJ. */
  transcript: z.strictObject({
    tookOver: copy('by'),
    handedBack: copy('by'),
    closed: copy('by'),
    idleHandedBack: copy('by'),
    note: copy('text'),
    carrierOptedOut: copy('code'),
    notDelivered: ItemNote,
    maybeNotDelivered: ItemNote,
    noticeLost: copy('via', 'text'),
    pinRefused: copy('command'),
    /** A text the bot started waits for the client's daytime; {time} is when it goes, their time. */
    held: copy('time'),
    /** A held text that no longer fits was dropped unsent ({reason}: one of heldReasons). */
    heldDropped: copy('reason', 'text'),
    heldReasons: z.strictObject({ clientWrote: Copy, advisorReplied: Copy, closed: Copy, replaced: Copy }),
  }),
  /** The client's local time on PJ's surfaces: beside the console's reply box, in the Slack desk header. */
  clientTime: z.strictObject({
    label: Copy,
    day: copy('time', 'zone'),
    night: copy('time', 'zone', 'opens'),
    /** Night there, with QUIET_HOURS off (or a store that cannot hold texts): nothing waits. */
    nightNoHold: copy('time', 'zone'),
    assumed: copy('zone'),
  }),
  slackHome: z.strictObject({ about: Copy, start: Copy, contact: Copy }),
  verdict: z.strictObject({
    headline: z.strictObject({ soc1: VerdictCopy, soc2: VerdictCopy, both: VerdictCopy }),
    buyerHeadline: z.strictObject({ soc1: VerdictCopy, soc2: VerdictCopy, both: VerdictCopy }),
    reason: z.strictObject({
      'soc1.product': VerdictCopy,
      'soc1.asker': VerdictCopy,
      'soc1.productAndAsker': VerdictCopy,
      'soc2.product': VerdictCopy,
      'soc2.asker': VerdictCopy,
      'both.product': VerdictCopy,
      'both.asker': VerdictCopy,
      requested: VerdictCopy,
      'buyer.soc1': VerdictCopy,
      'buyer.soc2': VerdictCopy,
      'buyer.both': VerdictCopy,
    }) satisfies z.ZodType<Record<ReasonKey, string>>,
    types: z.strictObject({
      default: VerdictCopy,
      type1Requested: VerdictCopy,
      type2Requested: VerdictCopy,
      buyer: VerdictCopy,
    }) satisfies z.ZodType<Record<TypeAdvice, string>>,
    both: VerdictCopy,
    international: VerdictCopy,
    handoff: VerdictCopy,
    buyerHandoff: VerdictCopy,
  }),
  /**
   * The chat widget on PJ's pages: its controls, the verdict card's links, the contact offer, and
   * what PJ reads about a web conversation. Labels are filled in the visitor's browser as written.
   */
  web: webPanel(copy).extend({
    /** What PJ reads: the contact as the visitor's own message, the transcript's notes. */
    contactNotice: copy('contact'),
    contactNote: copy('contact'),
    seenNote: Copy,
  }),
  /** Answers to common questions, by the topic ids of lexicon.yaml's topics. */
  answers: z.record(z.string(), Copy),
});

/** All the bot's words, loaded from flows/main.yaml. */
export type Flow = z.infer<typeof FlowSchema>;
