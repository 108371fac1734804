// A member's last encoded config dictionary, kept so its next request (a ZeroTier client asks every
// 60 s) skips building the dictionary again: everything in it but the timestamp `ts` is a function of
// the build request (network, member, routes, bridges, rules-engine support) and of the member's
// young credentials. The template is reused only for the very same request content (a digest of
// its JSON, so no revision discipline is assumed) and only while its credentials may be reused.
// About 1.5 KB per member: at most `maxMembers` (default 50,000) are kept, the least recently built
// dropped first (a larger network simply builds more of its configs from scratch).
import { hex64 } from '../dictionary.ts';

interface Template {
  contentKey: string;
  dict: Uint8Array;
  /** Offset of the 16 hex digits of `ts`. */
  tsAt: number;
  builtAt: number;
  /** When the credentials inside stop being reusable. */
  validUntil: number;
}

const TS_KEY = '\nts=';

/** Where the 16 hex digits of `ts` start, or -1. */
function timestampOffset(dict: Uint8Array): number {
  const at = Buffer.from(dict.buffer, dict.byteOffset, dict.length).indexOf(TS_KEY, 0, 'latin1');
  return at < 0 || at + TS_KEY.length + 16 > dict.length ? -1 : at + TS_KEY.length;
}

export class ConfigTemplates {
  private readonly members = new Map<string, Template>();
  hits = 0;

  constructor(private readonly maxMembers = 50_000) {}

  get size(): number {
    return this.members.size;
  }

  /** The dictionary for `now` from the member's template, when it still fits; else undefined. */
  dictionary(member: string, contentKey: string, now: number): Uint8Array | undefined {
    const template = this.members.get(member);
    if (
      template === undefined ||
      template.contentKey !== contentKey ||
      now < template.builtAt ||
      now >= template.validUntil
    )
      return undefined;
    const dict = template.dict.slice();
    const digits = hex64(now);
    for (let i = 0; i < 16; i++) dict[template.tsAt + i] = digits.charCodeAt(i);
    this.hits++;
    return dict;
  }

  /** Remembers a freshly built dictionary (one with a 16-digit `ts`, as every config has). */
  remember(member: string, contentKey: string, dict: Uint8Array, now: number, validUntil: number): void {
    const tsAt = timestampOffset(dict);
    if (tsAt < 0 || validUntil <= now) return;
    this.members.delete(member);
    this.members.set(member, { contentKey, dict, tsAt, builtAt: now, validUntil });
    if (this.members.size > this.maxMembers) {
      const oldest = this.members.keys().next();
      if (oldest.done !== true) this.members.delete(oldest.value);
    }
  }
}
