// The cobuy dashboard: reads the API of the server that serves it (same origin) and draws the
// model, the shop figures, the offer results and an email preview. No dependencies, no network
// beyond this server; charts are inline SVG. With API keys on, the page asks for a key (read
// scope) and sends it as a Bearer token; it stays in this tab's sessionStorage only.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const SEGMENTS = ['new', 'active', 'loyal', 'at_risk', 'lapsed'];
const SEGMENT_COLORS = {new: '#4e79a7', active: '#59a14f', loyal: '#b07aa1', at_risk: '#f28e2b', lapsed: '#9c755f'};
const ARM_COLORS = {cobuy: '#4e79a7', holdout: '#bab0ac'};

class Unauthorized extends Error {}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'class') node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

const fmt = {
  num: (v, digits = 2) => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en', {maximumFractionDigits: digits})),
  int: (v) => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en')),
  pct: (v) => (v === null || v === undefined ? '–' : (100 * v).toFixed(1) + '%'),
  money: (v, currency) => {
    if (v === null || v === undefined) return '–';
    if (currency) {
      try {
        return new Intl.NumberFormat('en', {style: 'currency', currency}).format(v);
      } catch (e) { /* not an ISO currency code: fall through */ }
    }
    return Number(v).toFixed(2) + (currency ? ' ' + currency : '');
  },
  interval: (i, f) => (i ? `${f(i.mean)} (${f(i.low)} to ${f(i.high)})` : '–'),
};

// --- the API -----------------------------------------------------------------------------------

function apiKey() { return sessionStorage.getItem('cobuy-api-key') || ''; }

async function api(path, options = {}) {
  const headers = Object.assign({Accept: 'application/json'}, options.headers || {});
  if (apiKey()) headers.Authorization = 'Bearer ' + apiKey();
  const res = await fetch(path, Object.assign({}, options, {headers}));
  if (res.status === 401) {
    showKeyForm(apiKey() ? 'that key was refused' : '');
    throw new Unauthorized('an API key is needed');
  }
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  return {status: res.status, body};
}

function showKeyForm(message) {
  document.getElementById('key-form').hidden = false;
  document.getElementById('key-error').textContent = message;
}

// --- model -------------------------------------------------------------------------------------

function facts(dl, rows) {
  dl.replaceChildren();
  for (const [key, label, value] of rows) {
    dl.append(el('dt', {text: label}), el('dd', {'data-field': key, text: value}));
  }
}

function renderModel(m) {
  document.getElementById('model-badge').textContent = 'model ' + m.version;
  const c = m.counts || {};
  const range = m.data_range || {};
  facts(document.getElementById('model-facts'), [
    ['version', 'version', m.version],
    ['created_at', 'trained at', m.created_at],
    ['loaded_at', 'loaded at', m.loaded_at || '–'],
    ['orders', 'orders', fmt.int(c.orders)],
    ['items', 'items', fmt.int(c.items)],
    ['customers', 'customers', fmt.int(c.customers)],
    ['pairs', 'item pairs', fmt.int(c.pairs)],
    ['data_range', 'orders from', `${range.first_order || '–'} to ${range.last_order || '–'}`],
  ]);
  const box = document.getElementById('model-evaluation');
  box.replaceChildren();
  const ev = m.evaluation;
  if (!ev || typeof ev !== 'object') {
    box.append(el('p', {class: 'muted', id: 'model-evaluation-none', text: 'no held-out evaluation (train with --eval-tail)'}));
    return;
  }
  const table = el('table', {id: 'model-evaluation-table'}, el('thead', {}, el('tr', {}, el('th', {text: 'task'}), el('th', {text: 'metric'}), el('th', {text: 'value'}))));
  const body = el('tbody');
  for (const [task, value] of Object.entries(ev)) {
    if (value && typeof value === 'object') {
      for (const [metric, v] of Object.entries(value)) {
        if (typeof v === 'number') body.append(el('tr', {}, el('td', {text: task}), el('td', {text: metric}), el('td', {text: fmt.num(v, 4)})));
      }
    } else {
      body.append(el('tr', {}, el('td', {text: task}), el('td'), el('td', {text: String(value)})));
    }
  }
  table.append(body);
  box.append(table);
}

