import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMedia } from '../../src/core/media.js';
import type { MediaStore, Store } from '../../src/core/ports.js';
import { fakeDecide, inbound, iso, T0 } from './fake-decide.js';

// What clients attach (MMS pictures): kept with the transcript line they came with, and their
// files once downloaded (TWILIO_FETCH_MEDIA). Every store runs this suite.

const picture: InboundMedia = {
  url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1',
  contentType: 'image/jpeg',
};
const card: InboundMedia = {
  url: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2',
  contentType: 'text/vcard',
};
const linked = (m: InboundMedia) => ({ ...m, id: expect.any(Number), state: 'linked', size: null });

/** A store that keeps attachments' files; `create` opens a fresh one, `open` another on the same database. */
type MediaKeeping = Store & MediaStore;

export function describeMediaContract(
  name: string,
  database: () => { open(): Promise<MediaKeeping> | MediaKeeping },
): void {
  describe(`attachments contract: ${name}`, () => {
    let shared: { open(): Promise<MediaKeeping> | MediaKeeping };
    let store: MediaKeeping;
    const opened: MediaKeeping[] = [];

    beforeEach(async () => {
      shared = database();
      store = await shared.open();
      opened.push(store);
    });
    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close();
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

    const LEASE = 60_000;
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3]);

    it('hands out each link to download once, oldest first, and keeps the file it is given', async () => {
      const { conversationId } = await send('m1', { text: '', media: [picture, card] });
      await send('m2', { participant: '+15550000002', media: [picture] });
      const first = await store.claimMediaDownloads(T0, LEASE, 2);
      expect(first).toEqual([
        { id: expect.any(Number), conversationId, ...picture, attempts: 1 },
        { id: expect.any(Number), conversationId, ...card, attempts: 1 },
      ]);
      expect(await store.claimMediaDownloads(T0, LEASE, 10)).toHaveLength(1);
      expect(await store.claimMediaDownloads(T0 + LEASE - 1, LEASE, 10)).toEqual([]);
      const [shown] = first;
      await store.storeMediaFile(shown?.id ?? 0, { contentType: 'image/png', bytes }, T0 + 5000);
      const found = await store.get(conversationId);
      expect(found?.updatedAt).toBe(iso(T0 + 5000));
      expect(found?.transcript[0]?.media).toEqual([
        { ...picture, contentType: 'image/png', id: shown?.id, state: 'stored', size: bytes.byteLength },
        { ...card, id: expect.any(Number), state: 'linked', size: null },
      ]);
      const file = await store.getMediaFile(conversationId, shown?.id ?? 0);
      expect(file?.contentType).toBe('image/png');
      expect([...(file?.bytes ?? [])]).toEqual([...bytes]);
      // Not another conversation's, and not one still a link.
      expect(await store.getMediaFile(conversationId + 1, shown?.id ?? 0)).toBeNull();
      expect(await store.getMediaFile(conversationId, first[1]?.id ?? 0)).toBeNull();
    });

    it('tries a failed download again when due, and keeps the link of one given up', async () => {
      const { conversationId } = await send('m1', { text: '', media: [picture, card] });
      const [a, b] = await store.claimMediaDownloads(T0, LEASE, 10);
      await store.settleMediaDownload(a?.id ?? 0, { retryAt: T0 + 60_000, error: 'HTTP 503' }, T0 + 1);
      await store.settleMediaDownload(b?.id ?? 0, { state: 'tooLarge', error: 'larger than 5242880 bytes' }, T0 + 1);
      expect(await store.claimMediaDownloads(T0 + 59_999, LEASE, 10)).toEqual([]);
      expect(await store.claimMediaDownloads(T0 + 60_000, LEASE, 10)).toEqual([
        expect.objectContaining({ id: a?.id, attempts: 2 }),
      ]);
      await store.settleMediaDownload(a?.id ?? 0, { state: 'failed', error: 'HTTP 404' }, T0 + 60_001);
      expect(await store.claimMediaDownloads(T0 + 10 * LEASE, LEASE, 10)).toEqual([]);
      const states = (await store.get(conversationId))?.transcript[0]?.media?.map((m) => [m.url, m.state]);
      expect(states).toEqual([
        [picture.url, 'failed'],
        [card.url, 'tooLarge'],
      ]);
    });

    it('hands a download whose worker died out again once its lease is over, and to one claimer at a time', async () => {
      const second = await shared.open();
      opened.push(second);
      for (let i = 0; i < 6; i += 1) await send(`m${i}`, { participant: `+1555000010${i}`, media: [picture, card] });
      const [fromA, fromB] = await Promise.all([
        store.claimMediaDownloads(T0, LEASE, 7),
        second.claimMediaDownloads(T0, LEASE, 7),
      ]);
      const ids = [...fromA, ...fromB].map((item) => item.id);
      expect(ids).toHaveLength(12);
      expect(new Set(ids).size).toBe(12);
      expect(await store.claimMediaDownloads(T0 + LEASE - 1, LEASE, 20)).toEqual([]);
      expect(await second.claimMediaDownloads(T0 + LEASE, LEASE, 20)).toHaveLength(12);
    });

    it('keeps a notice to PJ with the links of what the client attached', async () => {
      const { conversationId } = await send('m1', { text: 'see this', media: [picture] });
      const notice = { kind: 'clientMessage' as const, text: 'see this', media: [picture] };
      await store.enqueueOutbox(
        conversationId,
        [{ destination: { kind: 'desk' }, payload: { type: 'notice', notice } }],
        T0,
      );
      const [item] = await store.claimOutbox(T0, 30_000, 10);
      expect(item?.payload).toEqual({ type: 'notice', notice });
    });
  });
}
