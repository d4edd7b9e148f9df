import type { Router } from 'express';
import type { WebVisitorActions } from '../../core/driving-ports.js';
import type { Language } from '../../core/languages.js';
import { flowIn, type FlowsByLanguage } from '../../core/localize-flow.js';
import type { Logger } from '../../core/logger.js';
import type { WebChatStore } from '../../core/ports.js';
import { fillCopy, type Advisor } from '../../core/render-reply.js';
import { jsonBody, readContactBody, readSeenBody } from './web-body.js';
import type { Wakeups } from './web-events-stream.js';
import type { RateLimiter } from './web-rate-limit.js';
import { tooMany, type InTurn, type SessionOf } from './web-request.js';
import { publicEvent } from './web-public.js';

interface VisitorRoutesOptions extends FlowsByLanguage {
  store: WebChatStore;
  visitor: WebVisitorActions;
  sessionOf: SessionOf;
  inTurn: InTurn;
  /** The session's message limit counts contacts too. */
  messages: RateLimiter;
  wakeups: Wakeups;
  /** The language the panel shows: its open conversation's, else `hint` (the panel's own). */
  panelLanguage: (session: string, hint: Language | undefined) => Promise<Language>;
  advisor: Advisor;
  logger: Logger;
  now: () => number;
}

const HISTORY_LIMIT = 1000;

/** An email address, or a phone number of 7 to 15 digits in any usual punctuation. */
function isContact(text: string): boolean {
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return true;
  const digits = text.replace(/\D/g, '').length;
  return /^\+?[\d\s().-]+$/.test(text) && digits >= 7 && digits <= 15;
}

/**
 * What the visitor does besides writing: POST /web/contact leaves an email or phone number for
 * PJ under the offer in their conversation; POST /web/seen says how far the panel has shown the
 * history, so PJ sees that his reply was read.
 */
export function addVisitorRoutes(router: Router, options: VisitorRoutesOptions): void {
  const { store, visitor, sessionOf, advisor, logger, now } = options;

  router.post('/web/contact', jsonBody(logger), async (req, res) => {
    const session = await sessionOf(req, res);
    if (session === null) return;
    const body = readContactBody(req.body);
    if (!body.ok) {
      res.status(body.status).json({ error: body.error, message: body.message });
      return;
    }
    const { contact } = body.value;
    // Said in the panel's language, as its own words are.
    const { web } = flowIn(options, await options.panelLanguage(session, body.value.language));
    if (!isContact(contact)) {
      res.status(400).json({ error: 'bad_contact', message: fillCopy(web.contactInvalid, advisor) });
      return;
    }
    const retryAfter = options.messages.take(`session:${session}`, now());
    if (retryAfter !== null) return tooMany(res, retryAfter, 'too many messages in this chat');
    const answer = await options.inTurn(session, async () => {
      // The contact answers the latest offer: its conversation keeps it, even if it has ended since.
      const events = await store.listWebEvents(session, 0, HISTORY_LIMIT);
      const offer = events.findLast((event) => event.line.askContact === true);
      if (offer === undefined) return null;
      if (!(await visitor.leaveContact(offer.conversationId, contact))) return null;
      const thanks = fillCopy(web.contactThanks, advisor, { contact });
      const stored = await store.appendWebEvents(
        session,
        offer.conversationId,
        [
          { from: 'visitor', line: { text: contact, leftContact: true }, messageId: null },
          { from: 'bot', line: { text: thanks }, messageId: null },
        ],
        now(),
      );
      options.wakeups.wake(session);
      return stored;
    });
    if (answer === null) {
      res.status(409).json({
        error: 'no_offer',
        message: 'nothing here asks for a contact: it is offered once a conversation is flagged',
      });
      return;
    }
    const [sent, ...replies] = answer;
    res.json({ message: sent && publicEvent(sent), replies: replies.map(publicEvent) });
  });

  router.post('/web/seen', jsonBody(logger), async (req, res) => {
    const session = await sessionOf(req, res);
    if (session === null) return;
    const body = readSeenBody(req.body);
    if (!body.ok) {
      res.status(body.status).json({ error: body.error, message: body.message });
      return;
    }
    const seen = await store.markWebSeen(session, body.value.through, now());
    const read = new Set(seen.filter((event) => event.from === 'advisor').map((event) => event.conversationId));
    for (const id of read) await visitor.sawAdvisorReply(id);
    res.status(204).end();
  });
}
