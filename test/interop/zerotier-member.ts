// A real zerotier-one member inside a lab namespace: its own home dir (identity, planet, local.conf,
// networks.d), its local API on 127.0.0.1 of its namespace, and `zerotier-cli` through `zerotier-one -q`.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, LabNode, LabProcess } from './lab.ts';
import { waitFor } from './wait.ts';

/** What `zerotier-cli -j listnetworks` says about one network (the fields the tests use). */
export interface ZtNetwork {
  nwid: string;
  status: string;
  name: string;
  portDeviceName: string;
  assignedAddresses: string[];
  routes: { target: string; via: string | null; flags: number; metric: number }[];
  /** A snapshot taken at the last config update, not live (zerotier-one refreshes it only then). */
  multicastSubscriptions: { mac: string; adi: number }[];
}

export interface ZtPeer {
  address: string;
  role: string;
  latency: number;
  paths: { address: string; active: boolean; preferred: boolean }[];
}

export const ZT_PORT = 9993;

export class ZeroTierMember {
  address = '';
  process?: LabProcess;

  constructor(
    readonly lab: Lab,
    readonly node: LabNode,
    readonly name: string,
    readonly binary: string,
    readonly home: string,
  ) {}

  get ns(): string {
    return this.node.ns;
  }

  /** Writes the home dir (planet, local.conf) and starts `zerotier-one -U -p9993 <home>`. */
  async start(planetFile: string): Promise<void> {
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    copyFileSync(planetFile, join(this.home, 'planet'));
    // Only the namespace's own underlay: no UPnP/NAT-PMP, no secondary or tertiary ports, no TCP
    // fallback relay (it would try a public address), and the physical interface pinned.
    writeFileSync(
      join(this.home, 'local.conf'),
      JSON.stringify({
        settings: {
          primaryPort: ZT_PORT,
          portMappingEnabled: false,
          allowSecondaryPort: false,
          allowTcpFallbackRelay: false,
          interfacePrefixBlacklist: ['zt'],
        },
      }),
    );
    this.process = this.lab.spawn(
      this.name,
      this.ns,
      [this.binary, '-U', `-p${ZT_PORT}`, this.home],
      join(this.home, '..', `${this.name}.log`),
    );
    const info = await waitFor(
      `${this.name}: zerotier-one local API`,
      async () => {
        if (this.process && !this.process.running)
          throw new Error(`zerotier-one exited:\n${this.process.tail()}`);
        const result = await this.cli(['-j', 'info'], { allowFailure: true });
        return result.code === 0 ? (JSON.parse(result.stdout) as { address: string }) : undefined;
      },
      { timeoutMs: 20_000 },
    );
    this.address = info.address;
  }

  /** `zerotier-cli -D<home> -p9993 …` inside the namespace. */
  async cli(
    args: string[],
    options: { allowFailure?: boolean } = {},
  ): Promise<{ code: number; stdout: string }> {
    const result = await this.lab.tryExec(this.ns, [
      this.binary,
      '-q',
      `-D${this.home}`,
      `-p${ZT_PORT}`,
      ...args,
    ]);
    if (result.code !== 0 && !options.allowFailure)
      throw new Error(
        `${this.name}: zerotier-cli ${args.join(' ')} exited ${result.code}: ${result.stdout}${result.stderr}`,
      );
    return { code: result.code, stdout: result.stdout };
  }

  async join(nwid: string): Promise<string> {
    return (await this.cli(['join', nwid])).stdout.trim();
  }

  async networks(): Promise<ZtNetwork[]> {
    return JSON.parse((await this.cli(['-j', 'listnetworks'])).stdout) as ZtNetwork[];
  }

  async network(nwid: string): Promise<ZtNetwork | undefined> {
    return (await this.networks()).find((n) => n.nwid === nwid);
  }

  async peers(): Promise<ZtPeer[]> {
    return JSON.parse((await this.cli(['-j', 'peers'])).stdout) as ZtPeer[];
  }

  async info(): Promise<{ address: string; online: boolean; version: string }> {
    return JSON.parse((await this.cli(['-j', 'info'])).stdout) as {
      address: string;
      online: boolean;
      version: string;
    };
  }

  /** `ip -4 route show dev <dev>` lines, trimmed. */
  async kernelRoutes(dev: string): Promise<string[]> {
    const out = await this.lab.exec(this.ns, ['ip', '-4', 'route', 'show', 'dev', dev]);
    return lines(out);
  }

  /** `ip -6 route show dev <dev>` lines, trimmed, without the link-local fe80::/64 every device has. */
  async kernelRoutes6(dev: string): Promise<string[]> {
    const out = await this.lab.exec(this.ns, ['ip', '-6', 'route', 'show', 'dev', dev]);
    return lines(out).filter((line) => !line.startsWith('fe80::/64'));
  }

  /**
   * `ping -c<count> -W<wait> [-I <from>] <ip>` in this member's namespace (IPv4 or IPv6). `ttls` are
   * the TTL / hop limit of each reply: 64 when the peer answered directly, 63 after one router.
   */
  async ping(
    ip: string,
    options: { count?: number; waitS?: number; from?: string } = {},
  ): Promise<PingResult> {
    const { count = 3, waitS = 2, from } = options;
    const argv = ['ping', '-n', '-c', String(count), '-W', String(waitS), ...(from ? ['-I', from] : []), ip];
    const result = await this.lab.tryExec(this.ns, argv, (count * (waitS + 1) + 5) * 1000);
    const output = `${result.stdout}${result.stderr}`;
    const ttls = [...result.stdout.matchAll(/bytes from .* ttl=(\d+)/g)].map((m) => Number(m[1]));
    return { ok: result.code === 0, code: result.code, output, ttls };
  }

  /** The IPv4 addresses (with prefix length) on `dev`, from `ip -4 -o addr`. */
  async kernelAddresses(dev: string): Promise<string[]> {
    const out = await this.lab.exec(this.ns, ['ip', '-4', '-o', 'addr', 'show', 'dev', dev]);
    return lines(out).map((line) => /inet (\S+)/.exec(line)?.[1] ?? line);
  }

  /** The text of `ip <args>` in this member's namespace (for reports). */
  ip(args: string[]): Promise<string> {
    return this.lab.exec(this.ns, ['ip', ...args]);
  }

  identityPublic(): string {
    return readFileSync(join(this.home, 'identity.public'), 'utf8').trim();
  }
}

export interface PingResult {
  ok: boolean;
  code: number;
  /** stdout and stderr, for messages. */
  output: string;
  ttls: number[];
}

export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}
