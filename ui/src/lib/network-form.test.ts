import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NetworkJson } from './api-types.ts';
import { bodyOf, changesOf, createBodyOf, emptyForm, formOf } from './network-form.ts';

const network: NetworkJson = {
  id: 'f8ea0e7924000001',
  name: 'lab',
  private: true,
  creationTime: 0,
  revision: 3,
  routes: [
    { target: '10.0.0.0/8', via: null },
    { target: '0.0.0.0/0', via: '10.0.0.1' },
  ],
  ipAssignmentPools: [{ ipRangeStart: '10.0.0.10', ipRangeEnd: '10.0.0.200' }],
  v4AssignMode: { zt: true },
  ipamSubnet: '10.0.0.0/8',
  routesFromIpam: false,
  ipamGateway: null,
  routeLimitStrategy: 'error',
  steering: 'primary',
  failbackAfter: 30000,
  autoApprovers: [{ prefix: '192.168.0.0/16', approvers: ['a1b2c3d4e5', 'tag:router'] }],
};
const manual = [{ target: '0.0.0.0/0', via: '10.0.0.1' }];

describe('network form', () => {
  it('reads a network into text fields and back without change', () => {
    const form = formOf(network, manual);
    assert.equal(form.pools, '10.0.0.10-10.0.0.200');
    assert.equal(form.routes, '0.0.0.0/0 via 10.0.0.1');
    assert.equal(form.autoApprovers, '192.168.0.0/16: a1b2c3d4e5, tag:router');
    assert.equal(form.failbackSeconds, '30');
    const { body, errors } = bodyOf(form);
    assert.deepEqual(errors, []);
    assert.deepEqual(body.routes, manual, 'only manual routes are written back');
    assert.deepEqual(body.autoApprovers, network.autoApprovers);
    assert.deepEqual(changesOf(form, form), { body: {}, changes: [], errors: [] });
  });

  it('sends only what changed, and lists it for the review', () => {
    const original = formOf(network, manual);
    const edited = { ...original, routesFromIpam: true, ipamGateway: '10.0.0.1', failbackSeconds: '5' };
    const { body, changes, errors } = changesOf(original, edited);
    assert.deepEqual(errors, []);
    assert.deepEqual(body, { routesFromIpam: true, ipamGateway: '10.0.0.1', failbackAfter: 5000 });
    assert.deepEqual(
      changes.map((c) => [c.label, c.before, c.after]),
      [
        ['Routes from IPAM', 'off', 'on'],
        ['IPAM gateway', '(none)', '10.0.0.1'],
        ['Failback after (s)', '30', '5'],
      ],
    );
  });

  it('accepts forgiving input: spaces, en dashes, "via" optional, comments and blank lines', () => {
    const form = {
      ...emptyForm(),
      pools: ' 10.1.0.1 – 10.1.0.9 \n\n# old: 10.2.0.1-10.2.0.9\n10.3.0.1 10.3.0.9',
      routes: '10.5.0.0/16\n192.168.1.0/24 10.1.0.1\n',
      autoApprovers: '10.9.0.0/16: alpha beta,gamma',
    };
    const { body, errors } = bodyOf(form);
    assert.deepEqual(errors, []);
    assert.deepEqual(body.ipAssignmentPools, [
      { ipRangeStart: '10.1.0.1', ipRangeEnd: '10.1.0.9' },
      { ipRangeStart: '10.3.0.1', ipRangeEnd: '10.3.0.9' },
    ]);
    assert.deepEqual(body.routes, [
      { target: '10.5.0.0/16', via: null },
      { target: '192.168.1.0/24', via: '10.1.0.1' },
    ]);
    assert.deepEqual(body.autoApprovers, [{ prefix: '10.9.0.0/16', approvers: ['alpha', 'beta', 'gamma'] }]);
  });

  it('names the field and the line it could not read', () => {
    const { errors } = bodyOf({
      ...emptyForm(),
      pools: '10.0.0.1',
      routes: 'not a route',
      autoApprovers: '10.0.0.0/8:',
      failbackSeconds: 'soon',
      ipamGateway: 'gw.example',
    });
    assert.deepEqual(
      errors.map((e) => e.field),
      ['failbackSeconds', 'ipamGateway', 'pools', 'routes', 'autoApprovers'],
    );
    assert.match(errors.find((e) => e.field === 'routes')!.message, /"not a route"/);
  });

  it('a create body holds only what was filled in', () => {
    assert.deepEqual(createBodyOf({ ...emptyForm(), name: ' lab ' }).body, { name: 'lab', private: true });
    assert.deepEqual(
      createBodyOf({ ...emptyForm(), name: 'x', pools: '10.0.0.1-10.0.0.9', ipamSubnet: '10.0.0.0/8' }).body,
      {
        name: 'x',
        private: true,
        ipAssignmentPools: [{ ipRangeStart: '10.0.0.1', ipRangeEnd: '10.0.0.9' }],
        v4AssignMode: { zt: true },
        ipamSubnet: '10.0.0.0/8',
      },
    );
  });
});
