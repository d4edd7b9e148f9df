/**
 * `npx tsx bench/decide-cost.ts`: the CPU one inbound text costs in decideInbound, as the store runs
 * it (the saved snapshot read back from JSON, the decision's snapshot written as JSON), over a mix of
 * complete SMS conversations: the bench's own (greeting, product, asker), a longer English one with
 * questions after the verdict, and a Spanish one. Prints µs per decision, the median of several runs,
 * the process's CPU time, and the machine's load (other work on the machine still moves the figures). Options: `--runs 7
 * --conversations 2000`.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createLanguageDetector } from '../src/adapters/flow-files/detect-language.js';
import { loadFlows } from '../src/adapters/flow-files/load-flows.js';
import { decideInbound } from '../src/app/decide-inbound.js';
import type { BotSettings } from '../src/core/bot-settings.js';
import type { InboundMessage } from '../src/core/conversation.js';
import type { SavedConversation } from '../src/core/ports.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    conversations: { type: 'string', default: '1000' },
  },
});

const CONVERSATIONS: string[][] = [
  ['hi', 'we run payroll for restaurants', 'their CFO asked'],
  [
    'Hello there',
    'We are a small SaaS company that stores HR records for mid-size employers',
    'a prospect sent us a security questionnaire, their CISO is asking',
    'thanks',
    'how much does an audit cost?',
    'ok great',
  ],
  [
    'hola',
    'tenemos una plataforma de pagos para restaurantes',
    'lo pide el director financiero del cliente',
    'gracias',
  ],
];

const MINUTE = 60_000;
const detector = createLanguageDetector();
let detections = 0;
const settings: BotSettings = {
  ...loadFlows(),
  detectLanguage: (text) => {
    detections += 1;
    return detector(text);
  },
  advisor: { name: 'PJ', phone: '+18584618054' },
  botAnswersKeywords: false,
  handoff: { notifySms: null, desk: false, idleMs: 240 * MINUTE, remindMs: 30 * MINUTE },
};

/** Every conversation of the mix, once each per `count`, in turns: returns the decisions made. */
function run(count: number): number {
  let decisions = 0;
  let at = Date.UTC(2026, 0, 6, 15);
  for (let n = 0; n < count; n++) {
    const texts = CONVERSATIONS[n % CONVERSATIONS.length] ?? [];
    let saved: SavedConversation | null = null;
    for (const [i, text] of texts.entries()) {
      at += 1000;
      const message: InboundMessage = {
        channel: 'sms',
        participant: `+1415555${String(n).padStart(4, '0')}`,
        conversationKey: `+1415555${String(n).padStart(4, '0')}`,
        provider: 'twilio',
        externalId: `SM${n}-${i}`,
        text,
        receivedAt: at,
        region: 'CA',
      };
      const decision = decideInbound(settings, message, saved);
      // As the stores keep it: JSON in the row, parsed on the next read.
      saved = {
        id: n,
        machineVersion: decision.machineVersion,
        snapshot: JSON.parse(JSON.stringify(decision.snapshot)),
      };
      decisions += 1;
    }
  }
  return decisions;
}

const count = Number(values.conversations);
run(Math.ceil(count / 4)); // warm-up: JIT, the lexicon's compiled tables
const perDecision: number[] = [];
let decided = 0;
detections = 0;
for (let r = 0; r < Number(values.runs); r++) {
  // CPU time, not wall time: other work on the machine shares the cores.
  const start = process.cpuUsage();
  const decisions = run(count);
  decided += decisions;
  const used = process.cpuUsage(start);
  perDecision.push((used.user + used.system) / decisions);
}
perDecision.sort((a, b) => a - b);
const median = perDecision[Math.floor(perDecision.length / 2)] ?? 0;
console.log(
  `decideInbound: ${median.toFixed(1)} µs per decision (median of ${perDecision.length} runs; ` +
    `min ${perDecision[0]?.toFixed(1)}, max ${perDecision.at(-1)?.toFixed(1)}); ` +
    `language detections per decision ${(detections / decided).toFixed(2)}; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
