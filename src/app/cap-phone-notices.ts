import { CHANNELS } from '../core/channels.js';
import { DeliveryError } from '../core/delivery-error.js';
import type { AdvisorNotifier, PhoneNoticeQuota } from '../core/ports.js';

/** What the outbox records as sent for a notice the cap kept from PJ's phone. */
export const CAPPED = 'capped';

interface CapOptions {
  quota: PhoneNoticeQuota;
  /** WEB_PHONE_NOTICES_PER_HOUR. */
  perHour: number;
  now: () => number;
  log: { info(obj: object, msg: string): void };
}

/**
 * PJ's phone, capped for channels whose phone notices are capped (the web chat, where anyone can
 * type): one notice per conversation and `perHour` an hour across them. A capped notice counts as
 * handled (his desk and console still show everything); one the provider did not take gives the
 * conversation's notice back, so the outbox's retry may use it.
 */
export function capPhoneNotices(notifier: AdvisorNotifier, options: CapOptions): AdvisorNotifier {
  const { quota, perHour, now, log } = options;
  return {
    async notify(notice, conversation) {
      const { phoneNotices } = CHANNELS[conversation.channel];
      switch (phoneNotices) {
        case 'all':
          return notifier.notify(notice, conversation);
        case 'capped': {
          if (!(await quota.reservePhoneNotice(conversation.id, now(), perHour))) {
            log.info(
              { conversationId: conversation.id, notice: notice.kind },
              "not texted to PJ's phone: a web chat conversation gets one notice there, and WEB_PHONE_NOTICES_PER_HOUR an hour (his desk and console show it)",
            );
            return CAPPED;
          }
          try {
            return await notifier.notify(notice, conversation);
          } catch (error) {
            if (error instanceof DeliveryError) await quota.releasePhoneNotice(conversation.id);
            throw error;
          }
        }
        default: {
          const _never: never = phoneNotices;
          return _never;
        }
      }
    },
  };
}
