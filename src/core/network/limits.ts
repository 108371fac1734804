// ZeroTier's hard limits (include/ZeroTierOne.h) and the controller's value ranges. A member would
// silently lose anything past these, so Routeplane rejects such writes instead.

/** Managed routes per network config (ZT_MAX_NETWORK_ROUTES). */
export const ZT_MAX_NETWORK_ROUTES = 128;
/** Rules in the network's base rule set (ZT_MAX_NETWORK_RULES). */
export const ZT_MAX_NETWORK_RULES = 1024;
/** Capabilities per network (ZT_MAX_NETWORK_CAPABILITIES). */
export const ZT_MAX_NETWORK_CAPABILITIES = 128;
/** Rules inside one capability (ZT_MAX_CAPABILITY_RULES). */
export const ZT_MAX_CAPABILITY_RULES = 64;
/** Tags per network (ZT_MAX_NETWORK_TAGS). */
export const ZT_MAX_NETWORK_TAGS = 128;
/** Addresses assigned to one member (ZT_MAX_ZT_ASSIGNED_ADDRESSES). */
export const ZT_MAX_ZT_ASSIGNED_ADDRESSES = 32;
/** DNS servers in a network config (ZT_MAX_DNS_SERVERS). */
export const ZT_MAX_DNS_SERVERS = 4;
/** The DNS search domain travels in a 128-byte NUL-terminated field. */
export const ZT_MAX_DNS_DOMAIN_BYTES = 127;
/** The network name travels in a 128-byte NUL-terminated field (ZT_MAX_NETWORK_SHORT_NAME_LENGTH). */
export const ZT_MAX_NETWORK_NAME_BYTES = 127;
/** Stock cap on any stored JSON array (ZT_CONTROLLER_MAX_ARRAY_SIZE); used for pools. */
export const ZT_CONTROLLER_MAX_ARRAY_SIZE = 16384;

export const ZT_MIN_MTU = 1280;
export const ZT_MAX_MTU = 10000;
export const ZT_DEFAULT_MTU = 2800;

/** COM time window (ctmd) bounds in ms: 5 min .. 2 h; the stock default is 30 min. */
export const CREDENTIAL_WINDOW_MIN_MS = 300_000;
export const CREDENTIAL_WINDOW_MAX_MS = 7_200_000;

export const UINT32_MAX = 0xffffffff;
