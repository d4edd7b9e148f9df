import type { ConversationRecord } from '../../core/conversation.js';
import type { ReviewLabel } from '../../core/pipeline.js';
import type { PipelineStore } from '../../core/ports.js';

/** PJ's review as the admin API shows it on a conversation. */
interface ShownReview {
  verdict: ReviewLabel;
  note: string;
  at: string;
}

export type AnnotatedConversation<C extends ConversationRecord> = C & {
  review: ShownReview | null;
  rulesVersion: string | null;
};

/**
 * The conversations as the admin API shows them: each with PJ's review of its verdict (null:
 * none) and the version of the rules its verdict came from (null: no verdict, or decided before
 * versions were kept). Without `reviews` (no pipeline) both are null.
 */
export async function withReviewNotes<C extends ConversationRecord>(
  conversations: C[],
  reviews?: Pick<PipelineStore, 'reviewsOf'>,
): Promise<Array<AnnotatedConversation<C>>> {
  const notes = reviews ? await reviews.reviewsOf(conversations.map((c) => c.id)) : new Map();
  return conversations.map((c) => {
    const found = notes.get(c.id);
    const review = found?.review ?? null;
    return {
      ...c,
      review:
        review === null ? null : { verdict: review.verdict, note: review.note, at: new Date(review.at).toISOString() },
      rulesVersion: found?.rulesVersion ?? null,
    };
  });
}
