// The dashboard end to end in Debian's chromium against a real controller, with TypeScript ZeroTier
// members on UDP loopback: sign in; add IPAM subnets; create a network; bind the IPAM subnet and
// turn on routes from IPAM (previewing each change), and see the parent and children; authorise
// members as they join; approve a router's advertised route; stop the primary router and watch the
// failover arrive in the live timeline and the picture. Then keyboard and label checks and the
// same pages at phone width. Screenshots go to test-artifacts/ui/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startTestController, type TestController } from '../helpers/controller-fixture.ts';
import { controllerRoot, memberIdentities } from '../support/recorded-identities.ts';
import { TsMember } from '../support/ts-member.ts';
import { launchBrowser, skipWithoutChromium, type Browser } from './browser.ts';
import { builtUi } from './ui-build.ts';

const PREFIX = '192.168.50.0/24';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/ui/', import.meta.url));

interface Node {
  member: TsMember;
  address: string;
}

/** Labels and names every control needs; one h1 per page. Run in the page. */
const A11Y_AUDIT = `(() => {
  const problems = [];
  const text = (el) => (el ? el.textContent.replace(/\\s+/g, ' ').trim() : '');
  const nameOf = (el) => {
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(/\\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
    const label = el.getAttribute('aria-label');
    if (label) return label.trim();
    if (el.labels && el.labels.length > 0) return [...el.labels].map(text).join(' ');
    if (el.tagName === 'BUTTON' || el.tagName.toLowerCase() === 'a') return text(el);
    return (el.getAttribute('title') || '').trim();
  };
  for (const el of document.querySelectorAll('input, select, textarea, button, a[href]')) {
    if (el.closest('[aria-hidden="true"]') || el.type === 'hidden') continue;
    if (!nameOf(el)) problems.push('no accessible name: ' + el.outerHTML.slice(0, 140));
  }
  for (const el of document.querySelectorAll('[role="img"], [role="meter"]')) {
    if (!nameOf(el)) problems.push('unlabelled ' + el.getAttribute('role') + ': ' + el.outerHTML.slice(0, 140));
  }
  const h1 = document.querySelectorAll('h1').length;
  if (h1 !== 1) problems.push(h1 + ' h1 elements');
  if (!document.documentElement.lang) problems.push('no lang on <html>');
  const ids = new Map();
  for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  for (const [id, n] of ids) if (n > 1) problems.push('duplicate id ' + id);
  return problems;
})()`;

