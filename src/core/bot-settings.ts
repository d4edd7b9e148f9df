import type { QuietHours } from './client-time.js';
import type { Flow } from './flow.js';
import type { Language, LanguageDetector } from './languages.js';
import type { Lexicon } from './lexicon.js';
import type { Translations } from './localize-flow.js';
import type { Advisor } from './render-reply.js';

/** How PJ is reached and how long the bot waits for him. */
export interface HandoffSettings {
  /** PJ's phone for notices, or null. */
  notifySms: string | null;
  /** Whether the Slack handoff channel is configured. */
  desk: boolean;
  idleMs: number;
  remindMs: number;
}

/** When the bot may start a text to a client, and whose clock says so. */
interface ClientTimeSettings {
  /** The local hours texts the bot starts may go in (QUIET_HOURS); null: any time. */
  quietHours: QuietHours | null;
  /** The advisor's time zone (TZ): a client's when their number does not say where they are. */
  advisorTimeZone: string;
}

/** What the use cases need to know about this bot: its words, its advisor and its handoff. */
export interface BotSettings {
  flow: Flow;
  lexicon: Lexicon;
  advisor: Advisor;
  /** true: the bot answers STOP/START/HELP itself; false: Twilio does and the bot stays silent. */
  botAnswersKeywords: boolean;
  handoff: HandoffSettings;
  /** The client-facing words in each language but English (flows/<language>/main.yaml); none: English only. */
  translations?: Translations;
  /** Tells what language a text is in; without one, only the lexicon's words for languages count. */
  detectLanguage?: LanguageDetector;
  /** The languages PJ answers in (ADVISOR_LANGUAGES); English when unset. */
  advisorLanguages?: readonly Language[];
  /** The version of the rules (flows/ and the advice code) kept with each verdict; null when unknown. */
  rulesVersion?: string | null;
  /** Quiet hours for the texts the bot starts (both stores hold them; compose always sets it); unset: none. */
  clientTime?: ClientTimeSettings;
}