// --- shop figures ------------------------------------------------------------------------------

function renderShop(s) {
  const h = s.history || {};
  document.getElementById('shop-source').textContent =
    `From the ${h.source === 'model+order_log' ? "model's history and the order log" : "model's history"}: ` +
    `${fmt.int(s.orders)} orders from ${s.first_order || '–'} to ${s.last_order || '–'}` +
    (s.orders_left_out ? ` (${fmt.int(s.orders_left_out)} without a customer or time left out)` : '') +
    `; segments as of ${s.segments_at || '–'}.`;
  const gaps = s.days_between_orders || {};
  facts(document.getElementById('shop-figures'), [
    ['customers', 'customers', fmt.int(s.customers)],
    ['orders', 'orders', fmt.int(s.orders)],
    ['revenue', 'revenue', fmt.num(s.revenue)],
    ['repeat_purchase_rate', 'repeat-purchase rate', fmt.pct(s.repeat_purchase_rate)],
    ['average_order_value', 'average order value (95% interval)', fmt.interval(s.average_order_value, (v) => fmt.num(v))],
    ['days_between_orders', 'days between orders: median (quartiles)',
      gaps.median === null || gaps.median === undefined ? '–' : `${fmt.num(gaps.median, 1)} (${fmt.num(gaps.p25, 1)} to ${fmt.num(gaps.p75, 1)})`],
    ['clv', 'lifetime value per customer', fmt.num(s.clv)],
  ]);
  const seg = document.querySelector('#clv-by-segment tbody');
  seg.replaceChildren();
  for (const v of s.clv_by_segment || []) {
    seg.append(el('tr', {'data-segment': v.segment}, el('td', {text: v.segment}), el('td', {text: fmt.int(v.customers)}),
      el('td', {text: fmt.int(v.orders)}), el('td', {text: fmt.num(v.revenue)}), el('td', {'data-clv': v.clv, text: fmt.num(v.clv)})));
  }
  const months = s.months || [];
  const tbody = document.querySelector('#monthly-table tbody');
  tbody.replaceChildren();
  for (const m of months) {
    tbody.append(el('tr', {'data-month': m.month}, el('td', {text: m.month}), el('td', {text: fmt.int(m.orders)}),
      el('td', {text: fmt.num(m.revenue)}), el('td', {text: fmt.num(m.average_order_value)}), el('td', {text: fmt.int(m.customers)}),
      el('td', {text: fmt.int(m.new_customers)}), el('td', {text: fmt.int(m.returning_customers)}), el('td', {text: fmt.pct(m.repeat_rate)}),
      el('td', {text: fmt.num(m.clv_to_date)})));
  }
  drawMonthly(document.getElementById('monthly-chart'), months);
  drawClvTrend(document.getElementById('clv-trend-chart'), months);
  const list = document.getElementById('customer-list');
  list.replaceChildren(...(s.recent_customers || []).map((c) => el('option', {value: c})));
}

