// Drives Debian's chromium (headless, through puppeteer-core) against a running `cobuy serve`:
// loads /ui, gives the API key the page asks for, checks the model and shop figures against the
// API, checks the offer results (the real GET /v1/stats/offers when it answers with sends, else
// "no offer results yet" and then a stubbed answer), picks a customer and an email in the preview
// and compares the rendered offers with a direct POST /v1/offers, checks that the page asked no
// other host for anything but the offers' product images (which it is refused, as offline), and
// saves a screenshot.
//
//   node tests/browser/dashboard.mjs URL OUTDIR
//   env: COBUY_API_KEY (a read key; none = a server without keys), CHROMIUM (default
//   /usr/bin/chromium).
// Exits 0 when every check passed, 1 otherwise; prints one line per check.
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node dashboard.mjs URL OUTDIR');
  process.exit(2);
}
const origin = new URL(base).origin;
const key = process.env.COBUY_API_KEY || '';
const CONTEXT = 'delivered';
const LIMIT = 4;

let failed = 0, passed = 0;
function check(ok, what, detail = '') {
  if (ok) { passed++; console.log(`ok: ${what}`); }
  else { failed++; console.log(`FAILED: ${what}${detail ? ': ' + detail : ''}`); }
}

async function api(p, options = {}) {
  const headers = Object.assign({'Content-Type': 'application/json'}, key ? {Authorization: 'Bearer ' + key} : {});
  const res = await fetch(origin + p, Object.assign({headers}, options));
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  return {status: res.status, body};
}

const interval = (mean, low, high) => ({mean, low, high});
const stats = (sends, conversions, revenue) => ({
  sends, offers: sends * 4, opens: Math.round(sends * 0.5), clicks: Math.round(sends * 0.1), conversions,
  conversion_rate: interval(conversions / sends, conversions / sends * 0.7, conversions / sends * 1.3),
  revenue, revenue_per_send: interval(revenue / sends, revenue / sends * 0.7, revenue / sends * 1.3),
});
// The shape GET /v1/stats/offers answers (see docs/API.md), for a page whose server has no such
// results yet.
const STUB_OFFER_STATS = {
  attribution_days: 7,
  arms: {cobuy: stats(900, 45, 1350), holdout: stats(100, 3, 80)},
  uplift: {conversion_rate: interval(0.02, 0.001, 0.039), revenue_per_send: interval(0.7, 0.1, 1.3)},
  by_context: [
    {context: 'shipping', cobuy: stats(400, 18, 500), holdout: stats(40, 1, 20)},
    {context: 'delivered', cobuy: stats(500, 27, 850), holdout: stats(60, 2, 60)},
  ],
  by_kind: [{kind: 'cross_sell', cobuy: stats(900, 45, 1350), holdout: stats(100, 3, 80)}],
  by_segment: [{segment: 'loyal', cobuy: stats(300, 20, 700), holdout: stats(30, 1, 30)}],
};

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // --no-sandbox: CI runs as root, where chromium refuses its sandbox.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-default-apps', '--window-size=1280,900'],
});
const foreign = [];
let stubOfferStats = false;
let offersRequest = null;