describe(
  'dashboard in a browser: IPAM, routes, members, routers, failover',
  { skip: skipWithoutChromium() },
  () => {
    let zt: TestController;
    let browser: Browser;
    let page: Page;
    let nwid: string;
    const nodes: Node[] = [];
    let r1: Node, r2: Node, m1: Node;
    let primary: Node;
    let backup: Node;

    const shot = async (name: string) => {
      // From the top: the sticky header would otherwise land mid-page in a full-page picture.
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    };
    const go = async (hash: string) => {
      await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    };
    const prefixCard = (): Locator => page.locator(`article[data-prefix="${PREFIX}"]`);

    before(async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      zt = await startTestController({ uiDir: builtUi() });
      browser = await launchBrowser();
      page = browser.page;
      page.setDefaultTimeout(15_000);
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error' && !/40[13]|409|Failed to load resource/.test(message.text()))
          problems.push(message.text());
      });
      (page as unknown as { problems: string[] }).problems = problems;
    });

    after(async () => {
      for (const n of nodes) await n.member.stop();
      await browser?.close();
      await zt?.close();
    });

    it('signs in with the token using only the keyboard; a wrong token is refused', async () => {
      await page.goto(`${zt.url}/ui`);
      assert.match(page.url(), /\/ui\/$/, 'redirected to the directory form');
      const token = page.getByLabel('API token');
      await token.waitFor();
      assert.equal(
        await token.evaluate(
          (el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement,
        ),
        true,
        'focused',
      );
      await page.keyboard.type('not-the-token');
      await page.keyboard.press('Enter');
      await page.getByText('The controller did not accept this token.').waitFor();
      await token.fill(zt.token);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Networks' }).waitFor();
      assert.ok(!page.url().includes(zt.token), 'the token is never in the URL');
      assert.equal(await page.evaluate(`sessionStorage.getItem('routeplane.token')`), zt.token);
      await page.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Networks' }).waitFor();
      await shot('01-networks-empty');
    });

    it('adds IPAM subnets; children nest under the parent by themselves', async () => {
      await page.getByRole('link', { name: 'IPAM' }).click();
      await page.getByRole('heading', { level: 1, name: 'IPAM' }).waitFor();
      for (const [prefix, name] of [
        ['10.0.0.0/8', 'vpn'],
        ['10.1.1.0/24', 'servers 1'],
        ['10.1.2.0/24', 'servers 2'],
      ]) {
        await page.getByLabel('Prefix').fill(prefix!);
        await page.getByLabel('Name').fill(name!);
        await page.getByRole('button', { name: 'Add subnet' }).click();
        await page.locator(`tr[data-prefix="${prefix}"]`).waitFor();
      }
      const rows = page.getByTestId('ipam-tree').locator('tbody tr');
      assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-prefix'))), [
        '10.0.0.0/8',
        '10.1.1.0/24',
        '10.1.2.0/24',
      ]);
      await page.getByRole('button', { name: 'Collapse 10.0.0.0/8' }).click();
      assert.equal(await rows.count(), 1, 'collapsed');
      await page.getByRole('button', { name: 'Expand 10.0.0.0/8' }).click();
      assert.equal(await rows.count(), 3);
      // Removing asks once more, in place.
      await page.getByLabel('Prefix').fill('10.9.0.0/16');
      await page.getByRole('button', { name: 'Add subnet' }).click();
      await page.locator('tr[data-prefix="10.9.0.0/16"]').waitFor();
      await page.getByRole('button', { name: 'Remove 10.9.0.0/16' }).click();
      const confirm = page.getByRole('group', { name: 'Remove 10.9.0.0/16' });
      await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
      await page.locator('tr[data-prefix="10.9.0.0/16"]').waitFor({ state: 'detached' });
      assert.equal(await rows.count(), 3);
      await shot('02-ipam-tree');
    });

    it('creates a network with an address pool', async () => {
      await page.getByRole('link', { name: 'Networks' }).click();
      await page.getByLabel('Name', { exact: true }).fill('lab');
      await page.getByLabel('Address pool').fill('10.1.1.10-10.1.1.99');
      await page.getByRole('button', { name: 'Create network' }).click();
      await page.getByRole('heading', { level: 1, name: 'lab' }).waitFor();
      nwid = /#\/networks\/([0-9a-f]{16})\//.exec(page.url())![1]!;
      assert.equal((await zt.request('GET', `/controller/network/${nwid}`)).body.name, 'lab');
    });

    it('binds the IPAM subnet, then turns on routes from IPAM: the preview and the routes show parent and children', async () => {
      await page
        .getByRole('navigation', { name: 'Network sections' })
        .getByRole('link', { name: 'Settings' })
        .click();
      await page.getByLabel('IPAM subnet').selectOption('10.0.0.0/8');
      await page.getByRole('button', { name: 'Review changes' }).click();
      const preview = page.getByTestId('plan-preview');
      await preview.waitFor();
      assert.deepEqual(await preview.locator('li.added code').allInnerTexts(), ['10.0.0.0/8']);
      assert.match(await preview.innerText(), /IPAM subnet: \(none\) → 10\.0\.0\.0\/8/);
      await page.getByRole('button', { name: 'Apply changes' }).click();
      await preview.waitFor({ state: 'detached' });

      await page.getByLabel('Routes from IPAM').check();
      await page.getByRole('button', { name: 'Review changes' }).click();
      await preview.waitFor();
      assert.match(await preview.innerText(), /Routes from IPAM: off → on/);
      assert.deepEqual(await preview.locator('li.added code').allInnerTexts(), [
        '10.1.1.0/24',
        '10.1.2.0/24',
      ]);
      assert.deepEqual(await preview.locator('li.removed code').allInnerTexts(), []);
      assert.equal(
        (await zt.request('GET', `/controller/network/${nwid}`)).body.routesFromIpam,
        false,
        'a preview writes nothing',
      );
      await shot('03-plan-preview');
      await page.getByRole('button', { name: 'Apply changes' }).click();
      await preview.waitFor({ state: 'detached' });
      assert.equal((await zt.request('GET', `/controller/network/${nwid}`)).body.routesFromIpam, true);

      await page
        .getByRole('navigation', { name: 'Network sections' })
        .getByRole('link', { name: 'Routes' })
        .click();
      const table = page.getByTestId('effective-routes');
      await table.getByText('10.1.2.0/24').waitFor();
      const rows = await table
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent!.trim())),
        );
      assert.deepEqual(rows, [
        ['10.0.0.0/8', 'on link', 'ipam'],
        ['10.1.1.0/24', 'on link', 'ipam'],
        ['10.1.2.0/24', 'on link', 'ipam'],
      ]);
      await shot('04-routes-from-ipam');
    });

    it('shows members as they join and authorises them with one click each', async () => {
      await page
        .getByRole('navigation', { name: 'Network sections' })
        .getByRole('link', { name: 'Members' })
        .click();
      await page.getByText('No member has asked to join yet').waitFor();
      for (const identity of memberIdentities(zt.controller.identity.address).slice(0, 3)) {
        const member = await TsMember.create({
          identity,
          roots: [controllerRoot(zt.controller)],
          retryInterval: 500,
        });
        member.join(nwid);
        nodes.push({ member, address: identity.address });
      }
      [r1, r2, m1] = nodes as [Node, Node, Node];
      for (const n of nodes) {
        // Arrives live: nobody reloads the page.
        const authorise = page.getByRole('button', { name: `Authorise ${n.address}` });
        await authorise.waitFor();
        await authorise.click();
        await page.getByRole('button', { name: `Deauthorise ${n.address}` }).waitFor();
      }
      for (const n of nodes) await n.member.waitForConfig(nwid, 0, 10_000);
      // Static addresses from the member's details (routers need one to be a gateway).
      for (const [n, ip] of [
        [r1, '10.1.1.11'],
        [r2, '10.1.1.12'],
        // In the routers' subnet: a gateway outside the member's own subnet is unreachable to the client.
        [m1, '10.1.1.20'],
      ] as const) {
        await page.locator(`tr[data-address="${n.address}"]`).getByRole('link').click();
        const panel = page.locator('aside.member-panel');
        await panel.getByRole('heading', { name: n.address }).waitFor();
        await panel.getByLabel('IP addresses').fill(ip);
        await panel.getByRole('button', { name: 'Set addresses' }).click();
        await page.locator(`tr[data-address="${n.address}"] td.ips`).getByText(ip).waitFor();
      }
      await page.getByRole('link', { name: 'Close member details' }).click();
      const row = page.locator(`tr[data-address="${m1.address}"]`);
      await row.getByText('10.1.1.0/24').waitFor(); // its IPAM child subnet
      await page.getByTestId('member-count').getByText('3 authorised').waitFor();
      await m1.member.waitFor(
        () => m1.member.assignedAddresses(nwid).some((a) => a.startsWith('10.1.1.20/')),
        5000,
        'pushed',
      );
      await shot('05-members-authorised');
    });

    it('approves the routers’ advertised route; members route via the primary', async () => {
      for (const r of [r1, r2]) {
        const res = await zt.request('PUT', `/api/v1/networks/${nwid}/members/${r.address}/advertised`, {
          prefixes: [PREFIX],
          metric: 100,
        });
        assert.equal(res.status, 200, res.text);
      }
      await page
        .getByRole('navigation', { name: 'Network sections' })
        .getByRole('link', { name: 'Routes' })
        .click();
      const card = prefixCard();
      await card.waitFor();
      for (const r of [r1, r2]) {
        const approve = card.getByRole('button', { name: `Approve ${PREFIX} from ${r.address}` });
        await approve.click();
        await card.getByRole('button', { name: `Reject ${PREFIX} from ${r.address}` }).waitFor();
      }
      await card.getByTestId('primary').filter({ hasNotText: 'none' }).waitFor();
      const chosen = (await card.getByTestId('primary').innerText()).trim();
      primary = nodes.find((n) => n.address === chosen)!;
      assert.ok(primary === r1 || primary === r2, `primary ${chosen}`);
      backup = primary === r1 ? r2 : r1;
      const primaryIp = (await zt.request('GET', `/controller/network/${nwid}/member/${primary.address}`))
        .body.ipAssignments[0];
      await m1.member.waitFor(
        () => m1.member.routes(nwid).some((r) => r.target.startsWith('192.168.50.') && r.via === primaryIp),
        5000,
        'm1 routes the prefix via the primary',
      );
      await shot('06-routes-approved');

      await page
        .getByRole('navigation', { name: 'Network sections' })
        .getByRole('link', { name: 'Picture' })
        .click();
      const picture = page.getByTestId('picture');
      await picture.locator(`[data-node="members:${PREFIX}:${primary.address}"]`).waitFor();
      assert.equal(
        await picture.locator(`path.edge-primary`).count(),
        1,
        'one primary edge from a router to the prefix',
      );
      await shot('07-picture');
    });

    it('stops the primary router: the failover appears live in the timeline and the picture', async () => {
      await page
        .getByRole('navigation', { name: 'Network sections' })
        .getByRole('link', { name: 'Events' })
        .click();
      const timeline = page.getByTestId('timeline');
      await timeline.locator('li[data-type="router.approved"]').first().waitFor();
      // Proof that nothing below is a reload: this survives only in the same document.
      await page.evaluate('window.__sameDocument = true');
      const stoppedAt = Date.now();
      await primary.member.stop();
      const failover = timeline.locator('li[data-type="route.failover"]');
      await failover.waitFor({ timeout: 15_000 });
      const seenAfter = Date.now() - stoppedAt;
      const text = await failover.innerText();
      assert.match(
        text,
        new RegExp(
          `Failover: ${PREFIX.replace(/\./g, '\\.')} moved from ${primary.address} to ${backup.address}`,
        ),
      );
      assert.equal(await page.evaluate('window.__sameDocument === true'), true, 'no reload');
      assert.equal(
        await timeline
          .locator('li')
          .first()
          .getAttribute('data-type')
          .then((t) => t !== null),
        true,
      );
      console.log(`# failover visible in the timeline ${seenAfter} ms after the primary stopped`);
      await shot('08-timeline-failover');

      await page
        .getByRole('navigation', { name: 'Network sections' })
        .getByRole('link', { name: 'Picture' })
        .click();
      const picture = page.getByTestId('picture');
      await picture.locator(`[data-node="router:${primary.address}"].tone-down`).waitFor();
      await picture.locator(`[data-node="members:${PREFIX}:${backup.address}"]`).waitFor();
      await shot('09-picture-after-failover');
      await page.getByRole('link', { name: 'Events' }).first().click();
      await page.getByTestId('timeline').locator('li[data-type="route.failover"]').waitFor();
    });

    it('a member’s details show exactly the routes it is sent; it can be renamed', async () => {
      await go(`#/networks/${nwid}/members/${m1.address}`);
      const panel = page.locator('aside.member-panel');
      await panel.getByRole('heading', { name: 'Routes it receives' }).waitFor();
      // The heading shows before the member's routes have loaded: wait for the table itself.
      await panel.locator('tbody tr').first().waitFor();
      const sent = (await zt.request('GET', `/api/v1/networks/${nwid}/members/${m1.address}/routes`)).body
        .routes;
      const shown = await panel
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim())),
        );
      assert.deepEqual(
        shown,
        sent.map((r: { target: string; via: string | null; source: string }) => [
          r.target,
          r.via === null || r.via === '0.0.0.0' ? 'on link' : r.via,
          r.source,
        ]),
      );
      assert.ok(
        shown.some((r) => r[2] === 'advertised'),
        'the routed prefix is among them',
      );
      await panel.getByLabel('Name').fill('laptop');
      await panel.getByRole('button', { name: 'Rename' }).click();
      await page.locator(`tr[data-address="${m1.address}"]`).getByText('laptop').waitFor();
      await shot('10-member-details');
    });

    it('every control is labelled, pages have one h1, and Tab starts at the skip link', async () => {
      const pages = [
        '#/networks',
        '#/ipam',
        '#/events',
        `#/networks/${nwid}/members`,
        `#/networks/${nwid}/members/${m1.address}`,
        `#/networks/${nwid}/routes`,
        `#/networks/${nwid}/picture`,
        `#/networks/${nwid}/events`,
        `#/networks/${nwid}/settings`,
      ];
      for (const hash of pages) {
        await go(hash);
        await page.waitForTimeout(500);
        const problems = (await page.evaluate(A11Y_AUDIT)) as string[];
        assert.deepEqual(problems, [], hash);
      }
      await page.reload();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate('document.activeElement.textContent.trim()'), 'Skip to content');
      // Sorting and authorising work from the keyboard too.
      await go(`#/networks/${nwid}/members`);
      const deauthorise = page.getByRole('button', { name: `Deauthorise ${r2.address}` });
      await deauthorise.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: `Authorise ${r2.address}` }).waitFor();
      await page.getByRole('button', { name: `Authorise ${r2.address}` }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: `Deauthorise ${r2.address}` }).waitFor();
    });

    it('fits a phone: no sideways scrolling of the page, screenshots at 390 px', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const pages: Array<[string, string]> = [
        ['#/networks', 'phone-01-networks'],
        [`#/networks/${nwid}/members`, 'phone-02-members'],
        [`#/networks/${nwid}/routes`, 'phone-03-routes'],
        [`#/networks/${nwid}/picture`, 'phone-04-picture'],
        [`#/networks/${nwid}/events`, 'phone-05-events'],
        [`#/networks/${nwid}/settings`, 'phone-06-settings'],
        ['#/ipam', 'phone-07-ipam'],
      ];
      for (const [hash, name] of pages) {
        await go(hash);
        await page.waitForTimeout(500);
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        assert.ok(width <= 390, `${hash}: the page is ${width} px wide`);
        if (hash.endsWith('/picture')) {
          const box = await page.getByTestId('picture').boundingBox();
          assert.ok(box && box.width <= 390, 'the picture is laid out for the narrow screen');
        }
        await shot(name);
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    it('logged no script errors', () => {
      assert.deepEqual((page as unknown as { problems: string[] }).problems, []);
    });
  },
);
