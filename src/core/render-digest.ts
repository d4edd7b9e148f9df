import type { ConversationRecord } from './conversation.js';
import type { Flow } from './flow.js';
import { maskParticipant } from './mask-participant.js';
import { countPipeline, type PipelineRow } from './pipeline.js';
import { fillCopy, type Advisor } from './render-reply.js';

/** Items listed by name in a digest; the count says how many in all. */
const MAX_WAITING = 10;

/**
 * PJ's digest of `day`: the conversations created that day (`rows`), their verdicts and flags, and
 * who is still waiting for him now (`waiting`, newest change first), in flows/main.yaml's words.
 */
export function renderDigest(
  day: string,
  rows: readonly PipelineRow[],
  waiting: readonly ConversationRecord[],
  flow: Flow,
  advisor: Advisor,
): string {
  const words = flow.advisor.digest;
  const { funnel, verdicts } = countPipeline(rows, [], 0);
  const summary = fillCopy(words.summary, advisor, {
    day,
    started: String(funnel.started),
    soc1: String(verdicts.soc1),
    soc2: String(verdicts.soc2),
    both: String(verdicts.both),
    flagged: String(funnel.flagged),
  });
  if (waiting.length === 0) return `${summary} ${fillCopy(words.noneWaiting, advisor)}`;
  const items = waiting.slice(0, MAX_WAITING).map((c) =>
    fillCopy(words.waitingItem, advisor, {
      id: String(c.id),
      sender: maskParticipant(c.participant),
      reasons: c.flags.join(', ') || flow.advisor.labels.noReasons,
    }),
  );
  return `${summary} ${fillCopy(words.waiting, advisor, { count: String(waiting.length), items: items.join('; ') })}`;
}
