// The hashmon dashboard. Everything shown comes from the JSON API; every piece of text
// from posts or the database goes into the page with textContent, never as HTML, since
// post text is written by strangers.
"use strict";
/* global uPlot */

const COUNTRY_NAMES = {
  BR: "Brazil", PH: "Philippines", GB: "United Kingdom", UG: "Uganda", DE: "Germany", ZA: "South Africa",
  LT: "Lithuania", US: "United States", IN: "India", FR: "France", ES: "Spain", MX: "Mexico", JP: "Japan",
  "??": "Unknown",
};
const REFRESH_MS = 15000;
const state = { tag: null, windowSec: 21600, charts: [] };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function badge(cc) { return el("span", { class: "cc" }, cc); }

function iso(sec) { return new Date(sec * 1000).toISOString().replace(".000Z", "Z"); }
function hhmm(isoText) { return isoText ? isoText.substring(11, 16) : "now"; }
function secs(isoText) { return isoText ? Date.parse(isoText) / 1000 : null; }

async function getJson(path) {
  const res = await fetch(path, { cache: "no-store" });
  if (!res.ok) throw new Error(path + ": HTTP " + res.status);
  return res.json();
}

function setStatus(text, cls) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = "status " + (cls || "");
}

// Outage bands and gap bands behind the series.
function bandsPlugin(bands) {
  return {
    hooks: {
      drawClear: [(u) => {
        const ctx = u.ctx;
        ctx.save();
        for (const b of bands) {
          const x0 = u.valToPos(Math.max(b.from, u.scales.x.min), "x", true);
          const x1 = u.valToPos(Math.min(b.to, u.scales.x.max), "x", true);
          if (x1 <= x0) continue;
          ctx.fillStyle = b.kind === "gap" ? "rgba(120,120,120,0.25)" : "rgba(198,40,40,0.22)";
          ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
        }
        ctx.restore();
      }],
    },
  };
}

// The active silence (hashmon silence add) that holds this country's alerts back, if any.
function silenceOf(silences, cc) {
  return silences.find((s) => s.state === "active" && (s.tag === null || s.tag === state.tag) &&
    (s.country === null || s.country === cc));
}

function renderTiles(countries, totals, outageNow, outageSpans, silences) {
  const tiles = document.getElementById("tiles");
  tiles.replaceChildren();
  for (const cc of countries) {
    const inOutage = outageNow.has(cc);
    const spans = outageSpans[cc] || [];
    const stateText = inOutage ? "outage reported now" : spans.length ? "outage " + spans.join(", ") : "quiet";
    const tile = el("div", { class: "tile" + (inOutage ? " outage" : spans.length ? " had-outage" : ""), "data-country": cc },
      el("div", { class: "name" }, badge(cc), " " + (COUNTRY_NAMES[cc] || cc)),
      el("div", { class: "state" }, stateText),
      el("div", { class: "count" }, (totals[cc] || 0) + " mentions in window"));
    const silence = silenceOf(silences, cc);
    if (silence) {
      tile.append(el("div", { class: "silenced", title: silence.comment },
        "alerts silenced until " + silence.until.replace("T", " ").replace("Z", " UTC")));
    }
    tiles.append(tile);
  }
}

function renderCharts(countries, series, bandsByCountry, since, until, step) {
  for (const c of state.charts) c.destroy();
  state.charts = [];
  const box = document.getElementById("charts");
  box.replaceChildren();
  const xs = [];
  for (let t = since - (since % step); t <= until; t += step) xs.push(t);
  for (const cc of countries) {
    const counts = series[cc] || {};
    const ys = xs.map((t) => counts[t] || 0);
    const holder = el("div", { class: "chart", "data-country": cc }, el("h3", {}, badge(cc), " " + (COUNTRY_NAMES[cc] || cc)));
    box.append(holder);
    const opts = {
      width: Math.max(300, holder.clientWidth - 16), height: 160,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
      plugins: [bandsPlugin(bandsByCountry[cc] || [])],
      scales: { x: { time: true, min: xs[0], max: xs[xs.length - 1] } },
      axes: [{}, { size: 40 }],
      series: [{}, { label: "#" + state.tag, stroke: "#1565c0", width: 1.5, fill: "rgba(21,101,192,0.08)" }],
      legend: { show: false },
    };
    state.charts.push(new uPlot(opts, [xs, ys], holder));
  }
}

