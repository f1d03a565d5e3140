// The dashboard: every figure comes from the report endpoints (fetched with the session cookie), drawn with uPlot.
// Text only goes into the page through textContent (no HTML from data); no inline script or style (strict CSP).
(function () {
  'use strict';
  const main = document.getElementById('dashboard');
  const refreshMillis = Math.max(500, Number(main.dataset.refreshMillis) || 10000);
  const watched = new Map(); // campaign id -> { section, chart, times, processed, done }
  const queueSeries = { times: [], byQueue: new Map() };
  const WATCH_MAX = 10;
  const HISTORY = 360;
  let queueChart = null;
  let trendChart = null;
  let refreshes = 0;

  document.getElementById('refresh-seconds').textContent = String(refreshMillis / 1000);

  function json(path) {
    return fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(r => {
      if (r.status === 401) {
        // the session expired: the login page again (it shows no data)
        window.location.assign('/dashboard');
        throw new Error('signed out');
      }
      if (!r.ok) {
        throw new Error(path + ' answered ' + r.status);
      }
      return r.json();
    });
  }

  const count = v => (v === null || v === undefined ? '-' : String(v));
  const percent = v => (v === null || v === undefined ? '-' : (v * 100).toFixed(2) + ' %');
  const rate = v => (v === null || v === undefined ? '-' : Number(v).toFixed(2));

  function cell(row, field, text) {
    const td = document.createElement('td');
    td.dataset.field = field;
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function fill(tbody, rows, key, build) {
    tbody.replaceChildren();
    rows.forEach(r => {
      const tr = document.createElement('tr');
      tr.dataset[key] = build.id(r);
      build.cells(tr, r);
      tbody.appendChild(tr);
    });
  }

  function width(el) {
    return Math.max(300, el.clientWidth || 600);
  }

  // ------------------------------------------------------------------ system status
  function renderStatus(status) {
    fill(document.querySelector('#queues tbody'), status.queues, 'queue', {
      id: q => q.name,
      cells: (tr, q) => {
        if (q.deadLetter) tr.className = 'dead-letter';
        cell(tr, 'name', q.name);
        cell(tr, 'waiting', count(q.waiting));
        cell(tr, 'inFlight', count(q.inFlight));
        cell(tr, 'delayed', count(q.delayed));
      }
    });
    const providers = Object.entries(status.providers).map(([name, p]) => Object.assign({ name }, p));
    fill(document.querySelector('#pacing tbody'), providers, 'provider', {
      id: p => p.name,
      cells: (tr, p) => {
        cell(tr, 'name', p.name);
        cell(tr, 'enabled', p.enabled ? 'yes' : 'no');
        cell(tr, 'configuredRatePerSecond', count(p.pacing.configuredRatePerSecond));
        cell(tr, 'currentRatePerSecond', rate(p.pacing.currentRatePerSecond));
        cell(tr, 'usedToday', count(p.pacing.usedToday));
        cell(tr, 'dailyQuota', count(p.pacing.dailyQuota));
        cell(tr, 'leftToday', count(p.pacing.leftToday));
      }
    });
    // Queue depths over the time this page has been open.
    queueSeries.times.push(Date.parse(status.at) / 1000);
    status.queues.forEach(q => {
      if (!queueSeries.byQueue.has(q.name)) {
        queueSeries.byQueue.set(q.name, new Array(queueSeries.times.length - 1).fill(null));
      }
    });
    queueSeries.byQueue.forEach((values, name) => {
      const q = status.queues.find(x => x.name === name);
      values.push(q ? q.waiting + q.inFlight : null);
    });
    if (queueSeries.times.length > HISTORY) {
      queueSeries.times.shift();
      queueSeries.byQueue.forEach(v => v.shift());
    }
    const names = Array.from(queueSeries.byQueue.keys());
    const data = [queueSeries.times].concat(names.map(n => queueSeries.byQueue.get(n)));
    const el = document.getElementById('queue-chart');
    if (!queueChart || queueChart.series.length !== names.length + 1) {
      if (queueChart) queueChart.destroy();
      const colors = ['#3366cc', '#b3261e', '#2e7d32', '#d84315', '#6a1b9a', '#7b1fa2'];
      queueChart = new uPlot({
        width: width(el), height: 220,
        series: [{}].concat(names.map((n, i) => ({ label: n, stroke: colors[i % colors.length], width: 2 }))),
        axes: [{}, { label: 'messages' }]
      }, data, el);
    } else {
      queueChart.setData(data);
    }
    return status.campaignsSending.map(c => c.id);
  }

  // ------------------------------------------------------------------ campaigns
  function campaignSection(id) {
    const section = document.createElement('div');
    section.className = 'campaign';
    section.dataset.campaign = id;
    const title = document.createElement('h3');
    title.dataset.field = 'title';
    section.appendChild(title);
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    section.appendChild(bar);
    const figures = document.createElement('div');
    figures.className = 'figures';
    [['status', 'Status'], ['processed', 'Processed'], ['recipients', 'Recipients'], ['complete', 'Complete'],
      ['sent', 'Sent'], ['delivered', 'Delivered'], ['deliveryRate', 'Delivery rate'], ['openRate', 'Open rate'],
      ['recipientsPerMinute', 'Per minute'], ['eta', 'ETA']].forEach(([field, label]) => {
      const box = document.createElement('div');
      box.textContent = label;
      const value = document.createElement('span');
      value.dataset.field = field;
      value.textContent = '-';
      box.appendChild(value);
      figures.appendChild(box);
    });
    section.appendChild(figures);
    const chart = document.createElement('div');
    chart.className = 'chart';
    section.appendChild(chart);
    document.getElementById('campaign-list').appendChild(section);
    return { section, bar, chartEl: chart, chart: null, times: [], processed: [], done: false };
  }

  function renderCampaign(id, report) {
    const w = watched.get(id);
    const field = name => w.section.querySelector('[data-field="' + name + '"]');
    const p = report.progress || {};
    const counts = report.counts || {};
    const rates = report.rates || {};
    field('title').textContent = (report.name || id) + ' (' + id + ')';
    field('status').textContent = report.status;
    field('processed').textContent = count(p.processed);
    field('recipients').textContent = count(p.recipients);
    field('complete').textContent = percent(p.complete);
    // A counter nothing has added to yet is absent from the report: it is 0.
    field('sent').textContent = count(counts.sent || 0);
    field('delivered').textContent = count(counts.delivered || 0);
    field('deliveryRate').textContent = percent(rates.deliveryRate);
    field('openRate').textContent = percent(rates.openRate);
    field('recipientsPerMinute').textContent = p.recipientsPerMinute == null ? '-' : Number(p.recipientsPerMinute).toFixed(1);
    field('eta').textContent = p.eta ? new Date(p.eta).toLocaleTimeString() + (p.etaIsLowerBound ? ' or later' : '') : '-';
    w.bar.value = p.complete || 0;
    w.times.push(Date.parse(report.generatedAt) / 1000);
    w.processed.push(p.processed || 0);
    if (w.times.length > HISTORY) {
      w.times.shift();
      w.processed.shift();
    }
    const data = [w.times, w.processed];
    if (!w.chart) {
      w.chart = new uPlot({
        width: width(w.chartEl), height: 200,
        series: [{}, { label: 'processed', stroke: '#3366cc', fill: 'rgba(51,102,204,0.15)', width: 2 }],
        scales: { y: { range: (u, min, max) => [0, Math.max(p.recipients || 0, max, 1)] } },
        axes: [{}, { label: 'recipients' }]
      }, data, w.chartEl);
    } else {
      w.chart.setData(data);
    }
    w.done = report.status === 'sent' || report.status === 'cancelled'; // final: no more change to show
  }

  function refreshCampaigns(sending) {
    const pinned = new URLSearchParams(window.location.search).getAll('campaign');
    sending.concat(pinned).forEach(id => {
      if (!watched.has(id) && watched.size < WATCH_MAX) {
        watched.set(id, campaignSection(id));
      }
    });
    document.getElementById('no-campaigns').classList.toggle('hidden', watched.size > 0);
    // A campaign stays on the page once finished, with its final figures (fetched once more after it stopped).
    const fetches = [];
    watched.forEach((w, id) => {
      if (w.done && w.final) return;
      fetches.push(json('/reports/campaign?campaign=' + encodeURIComponent(id)).then(r => {
        const wasDone = w.done;
        renderCampaign(id, r);
        w.final = wasDone && w.done;
      }));
    });
    return Promise.all(fetches);
  }

  // ------------------------------------------------------------------ providers
  function renderProviders(report) {
    document.getElementById('providers-period').textContent = report.from + ' to ' + report.to;
    fill(document.querySelector('#provider-report tbody'), report.providers, 'providerReport', {
      id: p => p.provider,
      cells: (tr, p) => {
        cell(tr, 'provider', p.provider);
        cell(tr, 'sent', count(p.sent));
        cell(tr, 'share', percent(p.share));
        cell(tr, 'deliveryRate', percent(p.rates.deliveryRate));
        cell(tr, 'openRate', percent(p.rates.openRate));
        cell(tr, 'clickRate', percent(p.rates.clickRate));
        cell(tr, 'bounceRate', percent(p.rates.bounceRate));
        cell(tr, 'complaintRate', percent(p.rates.complaintRate));
        cell(tr, 'estimatedCost', p.estimatedCost == null ? '-' : Number(p.estimatedCost).toFixed(2));
        // send-call latency estimated from the daily histograms (no calls in the period: '-')
        cell(tr, 'latencyP50Ms', p.latency.p50Ms == null ? '-' : Number(p.latency.p50Ms).toFixed(0) + ' ms');
        cell(tr, 'latencyP95Ms', p.latency.p95Ms == null ? '-' : Number(p.latency.p95Ms).toFixed(0) + ' ms');
        cell(tr, 'failovers', count(p.failovers));
      }
    });
  }

  function renderTrends(report) {
    const days = report.days.concat(report.forecast);
    const x = days.map(d => Date.parse(d.day + 'T00:00:00Z') / 1000);
    const actual = report.days.map(d => d.value).concat(report.forecast.map(() => null));
    const lead = report.days.map(() => null);
    if (lead.length) lead[lead.length - 1] = report.days[report.days.length - 1].value; // the forecast line starts at the last day
    const forecast = lead.concat(report.forecast.map(d => d.value));
    const low = report.days.map(() => null).concat(report.forecast.map(d => d.low));
    const high = report.days.map(() => null).concat(report.forecast.map(d => d.high));
    const data = [x, actual, forecast, low, high];
    const el = document.getElementById('trend-chart');
    if (!trendChart) {
      trendChart = new uPlot({
        width: width(el), height: 240,
        series: [{}, { label: 'sent', stroke: '#3366cc', width: 2 },
          { label: 'forecast', stroke: '#d84315', dash: [6, 4], width: 2 },
          { label: 'low', stroke: 'rgba(216,67,21,0.4)' }, { label: 'high', stroke: 'rgba(216,67,21,0.4)' }],
        bands: [{ series: [4, 3], fill: 'rgba(216,67,21,0.12)' }],
        axes: [{}, { label: 'messages' }]
      }, data, el);
    } else {
      trendChart.setData(data);
    }
  }

  // ------------------------------------------------------------------ warming
  function renderWarming(report) {
    fill(document.querySelector('#plans tbody'), report.plans, 'plan', {
      id: p => p.name,
      cells: (tr, p) => {
        cell(tr, 'name', p.name);
        cell(tr, 'provider', p.provider);
        cell(tr, 'state', p.state);
        cell(tr, 'day', p.day + ' / ' + p.scheduleDays);
        cell(tr, 'usedToday', count(p.usedToday));
        cell(tr, 'todayVolume', count(p.todayVolume));
        cell(tr, 'allowanceNow', count(p.allowanceNow));
        const td = cell(tr, 'progress', '');
        const bar = document.createElement('progress');
        bar.max = p.scheduleDays || 1;
        bar.value = p.state === 'warm' ? bar.max : Math.min(p.day, bar.max);
        td.appendChild(bar);
      }
    });
  }

  // ------------------------------------------------------------------ the refresh loop
  function refresh() {
    const error = document.getElementById('error');
    Promise.all([
      json('/reports/status').then(renderStatus).then(refreshCampaigns),
      json('/reports/providers').then(renderProviders),
      json('/reports/trends?metric=sent').then(renderTrends),
      json('/reports/warming').then(renderWarming)
    ]).then(() => {
      refreshes += 1;
      main.dataset.refreshes = String(refreshes);
      main.dataset.updatedAt = new Date().toISOString();
      document.getElementById('updated').textContent = new Date().toLocaleTimeString();
      error.textContent = '';
    }).catch(e => {
      error.textContent = 'Refresh failed: ' + e.message;
    }).finally(() => setTimeout(refresh, refreshMillis));
  }

  refresh();
})();
