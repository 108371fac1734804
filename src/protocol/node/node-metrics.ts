// Counters of the node, kept both as plain numbers (`ZeroTierNode.stats`) and in a prom-client
// registry (`routeplane_udp_*`, `routeplane_identity_validations_total`, `routeplane_peers`).
import { Counter, Gauge, type Registry } from 'prom-client';
import { verbName } from '../packet.ts';

/** Why a datagram (or a reassembled packet) was not processed. */
export type DropReason =
  | 'too_short'
  | 'too_long'
  | 'own_source'
  | 'not_for_us'
  | 'relay_hops'
  | 'relay_no_path'
  | 'fragment_invalid'
  | 'fragment_duplicate'
  | 'fragment_too_long'
  | 'fragment_evicted'
  | 'fragment_timeout'
  | 'unknown_peer'
  | 'receive_queue_full'
  | 'unsupported_cipher'
  | 'bad_mac'
  | 'replayed'
  | 'decompress_failed'
  | 'malformed'
  | 'hello_protocol_too_old'
  | 'hello_address_mismatch'
  | 'identity_rate_limited'
  | 'identity_validation_busy'
  | 'identity_validation_pending'
  | 'identity_invalid'
  | 'identity_collision'
  | 'unexpected_ok'
  | 'untrusted_reply'
  | 'unknown_verb'
  | 'rate_limited'
  | 'multicast_table_full'
  | 'send_queue_full'
  | 'no_path'
  | 'handler_error'
  | 'internal_error';

export type ValidationResult = 'ok' | 'failed' | 'busy';

export interface NodeStats {
  /** Authenticated packets by verb name. */
  received: Record<string, number>;
  sent: Record<string, number>;
  dropped: Partial<Record<DropReason, number>>;
  relayed: number;
  identityValidations: Record<ValidationResult, number>;
  sendErrors: number;
  peers: number;
}

function counter<T extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: T[],
): Counter<T> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<T>; // several nodes may share one registry
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export class NodeMetrics {
  private readonly counts: NodeStats = {
    received: {},
    sent: {},
    dropped: {},
    relayed: 0,
    identityValidations: { ok: 0, failed: 0, busy: 0 },
    sendErrors: 0,
    peers: 0,
  };
  private readonly promReceived?: Counter<'verb'>;
  private readonly promSent?: Counter<'verb'>;
  private readonly promDropped?: Counter<'reason'>;
  private readonly promRelayed?: Counter<string>;
  private readonly promValidations?: Counter<'result'>;
  private readonly promSendErrors?: Counter<string>;

  constructor(
    registry: Registry | undefined,
    private readonly peerCount: () => number,
  ) {
    if (!registry) return;
    this.promReceived = counter(
      registry,
      'routeplane_udp_received_total',
      'Authenticated ZeroTier packets received, by verb',
      ['verb'],
    );
    this.promSent = counter(registry, 'routeplane_udp_sent_total', 'ZeroTier packets sent, by verb', [
      'verb',
    ]);
    this.promDropped = counter(
      registry,
      'routeplane_udp_dropped_total',
      'UDP datagrams or packets dropped, by reason',
      ['reason'],
    );
    this.promRelayed = counter(
      registry,
      'routeplane_udp_relayed_total',
      'Datagrams relayed to another peer (root only)',
      [],
    );
    this.promValidations = counter(
      registry,
      'routeplane_identity_validations_total',
      'Identity validations of unknown peers, by result',
      ['result'],
    );
    this.promSendErrors = counter(
      registry,
      'routeplane_udp_send_errors_total',
      'UDP sends the socket refused',
      [],
    );
    if (!registry.getSingleMetric('routeplane_peers')) {
      const count = this.peerCount;
      new Gauge({
        name: 'routeplane_peers',
        help: 'Peers known to the ZeroTier node',
        registers: [registry],
        collect() {
          this.set(count());
        },
      });
    }
  }

  received(verb: number): void {
    const name = verbName(verb);
    this.counts.received[name] = (this.counts.received[name] ?? 0) + 1;
    this.promReceived?.inc({ verb: name });
  }

  sent(verb: number): void {
    const name = verbName(verb);
    this.counts.sent[name] = (this.counts.sent[name] ?? 0) + 1;
    this.promSent?.inc({ verb: name });
  }

  dropped(reason: DropReason): void {
    this.counts.dropped[reason] = (this.counts.dropped[reason] ?? 0) + 1;
    this.promDropped?.inc({ reason });
  }

  relayed(): void {
    this.counts.relayed++;
    this.promRelayed?.inc();
  }

  validation(result: ValidationResult): void {
    this.counts.identityValidations[result]++;
    this.promValidations?.inc({ result });
  }

  sendError(): void {
    this.counts.sendErrors++;
    this.promSendErrors?.inc();
  }

  /** A copy: callers may keep it to compare with a later one. */
  snapshot(): NodeStats {
    return {
      received: { ...this.counts.received },
      sent: { ...this.counts.sent },
      dropped: { ...this.counts.dropped },
      relayed: this.counts.relayed,
      identityValidations: { ...this.counts.identityValidations },
      sendErrors: this.counts.sendErrors,
      peers: this.peerCount(),
    };
  }
}
