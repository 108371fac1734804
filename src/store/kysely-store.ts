// The Store implemented once over Kysely, for every backend: the queries are dialect-neutral and a
// backend contributes only its Kysely instance, how to read its driver's constraint errors, and how to
// close. src/store/sqlite and src/store/postgres each wrap this.
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type ControlledTransaction, type Insertable, type Kysely } from 'kysely';
import { ErrorCodes, RpError, notFound } from '../core/errors.ts';
import type { MemberRecord } from '../core/member/member-types.ts';
import type { ManagedRoute, NetworkRecord } from '../core/network/network-types.ts';
import { DEFAULT_MAX_BATCH, GroupCommit, type BatchDriver, type GroupCommitStats } from './group-commit.ts';
import { QueryTemplates } from './query-templates.ts';
import {
  advertisementFromRow,
  advertisementToRow,
  apiTokenFromRow,
  apiTokenToRow,
  eventFromRow,
  eventToRow,
  ipamSubnetFromRow,
  ipamSubnetToRow,
  managedRouteFromRow,
  manualRoutesToRows,
  MEMBER_COLUMNS,
  memberFromRow,
  memberRouteFactsFromRow,
  memberToRow,
  networkFromRow,
  networkToRow,
  routesToRows,
  storedRouteFromRow,
  toNumber,
} from './record-mapping.ts';
import type { AdvertisedRouteTable, RouteTable, StoreDatabase } from './schema.ts';
import type {
  EventQuery,
  ForeignChangeHandler,
  MemberCounts,
  MemberRouteFacts,
  NewEvent,
  PresenceRecord,
  RouteSource,
  SourcedRoute,
  Store,
  StoredAdvertisement,
  StoredApiToken,
  StoredEvent,
  StoredIpamSubnet,
  StoredRoute,
  StoreReader,
  StoreTransaction,
} from './store.ts';

/** The constraint failures the store turns into RpErrors; anything else propagates as is. */
export type ConstraintViolation = 'unique' | 'foreign-key';

export interface KyselyBackend {
  readonly kind: Store['kind'];
  readonly db: Kysely<StoreDatabase>;
  classifyError(error: unknown): ConstraintViolation | undefined;
  /** Waits for running transactions, then releases the database. Called once. */
  close(): Promise<void>;
  /** At most this many store transactions share one database transaction (default 64). */
  readonly maxBatch?: number;
  /**
   * Runs right after each database BEGIN, before any caller's work (PostgreSQL: the write lock, then
   * catching up with other processes' changes). A throw fails the batch before anything ran.
   */
  afterBegin?(trx: Kysely<StoreDatabase>): Promise<void>;
  /** Records a change announcement inside the transaction; absent: announcements are dropped. */
  announce?(trx: Kysely<StoreDatabase>, payload: string): Promise<void>;
  /** Where other processes' changes are reported; absent on single-process backends. */
  onForeignChanges?(handler: ForeignChangeHandler): void;
}

export function createKyselyStore(backend: KyselyBackend): Store {
  const store = new KyselyStore(backend);
  backends.set(store, backend);
  return store;
}

const backends = new WeakMap<Store, KyselyBackend>();

/**
 * The tables under a store, for whole-database copies between backends (store-copy.ts) and nothing
 * else: everything else goes through the Store interface.
 */
export function tablesOf(store: Store): Kysely<StoreDatabase> {
  const backend = backends.get(store);
  if (backend === undefined) throw new Error('not a Kysely store');
  return backend.db;
}

function ipConflict(ip: string, holder: string, networkId: string): RpError {
  return new RpError(
    ErrorCodes.CONFLICT,
    `${ip} is already assigned to member ${holder} in network ${networkId}`,
  );
}

function misuse(message: string): RpError {
  return new RpError(ErrorCodes.INTERNAL, message);
}

function prefixConflict(prefix: string, holder: string | undefined): RpError {
  return new RpError(
    ErrorCodes.CONFLICT,
    holder === undefined
      ? `IPAM prefix ${prefix} is already used by another subnet`
      : `IPAM prefix ${prefix} is already used by subnet ${holder}`,
  );
}

function tokenHashConflict(holder: string | undefined): RpError {
  return new RpError(
    ErrorCodes.CONFLICT,
    holder === undefined
      ? 'another API token has the same secret'
      : `API token ${holder} has the same secret`,
  );
}