function renderIncidents(outages) {
  const box = document.getElementById("incidents");
  box.replaceChildren();
  if (!outages.length) {
    box.append(el("p", { class: "empty" }, "No outage reported in this window."));
    return;
  }
  for (const o of outages.slice().reverse()) {
    const title = el("h3", {}, "#" + o.tag + " — " + (o.countries.length > 1 ? "international incident" : "outage") +
      " " + o.id + ": " + o.started.replace("T", " ").replace("Z", " UTC") + " to " +
      (o.ended ? hhmm(o.ended) + " UTC" : "now"));
    if (!o.ended) title.append(el("span", { class: "badge" }, "ongoing"));
    const table = el("table", {}, el("tr", {}, el("th", {}, "country"), el("th", {}, "from"), el("th", {}, "to"),
      el("th", {}, "mentions"), el("th", {}, "peak/min")));
    for (const c of o.countries) {
      const country = el("td", {}, badge(c.country));
      // Provisional: withdrawn (it leaves the incident) unless it says more within minutes.
      if (c.provisional) country.append(el("span", { class: "provisional", title: "withdrawn unless it says more within minutes" }, "provisional"));
      // An outage that came back after it ended: when, each time (the row spans them all).
      for (const w of (c.waves || []).slice(1)) {
        country.append(el("span", { class: "back", title: "it ended, then came back" }, "back " + hhmm(w.started)));
      }
      table.append(el("tr", {}, country, el("td", {}, hhmm(c.started)),
        el("td", {}, hhmm(c.ended)), el("td", {}, c.mentions), el("td", {}, c.peak_count)));
    }
    const evidence = el("ul", { class: "evidence" });
    for (const e of o.evidence) {
      const text = e.text === null ? el("span", { class: "deleted" }, "(deleted by its author)") : el("span", { class: "text" }, e.text);
      evidence.append(el("li", {}, el("span", { class: "meta" }, e.country + " · " + hhmm(e.created_at) + " · " + e.source), text));
    }
    box.append(el("div", { class: "incident" + (o.ended ? " ended" : ""), id: "outage-" + o.id }, title, table, evidence));
  }
}

