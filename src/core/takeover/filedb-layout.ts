// Where a zerotier-one 1.14 controller keeps its data (controller/FileDB.cpp): one JSON file per
// object, `controller.d/network/<nwid>.json` and `controller.d/network/<nwid>/member/<addr>.json`,
// names in lower-case hex. Names only; reading and writing the files is the CLI's job.

/** The controller's folder inside a zerotier-one home. */
export const CONTROLLER_DIR = 'controller.d';
/** Inside CONTROLLER_DIR: network files, and one folder per network holding its members. */
export const NETWORKS_DIR = 'network';
/** Inside a network's folder. */
export const MEMBERS_DIR = 'member';

const NETWORK_FILE_RE = /^([0-9a-fA-F]{16})\.json$/;
const NETWORK_DIR_RE = /^[0-9a-fA-F]{16}$/;
const MEMBER_FILE_RE = /^([0-9a-fA-F]{10})\.json$/;

export function networkFileName(networkId: string): string {
  return `${networkId}.json`;
}

export function memberFileName(address: string): string {
  return `${address}.json`;
}

/** The network ID a `<16 hex>.json` file name stands for (lower case), or undefined. */
export function networkIdOfFileName(name: string): string | undefined {
  return NETWORK_FILE_RE.exec(name)?.[1]?.toLowerCase();
}

/** The network ID a `<16 hex>` folder name stands for (lower case), or undefined. */
export function networkIdOfDirName(name: string): string | undefined {
  return NETWORK_DIR_RE.test(name) ? name.toLowerCase() : undefined;
}

/** The member address a `<10 hex>.json` file name stands for (lower case), or undefined. */
export function memberAddressOfFileName(name: string): string | undefined {
  return MEMBER_FILE_RE.exec(name)?.[1]?.toLowerCase();
}
