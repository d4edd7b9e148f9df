import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMedia } from '../../src/core/media.js';
import type { Store } from '../../src/core/ports.js';
import { fakeDecide, inbound, iso, T0 } from './fake-decide.js';

// What clients attach (MMS pictures): kept with the transcript line they came with. Every store
// runs this suite; the PostgreSQL store does not keep attachments yet (see the report on issue 14).

const picture: InboundMedia = { url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', contentType: 'image/jpeg' };
const card: InboundMedia = { url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2', contentType: 'text/vcard' };
const linked = (m: InboundMedia) => ({ ...m, id: expect.any(Number), state: 'linked', size: null });

export function describeMediaContract(name: string, create: () => Promise<Store> | Store): void {
  describe(`attachments contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await create();
    });
    afterEach(async () => {
      await store.close();
    });

    const send = (externalId: string, overrides: Parameters<typeof inbound>[1], replies: string[] = []) =>
      store.receive(inbound(externalId, overrides), fakeDecide({ replies }).decide);

    async function transcriptOf(id: number) {
      const found = await store.get(id);
      if (found === null) throw new Error(`conversation ${id} not found`);
      return found.transcript;
    }

    it("keeps the links of a message's attachments with its transcript line, in order, once", async () => {
      const first = await send('m1', { text: '', media: [picture, card] }, ['r1']);
      await send('m1', { text: '', media: [picture, card] });
      await send('m2', { text: 'two', receivedAt: T0 + 1000 });
      const transcript = await transcriptOf(first.conversationId);
      expect(transcript).toEqual([
        { at: iso(T0), direction: 'in', author: 'user', text: '', media: [linked(picture), linked(card)] },
        { at: iso(T0), direction: 'out', author: 'bot', text: 'r1' },
        { at: iso(T0 + 1000), direction: 'in', author: 'user', text: 'two' },
      ]);
      const ids = transcript[0]?.media?.map((m) => m.id) ?? [];
      expect(new Set(ids).size).toBe(2);
    });

    it('keeps no attachment of a message whose decide threw', async () => {
      const failing = () => {
        throw new Error('machine broke');
      };
      await expect(store.receive(inbound('m1', { media: [picture] }), failing)).rejects.toThrow('machine broke');
      const retry = await send('m1', { media: [picture] });
      expect((await transcriptOf(retry.conversationId))[0]?.media).toEqual([linked(picture)]);
    });

    it('exports the links with the transcript, and an erasure takes them with it', async () => {
      const { conversationId } = await send('m1', { text: 'see this', media: [picture] });
      const transcript = await transcriptOf(conversationId);
      expect((await store.exportConversation(conversationId))?.transcript).toEqual(transcript);
      await store.eraseConversation(conversationId);
      expect(await store.get(conversationId)).toBeNull();
    });

    it('keeps a notice to PJ with the links of what the client attached', async () => {
      const { conversationId } = await send('m1', { text: 'see this', media: [picture] });
      const notice = { kind: 'clientMessage' as const, text: 'see this', media: [picture] };
      await store.enqueueOutbox(conversationId, [{ destination: { kind: 'desk' }, payload: { type: 'notice', notice } }], T0);
      const [item] = await store.claimOutbox(T0, 30_000, 10);
      expect(item?.payload).toEqual({ type: 'notice', notice });
    });
  });
}
