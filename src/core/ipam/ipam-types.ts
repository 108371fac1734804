// IPAM subnets as the store keeps them and the plans that change them. The core never writes: a
// plan lists the rows to upsert and delete, and the service applies it in one transaction.

export interface IpamSubnet {
  /** Chosen by the caller (the core takes no randomness); unique. */
  id: string;
  /** Canonical CIDR; unique across the whole IPAM (network routes name subnets by prefix). */
  prefix: string;
  name: string;
  /** Always the smallest other subnet containing `prefix`, or null for a root. */
  parentId: string | null;
  /** The network this subnet is bound to, when it is one's `ipamSubnet`. */
  networkId?: string | null;
}

export interface SubnetProposal {
  id: string;
  prefix: string;
  name: string;
  /**
   * Expected parent, by id or by prefix; null asks for a root. Left out, the parent is the smallest
   * subnet containing the prefix. Given, it is checked against that, never obeyed against it.
   */
  parent?: string | null;
  networkId?: string | null;
}

export interface SubnetPatch {
  name?: string;
  prefix?: string;
  parent?: string | null;
  networkId?: string | null;
}

/** What to write. Apply with `applyIpamPlan` or as upserts and deletes in one transaction. */
export interface IpamPlan {
  /** The subnet the request is about: as it will be stored, or as it was for a delete. */
  subnet: IpamSubnet;
  /** Other subnets whose parentId changes, in their new form, in canonical prefix order. */
  reparented: IpamSubnet[];
  /** Ids deleted (only from a delete): the subnet and, with `children: 'delete'`, its descendants. */
  removed: string[];
}
