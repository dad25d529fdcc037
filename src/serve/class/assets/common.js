// Shared by the student's and the trainer's pages: texts in both languages, chosen per
// device (kept in this browser's storage), and JSON requests whose refusals are shown in
// plain words. Every name and number is put into the page as text, never as HTML.
"use strict";

const Class = {
  texts: null,
  lang: "en",

  async load() {
    const r = await fetch("/api/text");
    Class.texts = await r.json();
    Class.lang = localStorage.getItem("cadre-lang") ||
      ((navigator.language || "").toLowerCase().startsWith("zh") ? "zh" : "en");
    document.documentElement.lang = Class.lang === "zh" ? "zh-CN" : "en";
  },

  toggleLang() {
    Class.lang = Class.lang === "zh" ? "en" : "zh";
    localStorage.setItem("cadre-lang", Class.lang);
    document.documentElement.lang = Class.lang === "zh" ? "zh-CN" : "en";
  },

  // The text of `key` in the device's language, `{name}` holes filled from `vars`.
  t(key, vars) {
    const entry = Class.texts.ui[key];
    let s = entry ? entry[Class.lang] : key;
    for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  },

  regimeLabel(name) {
    const r = Class.texts.regimes.find((x) => x.name === name);
    return r ? r.label[Class.lang] : name;
  },

  // A JSON request; a refusal throws an Error whose message is the server's plain words
  // in this device's language.
  async api(path, { method = "GET", body, headers = {} } = {}) {
    const h = Object.assign({ "Accept-Language": Class.lang }, headers);
    if (body !== undefined) h["Content-Type"] = "application/json";
    let r;
    try {
      r = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (_) {
      // The server is down or the network gone: the browser's own words ("Failed to
      // fetch") are English whatever the page's language.
      const e = new Error(Class.t("server_down"));
      e.kind = "network";
      throw e;
    }
    const data = await r.json().catch(() => ({}));
    if (!r.ok) {
      const e = new Error((data.messages && data.messages[Class.lang]) || data.message || r.statusText);
      e.kind = data.kind;
      e.status = r.status;
      throw e;
    }
    return data;
  },

  // An element with text (never HTML) and attributes.
  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  },

  tenths(x) { return Math.round(x * 10); },
  pct(x) { return Math.round(x * 100); },
  num(x, d = 1) { return Number.isFinite(x) ? (Math.round(x * 10 ** d) / 10 ** d).toString() : "–"; },
};
