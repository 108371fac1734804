// Defaults shared by serve and the client commands.
export const DEFAULT_DATA_DIR = './routeplane-data';
export const DEFAULT_HOST = '127.0.0.1';
/** zerotier-one's local API port: the one existing tools expect. */
export const DEFAULT_PORT = 9993;
export const DEFAULT_UDP_PORT = 9993;

export function parsePort(value: string, name = 'port'): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535) {
    throw new Error(`--${name}: "${value}" is not a port number (0-65535)`);
  }
  return port;
}
