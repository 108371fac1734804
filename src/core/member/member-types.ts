// A network member as Routeplane keeps it; names follow the ZeroTier One 1.14 controller JSON.

export interface MemberRecord {
  networkId: string;
  /** 10 lower-case hex digits. */
  address: string;
  /** Absent in the stock JSON until someone sets it. */
  name?: string;
  authorized: boolean;
  activeBridge: boolean;
  noAutoAssignIps: boolean;
  ssoExempt: boolean;
  /** Canonical IP strings (no prefix length), in assignment order. */
  ipAssignments: string[];
  /** `[[tagId, value], …]` */
  tags: [number, number][];
  capabilities: number[];
  creationTime: number;
  revision: number;
  lastAuthorizedTime: number;
  lastDeauthorizedTime: number;
  lastAuthorizedCredentialType: string | null;
  lastAuthorizedCredential: string | null;
  authenticationExpiryTime: number;
  vMajor: number;
  vMinor: number;
  vRev: number;
  vProto: number;
  remoteTraceTarget: string | null;
  remoteTraceLevel: number;
  /** `addr:0:pub`, learned from the member's first config request; absent until then. */
  identity?: string;
  /** ms since epoch of the last config request or HELLO seen from the member (protocol layer). */
  lastSeen?: number;
  /** `ip/port` the member was last seen from. */
  physicalAddress?: string;
  /** The client's platform from its config requests (`o`, e.g. `linux/x86_64`); decides route encoding. */
  osArch?: string;
}
