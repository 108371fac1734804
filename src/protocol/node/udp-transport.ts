// The node's UDP sockets: one IPv4 and one IPv6-only socket on the same port when possible, as
// zerotier-one binds them. Sends pick the socket by the destination's family.
import { type Socket, createSocket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { PathAddress } from './path-address.ts';
import { pathFamily } from './path-address.ts';

export type SocketKind = 'ipv4' | 'ipv6';

export interface BindOptions {
  ipv4?: string | false;
  ipv6?: string | false;
}

export interface TransportEvents {
  message(data: Uint8Array, from: PathAddress, socket: SocketKind): void;
  sendError(error: Error, to: PathAddress): void;
  socketError(error: Error, socket: SocketKind): void;
}

// Small on purpose: the time a datagram waits in the kernel is invisible to the admission control
// (config-admission.ts), so a deep buffer turns overload into seconds of queueing. bench:load on
// 2 cores: with 8 MB, p99 1.1 s at 80 % of peak and 1.7 s in overload; with 256 KB, 98 ms and
// 0.49 s, the same peak. Members whose datagrams are dropped simply ask again.
const RECEIVE_BUFFER_BYTES = 256 * 1024;
const SEND_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Every destination here is an IP literal (a path address), which dgram would still pass through
 * dns.lookup and a process.nextTick before each send: answered at once instead.
 */
function literalLookup(
  address: string,
  // dgram passes the socket's family as a number (typed as dns.lookup's options).
  options: LookupOneOptions | number,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const literal = isIP(address);
  if (literal !== 0) callback(null, address, literal);
  else dnsLookup(address, typeof options === 'number' ? { family: options } : options, callback);
}

function bindSocket(type: 'udp4' | 'udp6', address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // The kernel caps the buffers at net.core.rmem_max / wmem_max.
    const buffers = {
      recvBufferSize: RECEIVE_BUFFER_BYTES,
      sendBufferSize: SEND_BUFFER_BYTES,
      lookup: literalLookup,
    };
    const socket = createSocket(
      type === 'udp6' ? { type, ipv6Only: true, ...buffers } : { type, ...buffers },
    );
    const fail = (error: Error) => {
      try {
        socket.close();
      } catch {
        // never bound: nothing to close
      }
      reject(error);
    };
    socket.once('error', fail);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

export class UdpTransport {
  private v4?: Socket;
  private v6?: Socket;
  readonly ports: { ipv4?: number; ipv6?: number } = {};

  constructor(private readonly events: TransportEvents) {}

  /**
   * Binds the requested sockets. IPv6 reuses the IPv4 port when `port` is 0; an IPv6 socket that
   * was not explicitly asked for is skipped when the host has no IPv6.
   */
  async bind(port: number, options: BindOptions = {}): Promise<void> {
    const v4Address = options.ipv4 === undefined ? '0.0.0.0' : options.ipv4;
    const v6Address = options.ipv6 === undefined ? '::' : options.ipv6;
    if (v4Address === false && v6Address === false)
      throw new Error('at least one of ipv4 and ipv6 must be bound');
    if (v4Address !== false) {
      this.v4 = await bindSocket('udp4', v4Address, port);
      this.ports.ipv4 = this.v4.address().port;
      this.attach(this.v4, 'ipv4');
    }
    if (v6Address !== false) {
      const wanted = port === 0 && this.ports.ipv4 !== undefined ? this.ports.ipv4 : port;
      try {
        this.v6 = await bindSocket('udp6', v6Address, wanted).catch((error: NodeJS.ErrnoException) => {
          if (wanted !== port && error.code === 'EADDRINUSE') return bindSocket('udp6', v6Address, 0);
          throw error;
        });
        this.ports.ipv6 = this.v6.address().port;
        this.attach(this.v6, 'ipv6');
      } catch (error) {
        if (options.ipv6 !== undefined || this.v4 === undefined) {
          await this.close();
          throw error;
        }
        this.events.socketError(error as Error, 'ipv6'); // default dual stack on a v4-only host
      }
    }
  }

  /** False when there is no socket for the destination's family (nothing was sent). */
  send(data: Uint8Array, to: PathAddress): boolean {
    const socket = pathFamily(to) === 4 ? this.v4 : this.v6;
    if (!socket) return false;
    socket.send(data, to.port, to.ip, (error) => {
      if (error) this.events.sendError(error, to);
    });
    return true;
  }

  hasFamily(family: 4 | 6): boolean {
    return (family === 4 ? this.v4 : this.v6) !== undefined;
  }

  async close(): Promise<void> {
    const sockets = [this.v4, this.v6].filter((s): s is Socket => s !== undefined);
    this.v4 = undefined;
    this.v6 = undefined;
    await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private attach(socket: Socket, kind: SocketKind): void {
    socket.on('message', (msg, rinfo) =>
      this.events.message(msg, { ip: rinfo.address, port: rinfo.port }, kind),
    );
    socket.on('error', (error) => this.events.socketError(error, kind));
  }
}