/**
 * Plain code-unit order, the same on every backend: PostgreSQL's locale collations order text with
 * punctuation (`.`, `:`, `/` in prefixes) differently from SQLite's binary one.
 */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Most values one `in (…)` list carries: far below SQLite's (32,766) and PostgreSQL's (65,535) limits. */
const IN_LIST_CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += IN_LIST_CHUNK)
    result.push(values.slice(start, start + IN_LIST_CHUNK));
  return result;
}

class Reads implements StoreReader {
  constructor(
    protected readonly db: Kysely<StoreDatabase>,
    /** Throws when this handle may not be used right now (closed store, finished transaction …). */
    protected readonly guard: () => void,
    /** The store's precompiled hot queries, shared by the store and its transactions. */
    protected readonly templates: QueryTemplates,
  ) {}

  async getSetting(key: string): Promise<string | undefined> {
    this.guard();
    const row = await this.db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async listNetworkIds(): Promise<string[]> {
    this.guard();
    const rows = await this.db.selectFrom('network').select('id').orderBy('id').execute();
    return rows.map((row) => row.id);
  }

  async getNetwork(id: string): Promise<NetworkRecord | undefined> {
    this.guard();
    const { rows } = await this.templates.execute(this.db, 'getNetwork', [id], (p) =>
      this.db.selectFrom('network').selectAll().where('id', '=', p!),
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    const routes = await this.templates.execute(this.db, 'getNetwork.routes', [id], (p) =>
      this.db
        .selectFrom('route')
        .select(['target', 'via'])
        .where('network_id', '=', p!)
        .where('source', '=', 'manual')
        .orderBy('position'),
    );
    return networkFromRow(row, routes.rows.map(managedRouteFromRow));
  }

  async listNetworks(): Promise<NetworkRecord[]> {
    this.guard();
    // Two queries for any number of networks, not one per network.
    const rows = await this.db.selectFrom('network').selectAll().orderBy('id').execute();
    const routeRows = await this.db
      .selectFrom('route')
      .select(['network_id', 'target', 'via'])
      .where('source', '=', 'manual')
      .orderBy('network_id')
      .orderBy('position')
      .execute();
    const routes = new Map<string, ManagedRoute[]>();
    for (const route of routeRows) {
      let list = routes.get(route.network_id);
      if (list === undefined) routes.set(route.network_id, (list = []));
      list.push(managedRouteFromRow(route));
    }
    return rows.map((row) => networkFromRow(row, routes.get(row.id) ?? []));
  }

  async listRoutes(networkId: string, source?: RouteSource): Promise<StoredRoute[]> {
    this.guard();
    let query = this.db.selectFrom('route').selectAll().where('network_id', '=', networkId);
    if (source !== undefined) query = query.where('source', '=', source);
    const rows = await query.orderBy('source').orderBy('position').execute();
    return rows.map(storedRouteFromRow);
  }

  async getMember(networkId: string, address: string): Promise<MemberRecord | undefined> {
    this.guard();
    const { rows } = await this.templates.execute(this.db, 'getMember', [networkId, address], (n, a) =>
      this.db
        .selectFrom('member')
        .select(MEMBER_COLUMNS)
        .where('network_id', '=', n!)
        .where('address', '=', a!),
    );
    const row = rows[0];
    return row === undefined ? undefined : memberFromRow(networkId, row);
  }

  async listMembers(networkId: string): Promise<MemberRecord[]> {
    this.guard();
    const rows = await this.db
      .selectFrom('member')
      .select(MEMBER_COLUMNS)
      .where('network_id', '=', networkId)
      .orderBy('address')
      .execute();
    return rows.map((row) => memberFromRow(networkId, row));
  }

  async listMembersPage(
    networkId: string,
    afterAddress: string | undefined,
    limit: number,
  ): Promise<MemberRecord[]> {
    this.guard();
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw misuse(`page limit ${limit} must be a positive integer`);
    let query = this.db.selectFrom('member').select(MEMBER_COLUMNS).where('network_id', '=', networkId);
    if (afterAddress !== undefined) query = query.where('address', '>', afterAddress);
    const rows = await query.orderBy('address').limit(limit).execute();
    return rows.map((row) => memberFromRow(networkId, row));
  }

  async listMemberRevisions(networkId: string): Promise<Array<[string, number]>> {
    this.guard();
    const rows = await this.db
      .selectFrom('member')
      .select(['address', 'revision'])
      .where('network_id', '=', networkId)
      .orderBy('address')
      .execute();
    return rows.map((row) => [row.address, toNumber(row.revision)]);
  }

  async listMemberRouteFacts(networkId: string): Promise<MemberRouteFacts[]> {
    this.guard();
    // The route planner reads every member of a network: a template (no Kysely compile) reading
    // three columns, so no member document is parsed.
    const { rows } = await this.templates.execute(this.db, 'listMemberRouteFacts', [networkId], (n) =>
      this.db
        .selectFrom('member')
        .select(['address', 'authorized', 'ip_assignments'])
        .where('network_id', '=', n!)
        .orderBy('address'),
    );
    return rows.map(memberRouteFactsFromRow);
  }

  async countMembers(networkId: string): Promise<MemberCounts> {
    this.guard();
    const row = await this.db
      .selectFrom('member')
      .select((eb) => [
        eb.fn.countAll<number | string | bigint>().as('total'),
        eb.fn.coalesce(eb.fn.sum<number | string | bigint>('authorized'), eb.lit(0)).as('authorized'),
      ])
      .where('network_id', '=', networkId)
      .executeTakeFirstOrThrow();
    return { total: toNumber(row.total), authorized: toNumber(row.authorized) };
  }

  async findIpOwner(networkId: string, ip: string): Promise<string | undefined> {
    this.guard();
    const { rows } = await this.templates.execute(this.db, 'findIpOwner', [networkId, ip], (n, i) =>
      this.db.selectFrom('member_ip').select('address').where('network_id', '=', n!).where('ip', '=', i!),
    );
    return rows[0]?.address;
  }

  async getKnownIdentity(address: string): Promise<string | undefined> {
    this.guard();
    const row = await this.db
      .selectFrom('known_identity')
      .select('identity')
      .where('address', '=', address)
      .executeTakeFirst();
    return row?.identity;
  }

  async listRecentlySeen(since: number): Promise<PresenceRecord[]> {
    this.guard();
    const rows = await this.db
      .selectFrom('member')
      .select(['network_id', 'address', 'last_seen', 'physical_address'])
      .where('last_seen', '>=', since)
      .where('physical_address', 'is not', null)
      .orderBy('last_seen', 'desc')
      .orderBy('network_id')
      .orderBy('address')
      .execute();
    return rows.map((row) => ({
      networkId: row.network_id,
      address: row.address,
      lastSeen: toNumber(row.last_seen!),
      physicalAddress: row.physical_address!,
    }));
  }

  async listActiveBridges(networkId: string): Promise<string[]> {
    this.guard();
    const rows = await this.db
      .selectFrom('member')
      .select('address')
      .where('network_id', '=', networkId)
      .where('active_bridge', '=', 1)
      .execute();
    // Sorted here: ORDER BY in SQL makes SQLite walk every member of the network by primary key
    // instead of using the (network_id, active_bridge) index.
    return rows.map((row) => row.address).sort();
  }

  async listEvents(query: EventQuery): Promise<StoredEvent[]> {
    this.guard();
    let select = this.db.selectFrom('event').selectAll();
    if (query.networkId !== undefined) select = select.where('network_id', '=', query.networkId);
    if (query.memberAddress !== undefined) select = select.where('member_address', '=', query.memberAddress);
    const prefix = query.typePrefix;
    if (prefix !== undefined && prefix !== '') {
      // An exact prefix test on both databases: LIKE is case-insensitive in SQLite and needs
      // escaping, and a range (>= p and < p + max) breaks under PostgreSQL's locale collations.
      // substr counts characters (code points) on both, so pass the length in code points.
      const length = [...prefix].length;
      select = select.where((eb) =>
        eb(eb.fn<string>('substr', ['type', eb.val(1), eb.val(length)]), '=', prefix),
      );
    }
    if (query.afterId !== undefined) select = select.where('id', '>', query.afterId);
    if (query.beforeId !== undefined) select = select.where('id', '<', query.beforeId);
    select = select.orderBy('id', query.order === 'desc' ? 'desc' : 'asc');
    if (query.limit !== undefined) select = select.limit(query.limit);
    const rows = await select.execute();
    return rows.map(eventFromRow);
  }

  async listIpamSubnets(): Promise<StoredIpamSubnet[]> {
    this.guard();
    const rows = await this.db.selectFrom('ipam_subnet').selectAll().orderBy('id').execute();
    return rows.map(ipamSubnetFromRow);
  }

  async listAdvertisements(networkId: string): Promise<StoredAdvertisement[]> {
    this.guard();
    const rows = await this.db
      .selectFrom('advertised_route')
      .selectAll()
      .where('network_id', '=', networkId)
      .execute();
    // Sorted here, not by the database collation (see compareText).
    return rows
      .map(advertisementFromRow)
      .sort((a, b) => compareText(a.prefix, b.prefix) || compareText(a.member, b.member));
  }

  async listAllAdvertisedNetworkIds(): Promise<string[]> {
    this.guard();
    const rows = await this.db.selectFrom('advertised_route').select('network_id').distinct().execute();
    return rows.map((row) => row.network_id).sort(compareText);
  }

  async listApiTokens(): Promise<StoredApiToken[]> {
    this.guard();
    const rows = await this.db.selectFrom('api_token').selectAll().execute();
    return rows.map(apiTokenFromRow).sort((a, b) => a.createdAt - b.createdAt || compareText(a.id, b.id));
  }

  async getApiTokenByHash(tokenHash: string): Promise<StoredApiToken | undefined> {
    this.guard();
    // Every authenticated API request asks this: a template over the unique key's index.
    const { rows } = await this.templates.execute(this.db, 'getApiTokenByHash', [tokenHash], (h) =>
      this.db.selectFrom('api_token').selectAll().where('token_hash', '=', h!),
    );
    const row = rows[0];
    return row === undefined ? undefined : apiTokenFromRow(row);
  }
}

class Writes extends Reads implements StoreTransaction {
  constructor(
    db: Kysely<StoreDatabase>,
    guard: () => void,
    templates: QueryTemplates,
    private readonly classifyError: KyselyBackend['classifyError'],
    private readonly announcer: KyselyBackend['announce'],
  ) {
    super(db, guard, templates);
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.guard();
    await this.db
      .insertInto('setting')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }

  async claimSetting(key: string, value: string): Promise<string> {
    this.guard();
    await this.db
      .insertInto('setting')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const row = await this.db.selectFrom('setting').select('value').where('key', '=', key).executeTakeFirst();
    if (row === undefined) throw new Error(`claimSetting: ${key} vanished`);
    return row.value;
  }

  async announce(payload: string): Promise<void> {
    this.guard();
    await this.announcer?.(this.db, payload);
  }

  async putNetwork(network: NetworkRecord): Promise<void> {
    this.guard();
    const row = networkToRow(network);
    // An upsert, never delete + insert: deleting the row would cascade to members and routes.
    await this.db
      .insertInto('network')
      .values(row)
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({ revision: row.revision, creation_time: row.creation_time, doc: row.doc }),
      )
      .execute();
    await this.replaceRoutes(network.id, 'manual', manualRoutesToRows(network.id, network.routes));
  }

  async putRoutes(networkId: string, source: RouteSource, routes: SourcedRoute[]): Promise<void> {
    this.guard();
    const exists = await this.db
      .selectFrom('network')
      .select('id')
      .where('id', '=', networkId)
      .executeTakeFirst();
    if (exists === undefined) throw notFound(`network ${networkId}`);
    await this.replaceRoutes(networkId, source, routesToRows(networkId, source, routes));
  }

  /** Only rows of `source` are deleted: one writer never touches another's routes. */
  private async replaceRoutes(
    networkId: string,
    source: RouteSource,
    rows: Array<Insertable<RouteTable>>,
  ): Promise<void> {
    await this.db
      .deleteFrom('route')
      .where('network_id', '=', networkId)
      .where('source', '=', source)
      .execute();
    if (rows.length > 0) await this.db.insertInto('route').values(rows).execute();
  }

  async deleteNetwork(id: string): Promise<boolean> {
    this.guard();
    // Children first, set-based: faster than per-row cascades and independent of them.
    await this.db.deleteFrom('advertised_route').where('network_id', '=', id).execute();
    await this.db.deleteFrom('member_ip').where('network_id', '=', id).execute();
    await this.db.deleteFrom('member').where('network_id', '=', id).execute();
    await this.db.deleteFrom('route').where('network_id', '=', id).execute();
    const result = await this.db.deleteFrom('network').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async putMember(member: MemberRecord): Promise<void> {
    this.guard();
    const { networkId, address } = member;
    // ipAssignments is kept verbatim; the uniqueness rows hold each IP once.
    const wanted = [...new Set(member.ipAssignments)];

    // Checking first gives a precise message and leaves no failed statement behind (PostgreSQL
    // would abort the whole transaction on one); the primary key of member_ip stays the backstop.
    const { rows: heldRows } = await this.templates.execute(
      this.db,
      'putMember.held',
      [networkId, address],
      (n, a) =>
        this.db.selectFrom('member_ip').select('ip').where('network_id', '=', n!).where('address', '=', a!),
    );
    const held = new Set(heldRows.map((row) => row.ip));
    const added = wanted.filter((ip) => !held.has(ip));
    if (added.length > 0) {
      const taken = await this.db
        .selectFrom('member_ip')
        .select(['ip', 'address'])
        .where('network_id', '=', networkId)
        .where('ip', 'in', added)
        .execute();
      // Report the first IP in assignment order, whatever order the rows came in.
      const holders = new Map(taken.map((row) => [row.ip, row.address]));
      for (const ip of added) {
        const holder = holders.get(ip);
        if (holder !== undefined) throw ipConflict(ip, holder, networkId);
      }
    }

    const row = memberToRow(member);
    try {
      await this.templates.execute(
        this.db,
        'putMember.upsert',
        [
          row.network_id,
          row.address,
          row.revision,
          row.authorized,
          row.active_bridge ?? 0,
          row.creation_time,
          row.ip_assignments,
          row.doc,
        ],
        (
          networkIdValue,
          addressValue,
          revision,
          authorized,
          activeBridge,
          creationTime,
          ipAssignments,
          doc,
        ) => {
          // Placeholders stand for the values; the column types are the row's.
          const values = {
            network_id: networkIdValue!,
            address: addressValue!,
            revision: revision as unknown as number,
            authorized: authorized as unknown as number,
            active_bridge: activeBridge as unknown as number,
            creation_time: creationTime as unknown as number,
            ip_assignments: ipAssignments!,
            doc: doc!,
          };
          return this.db
            .insertInto('member')
            .values(values)
            .onConflict((oc) =>
              oc.columns(['network_id', 'address']).doUpdateSet({
                revision: values.revision,
                authorized: values.authorized,
                active_bridge: values.active_bridge,
                creation_time: values.creation_time,
                ip_assignments: values.ip_assignments,
                doc: values.doc,
              }),
            );
        },
      );
    } catch (error) {
      if (this.classifyError(error) === 'foreign-key') throw notFound(`network ${networkId}`);
      throw error;
    }

    // Touch member_ip only for IPs that changed: the common write (lastSeen, revision) leaves it alone.
    const keep = new Set(wanted);
    const removed = [...held].filter((ip) => !keep.has(ip));
    if (removed.length > 0) {
      await this.db
        .deleteFrom('member_ip')
        .where('network_id', '=', networkId)
        .where('ip', 'in', removed)
        .execute();
    }
    if (added.length > 0) {
      try {
        await this.db
          .insertInto('member_ip')
          .values(added.map((ip) => ({ network_id: networkId, ip, address })))
          .execute();
      } catch (error) {
        // Only reachable when a concurrent transaction (PostgreSQL) took the IP after our check.
        if (this.classifyError(error) === 'unique') {
          throw new RpError(
            ErrorCodes.CONFLICT,
            `an IP of member ${address} (${added.join(', ')}) is already assigned to another member in network ${networkId}`,
          );
        }
        throw error;
      }
    }
  }

  async deleteMember(networkId: string, address: string): Promise<boolean> {
    this.guard();
    // Its advertisements go with it (no foreign key to member: see 0004); API tokens stay.
    await this.db
      .deleteFrom('advertised_route')
      .where('network_id', '=', networkId)
      .where('member_address', '=', address)
      .execute();
    await this.db
      .deleteFrom('member_ip')
      .where('network_id', '=', networkId)
      .where('address', '=', address)
      .execute();
    const result = await this.db
      .deleteFrom('member')
      .where('network_id', '=', networkId)
      .where('address', '=', address)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async recordPresence(entries: readonly PresenceRecord[]): Promise<void> {
    this.guard();
    // One statement per chunk, not one per member: on PostgreSQL each statement is a round trip, and
    // a flush may carry every online member. VALUES columns are column1… on both databases.
    const latest = new Map<string, PresenceRecord>();
    for (const entry of entries) latest.set(`${entry.networkId}/${entry.address}`, entry);
    for (const chunk of chunks([...latest.values()])) {
      const rows = sql.join(
        chunk.map((e) => sql`(${e.networkId}, ${e.address}, ${e.lastSeen}, ${e.physicalAddress})`),
      );
      await sql`
        update member
        set last_seen = cast(v.column3 as bigint), physical_address = cast(v.column4 as text)
        from (values ${rows}) as v
        where member.network_id = v.column1 and member.address = v.column2`.execute(this.db);
    }
  }

  async rememberIdentity(address: string, identity: string, time: number): Promise<void> {
    this.guard();
    await this.db
      .insertInto('known_identity')
      .values({ address, identity, validated_at: time })
      .onConflict((oc) => oc.column('address').doNothing())
      .execute();
  }

  async putIpamSubnets(subnets: readonly StoredIpamSubnet[]): Promise<void> {
    this.guard();
    if (subnets.length === 0) return;
    // Check first, as putMember does: a precise message, and no failed statement left behind
    // (PostgreSQL would abort the whole transaction on one). Entries apply in order, so replay them
    // over the current holders of every prefix and id involved; the unique key stays the backstop.
    const prefixes = [...new Set(subnets.map((subnet) => subnet.prefix))];
    const ids = [...new Set(subnets.map((subnet) => subnet.id))];
    const holderOf = new Map<string, string>(); // prefix -> id
    const prefixOf = new Map<string, string>(); // id -> prefix
    const remember = (rows: ReadonlyArray<{ id: string; prefix: string }>) => {
      for (const row of rows) {
        holderOf.set(row.prefix, row.id);
        prefixOf.set(row.id, row.prefix);
      }
    };
    for (const chunk of chunks(prefixes))
      remember(
        await this.db
          .selectFrom('ipam_subnet')
          .select(['id', 'prefix'])
          .where('prefix', 'in', chunk)
          .execute(),
      );
    for (const chunk of chunks(ids))
      remember(
        await this.db.selectFrom('ipam_subnet').select(['id', 'prefix']).where('id', 'in', chunk).execute(),
      );
    for (const subnet of subnets) {
      const holder = holderOf.get(subnet.prefix);
      if (holder !== undefined && holder !== subnet.id) throw prefixConflict(subnet.prefix, holder);
      const previous = prefixOf.get(subnet.id);
      if (previous !== undefined && holderOf.get(previous) === subnet.id) holderOf.delete(previous);
      holderOf.set(subnet.prefix, subnet.id);
      prefixOf.set(subnet.id, subnet.prefix);
    }

    for (const subnet of subnets) {
      const row = ipamSubnetToRow(subnet);
      try {
        await this.templates.execute(
          this.db,
          'putIpamSubnets.upsert',
          [row.id, row.prefix, row.name, row.parent_id, row.created_at, row.updated_at],
          (id, prefix, name, parentId, createdAt, updatedAt) => {
            // Placeholders stand for the values; the column types are the row's.
            const values = {
              id: id!,
              prefix: prefix!,
              name: name!,
              parent_id: parentId!,
              created_at: createdAt as unknown as number,
              updated_at: updatedAt as unknown as number,
            };
            return this.db
              .insertInto('ipam_subnet')
              .values(values)
              .onConflict((oc) =>
                oc.column('id').doUpdateSet({
                  prefix: values.prefix,
                  name: values.name,
                  parent_id: values.parent_id,
                  created_at: values.created_at,
                  updated_at: values.updated_at,
                }),
              );
          },
        );
      } catch (error) {
        // Only reachable when a concurrent transaction (PostgreSQL) took the prefix after our check.
        if (this.classifyError(error) === 'unique') throw prefixConflict(subnet.prefix, undefined);
        throw error;
      }
    }
  }

  async deleteIpamSubnets(ids: readonly string[]): Promise<number> {
    this.guard();
    let deleted = 0;
    for (const chunk of chunks([...new Set(ids)])) {
      const result = await this.db.deleteFrom('ipam_subnet').where('id', 'in', chunk).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return deleted;
  }

  async putAdvertisements(rows: readonly StoredAdvertisement[]): Promise<void> {
    this.guard();
    if (rows.length === 0) return;
    // Check first, as putRoutes does: a precise message and no failed statement left behind; the
    // foreign key to network stays the backstop.
    const networkIds = [...new Set(rows.map((row) => row.networkId))];
    const existing = new Set<string>();
    for (const chunk of chunks(networkIds)) {
      const found = await this.db.selectFrom('network').select('id').where('id', 'in', chunk).execute();
      for (const row of found) existing.add(row.id);
    }
    const missing = networkIds.find((id) => !existing.has(id));
    if (missing !== undefined) throw notFound(`network ${missing}`);

    // The last entry per key wins: PostgreSQL refuses one upsert statement touching a row twice.
    const byKey = new Map<string, Insertable<AdvertisedRouteTable>>();
    for (const row of rows)
      byKey.set(JSON.stringify([row.networkId, row.member, row.prefix]), advertisementToRow(row));
    for (const chunk of chunks([...byKey.values()])) {
      try {
        await this.db
          .insertInto('advertised_route')
          .values(chunk)
          .onConflict((oc) =>
            oc.columns(['network_id', 'member_address', 'prefix']).doUpdateSet((eb) => ({
              metric: eb.ref('excluded.metric'),
              advertised: eb.ref('excluded.advertised'),
              approved: eb.ref('excluded.approved'),
              approved_by: eb.ref('excluded.approved_by'),
              slot: eb.ref('excluded.slot'),
              advertised_at: eb.ref('excluded.advertised_at'),
              approved_at: eb.ref('excluded.approved_at'),
              updated_at: eb.ref('excluded.updated_at'),
              is_primary: eb.ref('excluded.is_primary'),
              health: eb.ref('excluded.health'),
              health_since: eb.ref('excluded.health_since'),
            })),
          )
          .execute();
      } catch (error) {
        // Only reachable when a concurrent transaction (PostgreSQL) deleted the network after our check.
        if (this.classifyError(error) === 'foreign-key') throw notFound(`network ${chunk[0]!.network_id}`);
        throw error;
      }
    }
  }

  async deleteAdvertisements(
    networkId: string,
    member: string,
    prefixes?: readonly string[],
  ): Promise<number> {
    this.guard();
    const ofMember = () =>
      this.db
        .deleteFrom('advertised_route')
        .where('network_id', '=', networkId)
        .where('member_address', '=', member);
    if (prefixes === undefined) return Number((await ofMember().executeTakeFirst()).numDeletedRows);
    let deleted = 0;
    for (const chunk of chunks([...new Set(prefixes)])) {
      const result = await ofMember().where('prefix', 'in', chunk).executeTakeFirst();
      deleted += Number(result.numDeletedRows);
    }
    return deleted;
  }

  async putApiToken(token: StoredApiToken): Promise<void> {
    this.guard();
    // Check first, as putMember does; the unique key stays the backstop.
    const holder = await this.db
      .selectFrom('api_token')
      .select('id')
      .where('token_hash', '=', token.tokenHash)
      .executeTakeFirst();
    if (holder !== undefined && holder.id !== token.id) throw tokenHashConflict(holder.id);
    const row = apiTokenToRow(token);
    try {
      await this.db
        .insertInto('api_token')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            name: row.name,
            token_hash: row.token_hash,
            network_id: row.network_id,
            member_address: row.member_address,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
          }),
        )
        .execute();
    } catch (error) {
      // Only reachable when a concurrent transaction (PostgreSQL) took the hash after our check.
      if (this.classifyError(error) === 'unique') throw tokenHashConflict(undefined);
      throw error;
    }
  }

  async deleteApiToken(id: string): Promise<boolean> {
    this.guard();
    const result = await this.db.deleteFrom('api_token').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async touchApiToken(id: string, lastUsedAt: number): Promise<void> {
    this.guard();
    await this.templates.execute(this.db, 'touchApiToken', [lastUsedAt, id], (time, tokenId) =>
      this.db
        .updateTable('api_token')
        .set({ last_used_at: time as unknown as number })
        .where('id', '=', tokenId!),
    );
  }

  async appendEvent(event: NewEvent): Promise<number> {
    this.guard();
    const row = eventToRow(event);
    const { rows } = await this.templates.execute(
      this.db,
      'appendEvent',
      [row.time, row.network_id, row.member_address, row.type, row.actor, row.reason, row.data],
      (time, networkId, memberAddress, type, actor, reason, data) =>
        this.db
          .insertInto('event')
          .values({
            time: time as unknown as number,
            network_id: networkId!,
            member_address: memberAddress!,
            type: type!,
            actor: actor!,
            reason: reason!,
            data: data!,
          })
          .returning('id'),
    );
    const inserted = rows[0];
    if (inserted === undefined) throw new Error('appendEvent: the insert returned no id');
    return toNumber(inserted.id);
  }
}

interface TransactionScope {
  open: boolean;
}

interface StoreState {
  closing: Promise<void> | undefined;
  /** Per store, so two stores (e.g. a copy during backup) do not see each other's transactions. */
  readonly scope: AsyncLocalStorage<TransactionScope>;
}

/** One name serves every caller of a batch: each savepoint is released or rolled back before the next. */
const BATCH_SAVEPOINT = 'routeplane_call';

type BatchTransaction = ControlledTransaction<StoreDatabase>;
type InSavepoint = ControlledTransaction<StoreDatabase, [typeof BATCH_SAVEPOINT]>;

/** Group commit over Kysely's controlled transactions, the same on every dialect. */
function kyselyBatchDriver(
  db: Kysely<StoreDatabase>,
  afterBegin: KyselyBackend['afterBegin'],
): BatchDriver<BatchTransaction> {
  return {
    async begin() {
      const trx = await db.startTransaction().execute();
      if (afterBegin !== undefined) {
        try {
          await afterBegin(trx);
        } catch (error) {
          await trx
            .rollback()
            .execute()
            .catch(() => undefined);
          throw error;
        }
      }
      return trx;
    },
    commit: (trx) => trx.commit().execute(),
    rollback: (trx) => trx.rollback().execute(),
    async savepoint(trx) {
      await trx.savepoint(BATCH_SAVEPOINT).execute();
    },
    async rollbackToSavepoint(trx) {
      // ROLLBACK TO keeps the savepoint open (SQLite and PostgreSQL alike); RELEASE removes it.
      const inside = trx as unknown as InSavepoint;
      await (
        await inside.rollbackToSavepoint(BATCH_SAVEPOINT).execute()
      )
        .releaseSavepoint(BATCH_SAVEPOINT)
        .execute();
    },
    async releaseSavepoint(trx) {
      await (trx as unknown as InSavepoint).releaseSavepoint(BATCH_SAVEPOINT).execute();
    },
  };
}

class KyselyStore extends Reads implements Store {
  readonly kind: Store['kind'];
  private readonly state: StoreState;
  private readonly batches: GroupCommit<BatchTransaction>;

  constructor(private readonly backend: KyselyBackend) {
    const state: StoreState = { closing: undefined, scope: new AsyncLocalStorage() };
    const templates = new QueryTemplates();
    super(
      backend.db,
      () => {
        if (state.closing !== undefined) throw misuse(`the ${backend.kind} store is closed`);
        // On SQLite's single connection this would wait for the very transaction that waits for it.
        if (state.scope.getStore()?.open === true) {
          throw misuse(
            'the store was used inside its own transaction: use the transaction handle (tx) there',
          );
        }
      },
      templates,
    );
    this.kind = backend.kind;
    this.state = state;
    this.batches = new GroupCommit(
      kyselyBatchDriver(
        backend.db,
        backend.afterBegin && ((trx) => state.scope.exit(() => backend.afterBegin!(trx))),
      ),
      backend.maxBatch ?? DEFAULT_MAX_BATCH,
    );
  }

  /**
   * Calls that arrive while another transaction runs share its successor: one database transaction,
   * one SAVEPOINT per call, one COMMIT for all (see group-commit.ts). To each caller this is the same
   * contract as a transaction of its own: all of `fn`'s writes or none, answered after COMMIT.
   */
  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    this.guard();
    return this.batches.run(async (trx) => {
      const scope: TransactionScope = { open: true };
      const tx = new Writes(
        trx,
        () => {
          if (!scope.open) throw misuse('a transaction handle was used after its transaction ended');
        },
        this.templates,
        (error) => this.backend.classifyError(error),
        this.backend.announce && ((db, payload) => this.backend.announce!(db, payload)),
      );
      try {
        return await this.state.scope.run(scope, () => fn(tx));
      } finally {
        scope.open = false;
      }
    });
  }

  onForeignChanges(handler: ForeignChangeHandler): void {
    this.backend.onForeignChanges?.(handler);
  }

  /** How many database transactions carried how many calls (tests, metrics). */
  get groupCommitStats(): Readonly<GroupCommitStats> {
    return this.batches.stats;
  }

  close(): Promise<void> {
    // New calls are refused from here on; the ones already queued still run and commit.
    this.state.closing ??= this.batches.idle().then(() => this.backend.close());
    return this.state.closing;
  }
}