async function refresh() {
  const status = await getJson("/api/v1/status");
  // An alert links to its outage (#outage-3): the view opens on it, whenever it was.
  if (state.focusId && !state.focus) {
    state.focus = await getJson("/api/v1/outages/" + state.focusId).catch(() => ({}));
    if (state.focus.tag) state.tag = state.focus.tag;
  }
  const tagSelect = document.getElementById("tag");
  if (!tagSelect.options.length) {
    state.tag = state.tag || status.tags[0] || "twitterdown";
    const tags = status.tags.includes(state.tag) ? status.tags : status.tags.concat(state.tag);
    for (const t of tags) tagSelect.append(el("option", { value: t }, "#" + t));
    tagSelect.value = state.tag;
  }
  // A live collector shows the last hours; a database of history shows its latest
  // outage (or its last data) with some time around it.
  const newest = secs(status.newest_count_time) || Date.now() / 1000;
  let until;
  if (state.focus && state.focus.started) {
    const f = state.focus;
    until = Math.max(secs(f.ended) || newest, secs(f.started)) + state.windowSec / 4;
  } else if (status.live) until = Math.max(newest, Date.now() / 1000);
  else if (status.latest_outage) {
    const o = status.latest_outage;
    const end = secs(o.ended) || newest;
    until = Math.min(newest, Math.max(end, secs(o.started)) + state.windowSec / 4);
  } else until = newest;
  // A week of minutes is 10,080 points a country, a few megabytes every refresh for the
  // busy tags; ten-minute buckets draw the same week at a tenth of that.
  const step = state.windowSec > 86400 ? 600 : 60;
  // On bucket boundaries: a bucket the window cut would show only its part.
  until = Math.ceil(until / step) * step + step;
  const since = until - state.windowSec;
  const q = "since=" + iso(since) + "&until=" + iso(until);
  const [counts, outages, gaps, silences] = await Promise.all([
    getJson("/api/v1/counts?tag=" + encodeURIComponent(state.tag) + "&" + q + "&every=" + step / 60 + "m"),
    getJson("/api/v1/outages?tag=" + encodeURIComponent(state.tag) + "&" + q),
    getJson("/api/v1/gaps?" + q),
    getJson("/api/v1/silences").catch(() => []),  // a database older than silences has none
  ]);
  const series = {}, totals = {};
  for (const r of counts) {
    (series[r.country] = series[r.country] || {})[secs(r.time)] = r.count;
    totals[r.country] = (totals[r.country] || 0) + r.count;
  }
  const bands = {}, outageNow = new Set(), outageSpans = {};
  for (const o of outages) {
    for (const c of o.countries) {
      for (const w of c.waves || [c]) {  // a band for each time it was down
        (bands[c.country] = bands[c.country] || []).push({ kind: "outage", from: secs(w.started), to: secs(w.ended) || until });
        (outageSpans[c.country] = outageSpans[c.country] || []).push(hhmm(w.started) + "–" + hhmm(w.ended));
      }
      if (!c.ended) outageNow.add(c.country);
    }
  }
  for (const cc of Object.keys(series).concat(status.watched_countries)) {
    // Only where posts may be missing: a disconnection whose posts came again holds data.
    for (const g of gaps) {
      if (g.posts_missing_from === null) continue;
      (bands[cc] = bands[cc] || []).push({ kind: "gap", from: secs(g.posts_missing_from || g.from), to: secs(g.to) || until });
    }
  }
  const countries = status.watched_countries.slice();
  for (const cc of Object.keys(bands)) if (!countries.includes(cc) && cc !== "??") countries.push(cc);
  document.getElementById("window-label").textContent = iso(since) + " to " + iso(until) + ", mentions per " + (step / 60) + " min";
  document.getElementById("charts-title").textContent = step === 60 ? "Mentions per minute" : "Mentions per " + step / 60 + " minutes";
  renderTiles(countries, totals, outageNow, outageSpans, silences);
  renderCharts(countries, series, bands, since, until, step);
  renderIncidents(outages);
  const linked = state.focusId && document.getElementById("outage-" + state.focusId);
  if (linked) {
    linked.classList.add("focus");
    if (!state.scrolled) linked.scrollIntoView();
    state.scrolled = true;
  }
  const src = status.sources[0];
  if (status.live && src) setStatus(src.name + ": " + src.state + ", lag " + Math.round(src.cursor_lag_seconds) + " s", src.state === "connected" ? "live" : "down");
  else setStatus("history in " + status.db + " (read-only)");
  document.body.dataset.rendered = "yes";
}

function loop() {
  refresh().catch((e) => setStatus("cannot load: " + e.message, "down")).finally(() => setTimeout(loop, REFRESH_MS));
}

// The view is kept in the address's fragment (#window=604800&tag=twitterdown), so that a
// bookmark or a link sent to a colleague opens the same tag and time window.
function readView() {
  const outage = location.hash.match(/^#outage-(\d+)$/);
  if (outage) state.focusId = +outage[1];
  const view = new URLSearchParams(location.hash.slice(1));
  const windowSelect = document.getElementById("window");
  const windowSec = view.get("window");
  if ([...windowSelect.options].some((o) => o.value === windowSec)) {
    state.windowSec = +windowSec;
    windowSelect.value = windowSec;
  }
  if (view.get("tag")) state.tag = view.get("tag");  // shown once the status lists the tags
}

function keepView() {
  state.focusId = state.focus = null;  // the user moved on from the outage a link opened
  history.replaceState(null, "", "#" + new URLSearchParams({ window: state.windowSec, tag: state.tag }));
}

document.getElementById("tag").addEventListener("change", (e) => { state.tag = e.target.value; keepView(); refresh(); });
document.getElementById("window").addEventListener("change", (e) => { state.windowSec = +e.target.value; keepView(); refresh(); });
readView();
loop();