function chartFrame(width, height) {
  return svg('svg', {viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img'});
}

// Bars of orders per month, split into the new and returning customers' shares of the month.
function drawMonthly(box, months) {
  box.replaceChildren();
  if (!months.length) { box.append(el('p', {class: 'muted', text: 'no orders'})); return; }
  const W = 520, H = 200, L = 40, B = 30, T = 10, R = 120;  // R: the legend's column
  const root = chartFrame(W, H);
  const max = Math.max(1, ...months.map((m) => m.orders));
  const step = (W - L - R) / months.length;
  root.append(svg('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis'}));
  root.append(svg('text', {x: L - 4, y: T + 8, class: 'tick', 'text-anchor': 'end'}, fmt.int(max)));
  months.forEach((m, i) => {
    const h = (H - B - T) * m.orders / max;
    const share = m.customers ? m.returning_customers / m.customers : 0;
    const x = L + i * step + step * 0.15, w = step * 0.7;
    const g = svg('g', {'data-month': m.month, class: 'bar'});
    g.append(svg('rect', {x, y: H - B - h, width: w, height: h * (1 - share), fill: '#4e79a7'}));
    g.append(svg('rect', {x, y: H - B - h * share, width: w, height: h * share, fill: '#f28e2b'}));
    g.append(svg('title', {}, `${m.month}: ${m.orders} orders, ${m.new_customers} new and ${m.returning_customers} returning customers`));
    root.append(g);
    if (months.length <= 16 || i % Math.ceil(months.length / 12) === 0) {
      root.append(svg('text', {x: x + w / 2, y: H - B + 14, class: 'tick', 'text-anchor': 'middle'}, m.month.slice(2)));
    }
  });
  root.append(legend([['new customers', '#4e79a7'], ['returning', '#f28e2b']], W - R + 10, T + 4));
  box.append(root);
}

function legend(entries, x, y) {
  const g = svg('g', {class: 'legend'});
  entries.forEach(([label, color], i) => {
    g.append(svg('rect', {x, y: y + i * 14, width: 10, height: 10, fill: color}));
    g.append(svg('text', {x: x + 14, y: y + i * 14 + 9, class: 'tick'}, label));
  });
  return g;
}

// Lines of lifetime value to date per segment (and overall), month by month.
function drawClvTrend(box, months) {
  box.replaceChildren();
  if (!months.length) { box.append(el('p', {class: 'muted', text: 'no orders'})); return; }
  const W = 520, H = 200, L = 48, B = 30, T = 10, R = 90;  // R: the legend's column
  const root = chartFrame(W, H);
  const values = months.flatMap((m) => [m.clv_to_date, ...SEGMENTS.map((s) => m.clv_by_segment[s])]).filter((v) => v !== null);
  const max = Math.max(1, ...values);
  const x = (i) => L + (months.length === 1 ? (W - L - R) / 2 : i * (W - L - R) / (months.length - 1));
  const y = (v) => H - B - (H - B - T) * v / max;
  root.append(svg('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis'}));
  root.append(svg('text', {x: L - 4, y: T + 8, class: 'tick', 'text-anchor': 'end'}, fmt.num(max, 0)));
  const series = [['all', (m) => m.clv_to_date, '#333']].concat(SEGMENTS.map((s) => [s, (m) => m.clv_by_segment[s], SEGMENT_COLORS[s]]));
  for (const [name, get, color] of series) {
    let d = '';
    months.forEach((m, i) => {
      const v = get(m);
      if (v === null || v === undefined) { d += ' '; return; }
      d += (d.endsWith(' ') || d === '' ? 'M' : 'L') + x(i).toFixed(1) + ',' + y(v).toFixed(1);
    });
    root.append(svg('path', {d: d.trim().replace(/ +/g, ' '), stroke: color, fill: 'none', 'stroke-width': name === 'all' ? 2.5 : 1.5, 'data-series': name}));
  }
  root.append(legend(series.map(([n, , c]) => [n, c]), W - R + 10, T + 4));
  box.append(root);
}

// --- offer results -----------------------------------------------------------------------------