try {
  const page = await browser.newPage();
  await page.setViewport({width: 1280, height: 900});
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (url.protocol === 'data:') return req.continue();
    if (url.origin !== origin) {
      // Nothing leaves the machine: every other host is refused, as without a network.
      foreign.push({url: req.url(), type: req.resourceType()});
      return req.abort('internetdisconnected');
    }
    if (url.pathname === '/v1/offers') offersRequest = JSON.parse(req.postData() || 'null');
    if (url.pathname === '/v1/stats/offers' && stubOfferStats) {
      return req.respond({status: 200, contentType: 'application/json', body: JSON.stringify(STUB_OFFER_STATS)});
    }
    return req.continue();
  });

  const loaded = async () => {
    if (key) {
      await page.waitForSelector('#key-form:not([hidden])', {timeout: 10000});
      check(true, 'the page asks for an API key');
      await page.type('#api-key', key);
      await page.click('#key-save');
    }
    await page.waitForSelector('body[data-loaded="true"]', {timeout: 15000});
  };
  const response = await page.goto(origin + '/ui', {waitUntil: 'domcontentloaded'});
  check(response.status() === 200, 'GET /ui answers 200', String(response.status()));
  check((response.headers()['content-security-policy'] || '').includes("default-src 'none'"), 'GET /ui sends a strict CSP');
  await loaded();

  // The model and the shop figures, against the API.
  const model = (await api('/v1/model')).body;
  const shown = await page.$eval('#model-facts dd[data-field="version"]', (e) => e.textContent);
  check(shown === model.version, 'the model section shows the loaded version', `${shown} vs ${model.version}`);
  const shop = (await api('/v1/stats/shop')).body;
  const figure = (name) => page.$eval(`#shop-figures dd[data-field="${name}"]`, (e) => e.textContent);
  check(await figure('customers') === shop.customers.toLocaleString('en'), 'shop figures: customers', await figure('customers'));
  check(await figure('orders') === shop.orders.toLocaleString('en'), 'shop figures: orders', await figure('orders'));
  check(await figure('repeat_purchase_rate') === (100 * shop.repeat_purchase_rate).toFixed(1) + '%', 'shop figures: repeat-purchase rate',
    await figure('repeat_purchase_rate'));
  const bars = await page.$$eval('#monthly-chart g.bar', (gs) => gs.map((g) => g.dataset.month));
  check(JSON.stringify(bars) === JSON.stringify(shop.months.map((m) => m.month)), 'the monthly chart has a bar per month', bars.join(','));
  const segments = await page.$$eval('#clv-by-segment tbody tr', (rs) => rs.map((r) => r.dataset.segment));
  check(segments.join(',') === 'new,active,loyal,at_risk,lapsed', 'lifetime value by segment lists the five segments', segments.join(','));
  const lines = await page.$$eval('#clv-trend-chart path[data-series]', (ps) => ps.length);
  check(lines === 6, 'the lifetime-value trend has a line per segment and one overall', String(lines));

  // Offer results: the real answer, or "no offer results yet" and then the stub.
  const real = await api('/v1/stats/offers');
  const realSends = real.status === 200 && real.body?.arms ? (real.body.arms.cobuy?.sends || 0) + (real.body.arms.holdout?.sends || 0) : 0;
  if (!realSends) {
    check(await page.$eval('#offer-results-empty', (e) => !e.hidden && e.textContent === 'no offer results yet'),
      `without offer results (GET /v1/stats/offers: ${real.status}) the page says "no offer results yet"`);
    stubOfferStats = true;
    await page.evaluate(() => { document.body.dataset.loaded = ''; });
    await page.reload({waitUntil: 'domcontentloaded'});
    await page.waitForSelector('body[data-loaded="true"]', {timeout: 15000});  // the key is in sessionStorage
  }
  const expected = stubOfferStats ? STUB_OFFER_STATS : real.body;
  check(await page.$eval('#offer-results-body', (e) => !e.hidden), 'offer results are shown');
  const upliftBars = await page.$$eval('#uplift-chart g.bar', (gs) => gs.map((g) => g.dataset.bar));
  check(upliftBars.join(',') === 'cobuy,holdout,uplift', 'the uplift chart has cobuy, holdout and uplift bars', upliftBars.join(','));
  const contextBars = await page.$$eval('#by-context-chart g.bar', (gs) => gs.length);
  check(contextBars === 2 * expected.by_context.length, 'the by-email chart has two bars per context', String(contextBars));
  const arms = await page.$$eval('#arms-table tbody tr', (rs) => rs.map((r) => r.children[1].textContent));
  check(arms[0] === expected.arms.cobuy.sends.toLocaleString('en'), 'the arms table shows the sends', arms.join(','));

  // The email preview: a customer picked from the list, an email, offers as the API answers them.
  const customers = await page.$$eval('#customer-list option', (os) => os.map((o) => o.value));
  check(customers.length > 0, 'the preview offers customers to pick from', String(customers.length));
  // The first listed customer whose offers carry a discount (the email shows more), else the first.
  let customer = customers[0];
  for (const c of customers) {
    const answer = await api('/v1/offers', {method: 'POST', body: JSON.stringify({customer_id: c, context: CONTEXT, limit: LIMIT, preview: true})});
    if (answer.body?.offers?.some((o) => o.discounted_price !== undefined)) { customer = c; break; }
  }
  await page.type('#preview-customer', customer);
  await page.select('#preview-context', CONTEXT);
  await page.$eval('#preview-limit', (e, n) => { e.value = String(n); }, LIMIT);
  await page.click('#preview-run');
  await page.waitForSelector('body[data-preview="done"]', {timeout: 10000});
  check(offersRequest?.preview === true && offersRequest.customer_id === customer && offersRequest.context === CONTEXT,
    'the preview asks POST /v1/offers with "preview": true', JSON.stringify(offersRequest));
  const direct = await api('/v1/offers', {method: 'POST', body: JSON.stringify({customer_id: customer, context: CONTEXT, limit: LIMIT, preview: true})});
  const want = direct.body.offers.map((o) => ({
    item: o.item_id, title: o.title || o.item_id, price: String(o.price ?? ''),
    discounted: o.discounted_price === undefined ? null : String(o.discounted_price), coupon: o.coupon_code || null,
  }));
  const got = await page.$$eval('#email-offers .offer-card', (cards) => cards.map((c) => ({
    item: c.dataset.itemId, title: c.querySelector('.offer-title').textContent, price: c.querySelector('.offer-price').dataset.price,
    discounted: c.querySelector('.offer-discounted')?.dataset.discountedPrice ?? null,
    coupon: c.querySelector('.offer-coupon code')?.textContent ?? null,
  })));
  check(want.length > 0, `POST /v1/offers answers offers for ${customer}`, String(want.length));
  check(JSON.stringify(got) === JSON.stringify(want), 'the preview shows the offers of POST /v1/offers, in order',
    `\n  page: ${JSON.stringify(got)}\n  api:  ${JSON.stringify(want)}`);
  const reasons = await page.$$eval('#email-offers .offer-reason', (ps) => ps.map((p) => p.textContent));
  check(reasons.every((r) => r.length > 0), 'every offer says why', reasons.join(' | '));
  const withTitle = direct.body.offers.find((o) => o.reason_title);
  if (withTitle) check(reasons.includes('Because you bought ' + withTitle.reason_title), 'a cross-sell says what it goes with');
  await page.waitForNetworkIdle({idleTime: 300, timeout: 5000}).catch(() => {});

  // No network: only the shop's product images were asked of another host (and refused), and the
  // preview shows a placeholder in their place.
  const images = new Set(direct.body.offers.map((o) => o.fields?.image_url).filter(Boolean));
  const unexpected = foreign.filter((r) => !(r.type === 'image' && images.has(r.url)));
  check(unexpected.length === 0, 'the page asks no other host for anything but product images', JSON.stringify(unexpected));
  const placeholders = await page.$$eval('#email-offers .offer-image-missing', (ds) => ds.length);
  check(placeholders === want.length, 'offline, each offer shows an image placeholder', String(placeholders));
  check(consoleErrors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(e)).length === 0,
    'no script errors', consoleErrors.join(' | '));

  fs.mkdirSync(outDir, {recursive: true});
  const shot = path.resolve(outDir, 'dashboard.png');
  await page.screenshot({path: shot, fullPage: true});
  const size = fs.statSync(shot).size;
  check(size > 10000, 'the screenshot is written', `${shot} (${size} bytes)`);
  console.log(`screenshot: ${shot}`);
} catch (e) {
  check(false, 'the run finished', e.stack || String(e));
} finally {
  await browser.close();
}
console.log(`dashboard: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
