// API tokens besides the admin token: named, revocable, and optionally scoped to one member of one
// network, so a subnet router can hold a token that lets it advertise its own routes and nothing
// else. Only a SHA-256 of each secret is stored; the secret is shown once, when it is created.
import { createHash, randomBytes } from 'node:crypto';
import { invalidField, notFound } from '../core/errors.ts';
import { has, readObject, show } from '../core/network/json-input.ts';
import { isMemberAddress, isNetworkId } from '../core/network/network-id.ts';
import type { Store, StoredApiToken } from '../store/store.ts';
import { announcementOf } from './change-announcements.ts';

export type Principal =
  | { kind: 'admin'; name: string }
  | { kind: 'member'; name: string; tokenId: string; networkId: string; memberAddress: string };

export interface TokenView {
  id: string;
  name: string;
  /** Null for a full-access token. */
  networkId: string | null;
  memberAddress: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

/** Tokens start with this, so a leaked one is recognisable (secret scanners, logs). */
const TOKEN_PREFIX = 'rpt_';
const MAX_NAME = 100;
/** last_used_at is written at most this often per token (every request would be a write). */
const TOUCH_EVERY_MS = 60_000;

/** Tells other controller processes to forget their cached token lookups (a revoked token stops at once). */
const TOKENS_CHANGED = JSON.stringify(announcementOf([], undefined, { tokens: true }));

export function tokenHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function view(token: StoredApiToken): TokenView {
  return {
    id: token.id,
    name: token.name,
    networkId: token.networkId,
    memberAddress: token.memberAddress,
    createdAt: token.createdAt,
    lastUsedAt: token.lastUsedAt,
  };
}

export class ApiTokens {
  private readonly byHash = new Map<string, StoredApiToken | null>();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {}

  /** `{name, network?, member?}`: both or neither of network and member. */
  async create(body: unknown): Promise<TokenView & { token: string }> {
    const input = readObject(body, 'body');
    const unknown = Object.keys(input).filter((key) => !['name', 'network', 'member'].includes(key));
    if (unknown.length > 0) throw invalidField(unknown[0]!, 'unknown field; expected name, network, member');
    const name = input.name;
    if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME)
      throw invalidField(
        'name',
        `expected a non-empty string of at most ${MAX_NAME} characters, got ${show(name)}`,
      );
    const network = has(input, 'network') ? input.network : undefined;
    const member = has(input, 'member') ? input.member : undefined;
    if ((network === undefined) !== (member === undefined))
      throw invalidField(
        network === undefined ? 'network' : 'member',
        'a scoped token needs both network and member',
      );
    if (network !== undefined && (typeof network !== 'string' || !isNetworkId(network)))
      throw invalidField('network', `${show(network)} is not a 16-digit hex network ID`);
    if (member !== undefined && (typeof member !== 'string' || !isMemberAddress(member)))
      throw invalidField('member', `${show(member)} is not a 10-digit hex member address`);
    if (network !== undefined && !(await this.store.getNetwork((network as string).toLowerCase())))
      throw notFound(`network ${network as string}`);
    const secret = TOKEN_PREFIX + randomBytes(24).toString('base64url');
    const record: StoredApiToken = {
      id: randomBytes(6).toString('hex'),
      name: name.trim(),
      tokenHash: tokenHash(secret),
      networkId: network === undefined ? null : (network as string).toLowerCase(),
      memberAddress: member === undefined ? null : (member as string).toLowerCase(),
      createdAt: this.clock(),
      lastUsedAt: null,
    };
    await this.store.transaction(async (tx) => {
      await tx.putApiToken(record);
      await tx.announce(TOKENS_CHANGED);
    });
    this.byHash.delete(record.tokenHash);
    return { ...view(record), token: secret };
  }

  async list(): Promise<TokenView[]> {
    return (await this.store.listApiTokens()).map(view);
  }

  async remove(id: string): Promise<TokenView> {
    const token = (await this.store.listApiTokens()).find((t) => t.id === id);
    if (!token) throw notFound(`API token ${id}`);
    await this.store.transaction(async (tx) => {
      await tx.deleteApiToken(id);
      await tx.announce(TOKENS_CHANGED);
    });
    this.byHash.delete(token.tokenHash);
    return view(token);
  }

  /** Another process changed the tokens: look them up again. */
  forgetCached(): void {
    this.byHash.clear();
  }

  /** Who presents `secret`, or undefined for no valid token (the admin token is checked by the API). */
  async authenticate(secret: string): Promise<Principal | undefined> {
    if (!secret.startsWith(TOKEN_PREFIX)) return undefined;
    const hash = tokenHash(secret);
    let token = this.byHash.get(hash);
    if (token === undefined) {
      token = (await this.store.getApiTokenByHash(hash)) ?? null;
      this.byHash.set(hash, token);
      if (this.byHash.size > 10_000) this.byHash.clear();
    }
    if (token === null) return undefined;
    const now = this.clock();
    if (token.lastUsedAt === null || now - token.lastUsedAt > TOUCH_EVERY_MS) {
      token.lastUsedAt = now;
      const id = token.id;
      void this.store.transaction((tx) => tx.touchApiToken(id, now)).catch(() => undefined);
    }
    if (token.networkId === null || token.memberAddress === null) return { kind: 'admin', name: token.name };
    return {
      kind: 'member',
      name: token.name,
      tokenId: token.id,
      networkId: token.networkId,
      memberAddress: token.memberAddress,
    };
  }
}