function renderOfferResults(status, r) {
  const empty = document.getElementById('offer-results-empty');
  const body = document.getElementById('offer-results-body');
  const sends = r && r.arms ? (r.arms.cobuy?.sends || 0) + (r.arms.holdout?.sends || 0) : 0;
  if (status !== 200 || !sends) {
    empty.hidden = false;
    body.hidden = true;
    return;
  }
  empty.hidden = true;
  body.hidden = false;
  const u = r.uplift || {};
  document.getElementById('offer-results-summary').textContent =
    `Attribution window ${r.attribution_days} days. Uplift of conversion rate: ${fmt.interval(u.conversion_rate, fmt.pct)}; ` +
    `of revenue per send: ${fmt.interval(u.revenue_per_send, (v) => fmt.num(v))}.`;
  const tbody = document.querySelector('#arms-table tbody');
  tbody.replaceChildren();
  for (const arm of ['cobuy', 'holdout']) {
    const s = r.arms[arm] || {};
    tbody.append(el('tr', {'data-arm': arm}, el('td', {text: arm}), ...['sends', 'offers', 'opens', 'clicks', 'conversions'].map((k) => el('td', {text: fmt.int(s[k])})),
      el('td', {text: fmt.interval(s.conversion_rate, fmt.pct)}), el('td', {text: fmt.num(s.revenue)}), el('td', {text: fmt.interval(s.revenue_per_send, (v) => fmt.num(v))})));
  }
  drawIntervals(document.getElementById('uplift-chart'), [
    {label: 'cobuy', key: 'cobuy', interval: r.arms.cobuy?.conversion_rate, color: ARM_COLORS.cobuy},
    {label: 'holdout', key: 'holdout', interval: r.arms.holdout?.conversion_rate, color: ARM_COLORS.holdout},
    {label: 'uplift', key: 'uplift', interval: u.conversion_rate, color: '#59a14f'},
  ]);
  const rows = [];
  for (const c of r.by_context || []) {
    rows.push({label: c.context + ' (cobuy)', key: c.context + ':cobuy', interval: c.cobuy?.conversion_rate, color: ARM_COLORS.cobuy});
    rows.push({label: c.context + ' (holdout)', key: c.context + ':holdout', interval: c.holdout?.conversion_rate, color: ARM_COLORS.holdout});
  }
  drawIntervals(document.getElementById('by-context-chart'), rows);
}

// Horizontal bars of rates (means) with their 95% intervals as whiskers; zero in the middle when
// some value is negative (an uplift may be).
function drawIntervals(box, rows) {
  box.replaceChildren();
  rows = rows.filter((r) => r.interval);
  if (!rows.length) { box.append(el('p', {class: 'muted', text: 'no data'})); return; }
  const W = 520, L = 150, R = 60, row = 24, H = rows.length * row + 20;
  const root = chartFrame(W, H);
  const lo = Math.min(0, ...rows.map((r) => r.interval.low));
  const hi = Math.max(1e-9, ...rows.map((r) => r.interval.high));
  const x = (v) => L + (W - L - R) * (v - lo) / (hi - lo);
  root.append(svg('line', {x1: x(0), y1: 4, x2: x(0), y2: H - 14, class: 'axis'}));
  rows.forEach((r, i) => {
    const y = 8 + i * row;
    const g = svg('g', {'data-bar': r.key, class: 'bar'});
    g.append(svg('text', {x: L - 6, y: y + 12, class: 'tick', 'text-anchor': 'end'}, r.label));
    g.append(svg('rect', {x: Math.min(x(0), x(r.interval.mean)), y, width: Math.abs(x(r.interval.mean) - x(0)), height: 16, fill: r.color}));
    g.append(svg('line', {x1: x(r.interval.low), y1: y + 8, x2: x(r.interval.high), y2: y + 8, class: 'whisker'}));
    g.append(svg('text', {x: W - R + 4, y: y + 12, class: 'tick'}, fmt.pct(r.interval.mean)));
    g.append(svg('title', {}, `${r.label}: ${fmt.interval(r.interval, fmt.pct)}`));
    root.append(g);
  });
  box.append(root);
}

// --- email preview -----------------------------------------------------------------------------

const KIND_TEXT = {
  replenish: (o) => `Time to stock up${o.interval_days ? `: you buy this about every ${Math.round(o.interval_days)} days` : ''}`,
  win_back: () => 'We saved this for you',
  loyalty: () => 'A thank-you for shopping with us',
  popular: () => 'Popular in our shop',
};

function reasonText(o) {
  if (o.reason_title) return 'Because you bought ' + o.reason_title;
  const f = KIND_TEXT[o.kind];
  return f ? f(o) : 'Picked for you';
}

