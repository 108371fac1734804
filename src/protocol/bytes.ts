// Byte helpers shared by the protocol codecs: strict hex, constant-time comparison, concatenation.

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Decodes hex, throwing an Error that names `what` when the text is not hex or not `length` bytes
 * (Buffer.from(…, 'hex') silently stops at the first bad digit, which would hide corrupt input).
 */
export function fromHex(text: string, what: string, length?: number): Uint8Array {
  if (!HEX_RE.test(text)) throw new Error(`${what} is not valid hex`);
  const bytes = Uint8Array.from(Buffer.from(text, 'hex'));
  if (length !== undefined && bytes.length !== length) {
    throw new Error(`${what} must be ${length} bytes (${length * 2} hex digits), got ${bytes.length}`);
  }
  return bytes;
}

/** Equality whose running time depends only on the lengths, for MACs and secrets. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
