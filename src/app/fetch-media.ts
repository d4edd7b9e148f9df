import type { DownloadResult, MediaDownload } from '../core/media.js';
import type { MediaStore } from '../core/ports.js';

interface MediaFetcherDeps {
  store: MediaStore;
  /** Downloads one attachment; never throws. */
  download: (url: string, contentType: string) => Promise<DownloadResult>;
  now: () => number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** How long one download may take before another worker may try it. */
  leaseMs?: number;
  maxAttempts?: number;
}

export interface MediaFetcher {
  /** Downloads what is due; resolves to how many attachments it tried. */
  tick(): Promise<number>;
}

const DEFAULT_LEASE_MS = 2 * 60_000;
const DEFAULT_MAX_ATTEMPTS = 5;
const BATCH = 5;

/** 1 min, 2 min, 4 min... after each failed try. */
function mediaRetryDelayMs(attempts: number): number {
  return 60_000 * 2 ** Math.max(0, attempts - 1);
}

/**
 * Downloads the attachments clients sent into the database (TWILIO_FETCH_MEDIA), so every instance
 * can show them to PJ: a file over the cap, or one that keeps failing, stays a link.
 */
export function createMediaFetcher(deps: MediaFetcherDeps): MediaFetcher {
  const { store, download, now, log } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;

  async function fetchOne(item: MediaDownload): Promise<void> {
    const about = { mediaId: item.id, conversationId: item.conversationId, attempts: item.attempts };
    const result = await download(item.url, item.contentType);
    if (result.ok) {
      await store.storeMediaFile(item.id, { contentType: result.contentType, bytes: result.bytes }, now());
      log.info({ ...about, bytes: result.bytes.byteLength }, 'media: stored an attachment in the database');
      return;
    }
    if (result.tooLarge) {
      await store.settleMediaDownload(item.id, { state: 'tooLarge', error: result.reason }, now());
      log.warn({ ...about, reason: result.reason }, 'media: attachment over the size cap; only its link is kept');
      return;
    }
    if (result.retryable && item.attempts < maxAttempts) {
      const retryAt = now() + mediaRetryDelayMs(item.attempts);
      await store.settleMediaDownload(item.id, { retryAt, error: result.reason }, now());
      log.warn({ ...about, reason: result.reason, retryAt }, 'media: download failed, will retry');
      return;
    }
    await store.settleMediaDownload(item.id, { state: 'failed', error: result.reason }, now());
    log.warn({ ...about, reason: result.reason }, 'media: download given up; only its link is kept');
  }

  return {
    async tick() {
      const claimed = await store.claimMediaDownloads(now(), leaseMs, BATCH);
      for (const item of claimed) {
        // One that cannot be settled (the database hiccuped) is tried again once its lease ends.
        await fetchOne(item).catch((error: unknown) =>
          log.warn(
            { mediaId: item.id, err: error },
            'media: could not settle a download; it is tried again after its lease',
          ),
        );
      }
      return claimed.length;
    },
  };
}