function offerImage(o) {
  const url = o.fields && o.fields.image_url;
  const placeholder = () => el('div', {class: 'offer-image offer-image-missing', 'aria-hidden': 'true', text: (o.title || o.item_id).slice(0, 1)});
  if (!url || !/^https?:\/\//.test(url)) return placeholder();
  const img = el('img', {class: 'offer-image', src: url, alt: o.title || o.item_id, loading: 'lazy', referrerpolicy: 'no-referrer'});
  // Offline or blocked: the block still shows, with a placeholder in the image's place.
  img.addEventListener('error', () => img.replaceWith(placeholder()), {once: true});
  return img;
}

function offerCard(o, position) {
  const discounted = o.discounted_price !== undefined && o.discounted_price !== null;
  const price = el('p', {class: 'offer-prices'},
    el('span', {class: 'offer-price' + (discounted ? ' was' : ''), 'data-price': o.price ?? '', text: fmt.money(o.price, o.currency)}));
  if (discounted) {
    price.append(' ', el('span', {class: 'offer-discounted', 'data-discounted-price': o.discounted_price, text: fmt.money(o.discounted_price, o.currency)}),
      ' ', el('span', {class: 'offer-discount', text: `-${o.discount_percent}%`}));
  }
  const card = el('article', {class: 'offer-card', 'data-item-id': o.item_id, 'data-offer-id': o.offer_id, 'data-kind': o.kind, 'data-position': position},
    offerImage(o),
    el('h4', {class: 'offer-title', text: o.title || o.item_id}),
    price,
    el('p', {class: 'offer-reason', text: reasonText(o)}));
  if (o.coupon_code) card.append(el('p', {class: 'offer-coupon'}, 'Code ', el('code', {text: o.coupon_code}), o.valid_until ? ` until ${o.valid_until.slice(0, 10)}` : ''));
  const url = o.fields && o.fields.url;
  if (url && /^https?:\/\//.test(url)) card.append(el('a', {class: 'offer-link', href: url, rel: 'noopener noreferrer', target: '_blank', text: 'Shop now'}));
  return card;
}

async function runPreview(event) {
  event.preventDefault();
  const status = document.getElementById('preview-status');
  const customer = document.getElementById('preview-customer').value.trim();
  const context = document.getElementById('preview-context').value;
  const limit = Number(document.getElementById('preview-limit').value) || 4;
  if (!customer) { status.textContent = 'give a customer id'; return; }
  status.textContent = 'asking for offers...';
  const box = document.getElementById('email-preview');
  box.hidden = true;
  try {
    const {status: code, body} = await api('/v1/offers', {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({customer_id: customer, context, limit, preview: true}),
    });
    if (code !== 200) {
      status.textContent = `the server answered ${code}: ${body?.error?.message || ''}`;
      return;
    }
    const offers = document.getElementById('email-offers');
    offers.replaceChildren(...body.offers.map((o, i) => offerCard(o, i + 1)));
    document.getElementById('preview-segment').textContent =
      `${body.unknown_customer ? 'A customer the model does not know' : 'A ' + body.segment.replace('_', ' ') + ' customer'}, ${context.replace('_', ' ')} email.`;
    box.dataset.customer = customer;
    box.dataset.context = context;
    box.hidden = false;
    status.textContent = `${body.offers.length} offers for ${customer} (segment ${body.segment}${body.fallback ? ', with popular items' : ''})`;
    document.body.dataset.preview = 'done';
  } catch (e) {
    status.textContent = e instanceof Unauthorized ? 'an API key is needed' : 'failed: ' + e.message;
  }
}

// --- start -------------------------------------------------------------------------------------

async function loadAll() {
  const jobs = [
    api('/v1/model').then(({status, body}) => {
      if (status === 200) renderModel(body);
      else document.getElementById('model-badge').textContent = body?.error?.message || `model: ${status}`;
    }),
    api('/v1/stats/shop').then(({status, body}) => {
      if (status === 200) renderShop(body);
      else document.getElementById('shop-source').textContent = body?.error?.message || `shop figures: ${status}`;
    }),
    api('/v1/stats/offers').then(({status, body}) => renderOfferResults(status, body)).catch((e) => {
      if (e instanceof Unauthorized) throw e;
      renderOfferResults(0, null);
    }),
  ];
  const results = await Promise.allSettled(jobs);
  if (results.every((r) => r.status === 'fulfilled')) {
    document.getElementById('key-form').hidden = true;
    document.body.dataset.loaded = 'true';
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem('cobuy-api-key', document.getElementById('api-key').value.trim());
    document.getElementById('key-error').textContent = '';
    loadAll();
  });
  document.getElementById('preview-form').addEventListener('submit', runPreview);
  loadAll();
});
