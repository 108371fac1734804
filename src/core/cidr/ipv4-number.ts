// Strict dotted-quad parsing straight to a number, for hot loops over many member IPs (bigint
// parsing costs ~1 µs an address). Same rules as parseIp: four decimal octets 0..255, no leading
// zeros, nothing else.

const DOT = 46;
const ZERO = 48;
const NINE = 57;

export function parseIpv4Number(text: string): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= ZERO && c <= NINE) {
      if (digits > 0 && octet === 0) return undefined; // leading zero
      octet = octet * 10 + (c - ZERO);
      if (octet > 255) return undefined;
      digits++;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || dots !== 3) return undefined;
  return value * 256 + octet;
}
