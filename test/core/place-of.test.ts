import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideInbound } from '../../src/app/decide-inbound.js';
import type { InboundMessage } from '../../src/core/conversation.js';
import type { SavedConversation } from '../../src/core/ports.js';
import { persist, revive, stepConversation, type Snapshot } from '../../src/core/step-conversation.js';
import { placeOf } from '../../src/core/summarize-conversation.js';
import { botSettings } from '../support/settings.js';

const settings = botSettings();
const TEXTS = ['hi', 'we run payroll for restaurants', 'their CFO asked', 'can I talk to a person', 'STOP', 'START'];
const TEXTS_MORE = [...TEXTS, 'how much does it cost', 'restart', 'thanks', 'no idea', 'hola, hacemos nomina'];
const ADVISOR = [{ type: 'advisor.tookOver' }, { type: 'advisor.handedBack' }, { type: 'advisor.closed' }] as const;
const PLACES = ['fresh', 'waiting', 'human'];

/** What snapshot.matches() says of every place placeOf reads. */
function byMatches(snapshot: Snapshot) {
  return {
    open: snapshot.matches('open')
      ? (PLACES.find((child) => snapshot.matches({ open: child as 'fresh' })) ?? 'other')
      : null,
    closed: snapshot.matches('closed'),
    optedOut: snapshot.matches('optedOut'),
  };
}

function byPlace(snapshot: Snapshot) {
  const { top, open } = placeOf(snapshot);
  return {
    open: top === 'open' ? (PLACES.includes(open ?? '') ? open : 'other') : null,
    closed: top === 'closed',
    optedOut: top === 'optedOut',
  };
}

describe('placeOf', () => {
  it('says where a conversation is as snapshot.matches() does, along any run of texts and PJ actions', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...TEXTS_MORE), fc.constantFrom(...ADVISOR)), { maxLength: 12 }),
        (steps) => {
          let saved: SavedConversation | null = null;
          let snapshot: Snapshot;
          steps.forEach((step, i) => {
            if (typeof step === 'string') {
              const message: InboundMessage = {
                channel: 'sms',
                provider: 'twilio',
                externalId: `SM${i}`,
                conversationKey: '+14155550101',
                participant: '+14155550101',
                text: step,
                receivedAt: 1_700_000_000_000 + i * 60_000,
              };
              const decision = decideInbound(settings, message, saved);
              saved = {
                id: 1,
                machineVersion: decision.machineVersion,
                snapshot: decision.snapshot,
              } as SavedConversation;
            } else {
              saved = { id: 1, ...persist(stepConversation(revive(saved), { ...step }).next) } as SavedConversation;
            }
            snapshot = revive(saved);
            const place = byMatches(snapshot);
            seen.add(place.open ?? (place.closed ? 'closed' : place.optedOut ? 'optedOut' : '?'));
            expect(byPlace(snapshot)).toEqual(place);
          });
        },
      ),
      { numRuns: 300 },
    );
    // The runs went through every place a status is read from.
    expect([...seen].sort()).toEqual(
      expect.arrayContaining(['closed', 'fresh', 'human', 'optedOut', 'other', 'waiting']),
    );
  });
});
