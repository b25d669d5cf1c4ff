// The local Slack page. Everything it shows comes from the sandbox as JSON and is put on the page
// as text nodes and attributes set one by one: no HTML string from a message ever reaches the DOM.
"use strict";

const ui = {
  workspaces: [],
  canSend: false,
  team: null,
  user: null,
  channel: null,
  tab: "messages",
  view: null,
  faults: [],
  modalErrors: {},
  // Shortcode -> emoji, from /_ui/static/emoji.json (the app's own shortcodes and the common set).
  emoji: {},
  // The parents (by ts) whose threads are expanded under them.
  openThreads: new Set(),
};

// ---------------------------------------------------------------------------------------------
// Small DOM helpers

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

// Slack escapes &, < and > in message text; what is left in <…> is a link or a mention.
function decode(text) {
  return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function safeUrl(url) {
  const value = decode(url).trim();
  if (/^(https?:|mailto:)/i.test(value)) return value;
  if (value.startsWith("/_sandbox/")) return value;
  return null;
}

function userName(id) {
  for (const ws of ui.workspaces) {
    for (const u of ws.users) if (u.id === id) return u.name;
  }
  return id;
}

function channelName(id) {
  for (const ws of ui.workspaces) {
    for (const c of ws.channels) if (c.id === id) return c.name;
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// mrkdwn (Slack's message formatting) and markdown (the markdown block)

// Shortcodes the table knows become their emoji; others stay as typed. The result is put on the
// page as text like everything else.
function emojify(text) {
  return String(text).replace(/:([a-z0-9_+-]+):/g, (whole, name) => (Object.hasOwn(ui.emoji, name) ? ui.emoji[name] : whole));
}

// A plain_text object's text as Slack shows it: shortcodes as emoji unless it says emoji: false.
function plainText(text) {
  if (!text) return "";
  return text.emoji === false ? String(text.text || "") : emojify(text.text || "");
}

const MRKDWN = /```([\s\S]+?)```|`([^`\n]+)`|<([^<>\n]+)>|(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])|(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])|(\n)/g;

function renderControl(parent, inner) {
  const [target, label] = inner.split("|", 2);
  if (target.startsWith("@")) {
    parent.append(el("span", "mention", "@" + (label || userName(target.slice(1)))));
  } else if (target.startsWith("#")) {
    parent.append(el("span", "mention", "#" + (label || channelName(target.slice(1)))));
  } else if (target.startsWith("!")) {
    parent.append(el("span", "mention", "@" + (label || target.slice(1).split("^")[0])));
  } else {
    const url = safeUrl(target);
    if (url === null) {
      parent.append("<" + decode(inner) + ">");
      return;
    }
    const link = el("a", null, decode(label || target));
    link.href = url;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    parent.append(link);
  }
}

function renderMrkdwn(parent, text) {
  const source = String(text || "");
  let last = 0;
  for (const m of source.matchAll(MRKDWN)) {
    if (m.index > last) parent.append(emojify(decode(source.slice(last, m.index))));
    if (m[1] !== undefined) parent.append(el("pre", null, decode(m[1])));
    else if (m[2] !== undefined) parent.append(el("code", null, decode(m[2])));
    else if (m[3] !== undefined) renderControl(parent, m[3]);
    else if (m[4] !== undefined) { const b = el("b"); renderMrkdwn(b, m[4]); parent.append(b); }
    else if (m[5] !== undefined) { const i = el("i"); renderMrkdwn(i, m[5]); parent.append(i); }
    else if (m[6] !== undefined) { const s = el("s"); renderMrkdwn(s, m[6]); parent.append(s); }
    else parent.append(el("br"));
    last = m.index + m[0].length;
  }
  if (last < source.length) parent.append(emojify(decode(source.slice(last))));
}

const MARKDOWN_INLINE = /`([^`\n]+)`|\*\*([^*\n]+)\*\*|(?<![\w_])__([^_\n]+)__(?![\w_])|(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])|~~([^~\n]+)~~|\[([^\]\n]+)\]\(([^)\s]+)\)/g;

function renderMarkdownInline(parent, text) {
  let last = 0;
  for (const m of text.matchAll(MARKDOWN_INLINE)) {
    if (m.index > last) parent.append(emojify(decode(text.slice(last, m.index))));
    if (m[1] !== undefined) parent.append(el("code", null, m[1]));
    else if (m[2] !== undefined || m[3] !== undefined) { const b = el("b"); renderMarkdownInline(b, m[2] ?? m[3]); parent.append(b); }
    else if (m[4] !== undefined || m[5] !== undefined) { const i = el("i"); renderMarkdownInline(i, m[4] ?? m[5]); parent.append(i); }
    else if (m[6] !== undefined) { const s = el("s"); renderMarkdownInline(s, m[6]); parent.append(s); }
    else {
      const url = safeUrl(m[8]);
      if (url === null) parent.append(decode(m[0]));
      else { const a = el("a", null, decode(m[7])); a.href = url; a.rel = "noopener noreferrer"; a.target = "_blank"; parent.append(a); }
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(emojify(decode(text.slice(last))));
}

function tableCells(line) {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

// Markdown as Slack's markdown block shows it: headings, lists, quotes, code, GFM tables; the
// text is escaped for Slack (&amp; &lt; &gt;) outside code, and decoded here for the reader.
function renderMarkdown(parent, text) {
  const lines = String(text || "").split("\n");
  let list = null;
  let fence = null;
  let table = null;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (fence !== null) {
      if (/^\s{0,3}(```|~~~)/.test(line)) { parent.append(el("pre", null, fence.join("\n"))); fence = null; }
      else fence.push(line);
      continue;
    }
    if (/^\s{0,3}(```|~~~)/.test(line)) { fence = []; list = null; table = null; continue; }
    if (/^\s*\|.*\|\s*$/.test(line)) {
      const next = lines[index + 1] || "";
      if (table === null && /^\s*\|?\s*:?-{3,}/.test(next)) {
        table = el("table", "md-table");
        const head = el("tr");
        for (const cell of tableCells(line)) { const th = el("th"); renderMarkdownInline(th, cell); head.append(th); }
        table.append(head);
        parent.append(table);
        index += 1;
        list = null;
        continue;
      }
      if (table !== null) {
        const row = el("tr");
        for (const cell of tableCells(line)) { const td = el("td"); renderMarkdownInline(td, cell); row.append(td); }
        table.append(row);
        continue;
      }
    }
    table = null;
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (heading) {
      const h = el("div", "block-header md-h" + heading[1].length);
      renderMarkdownInline(h, heading[2]);
      parent.append(h);
      list = null;
    } else if (bullet || numbered) {
      const tag = bullet ? "ul" : "ol";
      if (list === null || list.tagName.toLowerCase() !== tag) { list = el(tag); parent.append(list); }
      const li = el("li");
      renderMarkdownInline(li, (bullet || numbered)[1]);
      list.append(li);
    } else if (quote) {
      const q = el("blockquote");
      renderMarkdownInline(q, quote[1]);
      parent.append(q);
      list = null;
    } else if (line.trim() === "") {
      list = null;
    } else {
      list = null;
      const p = el("p");
      renderMarkdownInline(p, line);
      parent.append(p);
    }
  }
  if (fence !== null) parent.append(el("pre", null, fence.join("\n")));
}

function renderTextObject(parent, text) {
  if (!text) return;
  if (text.type === "mrkdwn") renderMrkdwn(parent, text.text);
  else parent.append(plainText(text));
}

// ---------------------------------------------------------------------------------------------
// Block Kit

function image(url, alt) {
  const img = el("img");
  const safe = safeUrl(url || "");
  if (safe !== null) img.src = safe;
  img.alt = String(alt || "");
  return img;
}

function renderButton(element, blockId, where) {
  const button = el("button", "block-button", element.text ? plainText(element.text) : element.action_id);
  button.type = "button";
  if (element.style === "primary" || element.style === "danger") button.classList.add(element.style);
  button.dataset.actionId = String(element.action_id || "");
  button.dataset.value = String(element.value || "");
  button.addEventListener("click", () => click(element, blockId, where, button));
  return button;
}

function renderElement(parent, element, blockId, where) {
  if (!element) return;
  if (element.type === "button") parent.append(renderButton(element, blockId, where));
  else if (element.type === "image") parent.append(image(element.image_url, element.alt_text));
  else if (element.type === "mrkdwn" || element.type === "plain_text") {
    const span = el("span");
    renderTextObject(span, element);
    parent.append(span);
  } else parent.append(el("span", "unsupported", "[" + element.type + "]"));
}

function renderInput(block) {
  const wrap = el("div", "block input-block");
  const label = el("label");
  renderTextObject(label, block.label);
  wrap.append(label);
  const element = block.element || {};
  let field;
  if (element.type === "conversations_select") {
    // The channels the acting person is in, as Slack's picker offers them.
    field = el("select");
    const ws = workspaceOf(ui.team);
    field.append(el("option", null, "Pick a channel"));
    field.firstChild.value = "";
    for (const c of (ws ? visibleChannels(ws) : [])) {
      const option = el("option", null, "#" + c.name);
      option.value = c.id;
      field.append(option);
    }
  } else {
    field = element.multiline ? el("textarea") : el("input");
    if (!element.multiline) field.type = "text";
  }
  field.dataset.blockId = String(block.block_id || "");
  field.dataset.actionId = String(element.action_id || "");
  if (element.initial_value) field.value = String(element.initial_value);
  if (element.placeholder) field.placeholder = String(element.placeholder.text || "");
  label.htmlFor = field.id = "input-" + field.dataset.blockId;
  wrap.append(field);
  const error = ui.modalErrors[block.block_id];
  if (error) wrap.append(el("div", "input-error", error));
  return wrap;
}

// A context or actions block: its elements side by side in one row.
function renderElements(className, block, where) {
  const node = el("div", className);
  for (const e of block.elements || []) renderElement(node, e, block.block_id, where);
  return node;
}

function renderBlock(block, where) {
  const type = block.type;
  if (type === "section") {
    const node = el("div", "block block-section");
    const body = el("div");
    renderTextObject(body, block.text);
    if (Array.isArray(block.fields)) {
      const fields = el("div", "fields");
      for (const f of block.fields) { const cell = el("div"); renderTextObject(cell, f); fields.append(cell); }
      body.append(fields);
    }
    node.append(body);
    if (block.accessory) {
      node.classList.add("section-with-accessory");
      renderElement(node, block.accessory, block.block_id, where);
    }
    return node;
  }
  if (type === "header") return el("div", "block block-header", plainText(block.text));
  if (type === "divider") return el("hr", "block-divider");
  if (type === "context") return renderElements("block block-context", block, where);
  if (type === "image") {
    const node = el("figure", "block block-image");
    if (block.title) node.append(el("div", "image-title", plainText(block.title)));
    node.append(image(block.image_url, block.alt_text));
    return node;
  }
  if (type === "actions") return renderElements("block actions", block, where);
  if (type === "markdown") {
    const node = el("div", "block block-markdown");
    renderMarkdown(node, block.text);
    return node;
  }
  if (type === "file") return el("div", "block block-file", "📄 file " + (block.external_id || ""));
  if (type === "input") return renderInput(block);
  if (type === "rich_text") {
    const node = el("div", "block");
    const texts = [];
    const walk = (e) => { if (e.text) texts.push(e.text); for (const c of e.elements || []) walk(c); };
    walk(block);
    node.append(texts.join(""));
    return node;
  }
  return el("div", "unsupported", "[unsupported block: " + type + "]");
}

function renderBlocks(parent, blocks, where) {
  for (const block of blocks || []) parent.append(renderBlock(block, where));
}

// ---------------------------------------------------------------------------------------------
// Messages, Home and modals

function renderMessage(message, inThread) {
  const node = el("div", "message");
  node.dataset.ts = message.ts;
  if (message.ephemeral) node.classList.add("ephemeral");
  if (message.reply_broadcast && !inThread) {
    node.classList.add("broadcast");
    node.append(el("div", "broadcast-note", "replied to a thread"));
  }
  const head = el("div", "message-head");
  head.append(el("span", "author", message.author));
  if (message.is_bot) head.append(el("span", "app-badge", "APP"));
  const when = new Date(parseFloat(message.ts) * 1000);
  head.append(el("span", "time", when.toLocaleTimeString()));
  if (message.ephemeral) head.append(el("span", "only-you", "Only visible to you"));
  node.append(head);
  const body = el("div", "message-body");
  const where = { channel: ui.channel, ts: message.ts, ephemeral: !!message.ephemeral };
  if (message.blocks && message.blocks.length) renderBlocks(body, message.blocks, where);
  else renderMrkdwn(body, message.text);
  for (const attachment of message.attachments || []) {
    const box = el("div", "attachment");
    if (attachment.blocks) renderBlocks(box, attachment.blocks, where);
    else renderMrkdwn(box, attachment.text || attachment.fallback || "");
    body.append(box);
  }
  for (const file of message.files || []) {
    const box = el("figure", "file-image");
    box.append(el("div", "image-title", file.title));
    if (file.is_image) box.append(image(file.url, file.alt || file.title));
    else { const a = el("a", null, file.name); a.href = safeUrl(file.url) || "#"; box.append(a); }
    body.append(box);
  }
  if (message.edited) body.append(el("span", "edited", " (edited)"));
  if (message.streaming) { node.classList.add("streaming"); body.append(el("span", "stream-cursor", "▍ writing")); }
  if (message.reply_broadcast && inThread) body.append(el("div", "broadcast-note", "Also sent to the channel"));
  node.append(body);
  if (!inThread && message.replies && message.replies.length) node.append(renderThread(message));
  return node;
}

// "N replies" under a parent, as Slack shows a thread in the channel; a click expands it.
function renderThread(parent) {
  const box = el("div", "thread");
  const count = parent.replies.length;
  const open = ui.openThreads.has(parent.ts);
  const toggle = el("button", "thread-replies", count + (count === 1 ? " reply" : " replies"));
  toggle.type = "button";
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
  toggle.addEventListener("click", () => {
    if (ui.openThreads.has(parent.ts)) ui.openThreads.delete(parent.ts);
    else ui.openThreads.add(parent.ts);
    renderMessages();
  });
  box.append(toggle);
  if (open) {
    const replies = el("div", "thread-messages");
    for (const reply of parent.replies) replies.append(renderMessage(reply, true));
    box.append(replies);
  }
  return box;
}

// The agent thread's status line ("Content Factory is generating…") and the suggestions it opened with.
function renderThreads(list) {
  const threads = (ui.view && ui.view.threads) || [];
  const prompts = document.getElementById("suggestions");
  clear(prompts);
  for (const thread of threads) {
    if (thread.status) list.append(el("div", "thread-status", "Content Factory " + thread.status));
  }
  const latest = threads.filter((t) => t.prompts && t.prompts.length).slice(-1)[0];
  prompts.hidden = !latest;
  if (!latest) return;
  for (const prompt of latest.prompts) {
    const button = el("button", "suggestion", prompt.title);
    button.type = "button";
    button.title = prompt.message;
    button.addEventListener("click", () => send(prompt.message));
    prompts.append(button);
  }
}

function renderMessages() {
  const list = document.getElementById("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  clear(list);
  const view = ui.view;
  if (!view || !view.channel_id) {
    list.append(el("div", "empty", "Pick a channel you are in."));
    return;
  }
  if (!view.messages.length) list.append(el("div", "empty", "No messages yet. Try /content text a haiku about tea"));
  for (const message of view.messages) list.append(renderMessage(message));
  renderThreads(list);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderHome() {
  const home = document.getElementById("home");
  clear(home);
  const view = ui.view && ui.view.home;
  if (!view) {
    home.append(el("div", "empty", "The app has not published a Home for you yet."));
    return;
  }
  renderBlocks(home, view.blocks, { view_id: view.id });
}

let shownModal = "";

function renderModal() {
  const layer = document.getElementById("modal-layer");
  const modals = (ui.view && ui.view.modals) || [];
  const modal = modals[modals.length - 1];
  // Live updates re-render often; a modal that has not changed keeps what is being typed in it.
  const key = modal ? JSON.stringify([modal, ui.modalErrors]) : "";
  if (key === shownModal) return;
  shownModal = key;
  const typed = {};
  for (const field of layer.querySelectorAll("[data-block-id]")) typed[field.dataset.blockId] = field.value;
  clear(layer);
  if (!modal) { layer.hidden = true; return; }
  layer.hidden = false;
  const box = el("div", "modal");
  box.setAttribute("role", "dialog");
  box.dataset.viewId = modal.id;
  box.append(el("h2", "modal-title", plainText(modal.title)));
  const body = el("div", "modal-body");
  renderBlocks(body, modal.blocks, { view_id: modal.id });
  if (ui.modalErrors[""]) body.append(el("div", "input-error", ui.modalErrors[""]));
  box.append(body);
  const footer = el("div", "modal-footer");
  const cancel = el("button", "block-button", modal.close ? plainText(modal.close) : "Cancel");
  cancel.type = "button";
  cancel.id = "modal-close";
  cancel.addEventListener("click", () => post("/_ui/close", { view_id: modal.id }).then(refresh));
  footer.append(cancel);
  if (modal.submit) {
    const submit = el("button", "block-button primary", plainText(modal.submit));
    submit.type = "button";
    submit.id = "modal-submit";
    submit.addEventListener("click", () => submitModal(modal, box));
    footer.append(submit);
  }
  box.append(footer);
  layer.append(box);
  for (const field of box.querySelectorAll("[data-block-id]")) {
    if (typed[field.dataset.blockId] !== undefined) field.value = typed[field.dataset.blockId];
  }
}

// ---------------------------------------------------------------------------------------------
// Sidebar, acting user, faults and activity

function workspaceOf(team) {
  return ui.workspaces.find((w) => w.team_id === team);
}

function visibleChannels(ws) {
  return ws.channels.filter((c) => c.members === null || c.members.includes(ui.user));
}

function renderSidebar() {
  const root = document.getElementById("workspaces");
  clear(root);
  for (const ws of ui.workspaces) {
    const box = el("div", "workspace" + (ws.team_id === ui.team ? "" : " inactive"));
    box.dataset.teamId = ws.team_id;
    const name = el("button", "workspace-name", ws.name);
    name.type = "button";
    name.addEventListener("click", () => switchWorkspace(ws.team_id));
    box.append(name);
    if (ws.team_id === ui.team) {
      for (const channel of visibleChannels(ws)) {
        const link = el("button", "channel-link", (channel.private ? "🔒 " : "# ") + channel.name);
        link.type = "button";
        link.dataset.channelId = channel.id;
        if (channel.archived) link.classList.add("archived");
        if (channel.id === ui.channel) link.classList.add("active");
        link.addEventListener("click", () => { ui.channel = channel.id; showTab("messages"); remember(); refresh(); });
        box.append(link);
      }
      for (const dm of (ui.view && ui.view.dms) || []) {
        const link = el("button", "channel-link", "● " + dm.name);
        link.type = "button";
        link.dataset.channelId = dm.id;
        if (dm.id === ui.channel) link.classList.add("active");
        link.addEventListener("click", async () => {
          ui.channel = dm.id;
          showTab("messages");
          remember();
          if (ui.canSend) await post("/_ui/dm_thread", { team_id: ui.team, user: ui.user });
          refresh();
        });
        box.append(link);
      }
    }
    root.append(box);
  }
  const ws = workspaceOf(ui.team);
  const channel = ws && ws.channels.find((c) => c.id === ui.channel);
  document.getElementById("channel-title").textContent = channel ? "#" + channel.name : "Content Factory (direct message)";
}

function renderActingUsers() {
  const select = document.getElementById("acting-user");
  clear(select);
  for (const ws of ui.workspaces) {
    const group = el("optgroup");
    group.label = ws.name;
    for (const u of ws.users) {
      const option = el("option", null, u.real_name + " (@" + u.name + ")");
      option.value = ws.team_id + "/" + u.id;
      group.append(option);
    }
    select.append(group);
  }
  select.value = ui.team + "/" + ui.user;
}

function renderFaults() {
  const root = document.getElementById("faults");
  clear(root);
  for (const f of ui.faults) {
    const label = el("label", "fault" + (f.available ? "" : " unavailable"));
    const box = el("input");
    box.type = "checkbox";
    box.checked = !!f.on;
    box.disabled = !f.available;
    box.dataset.fault = f.name;
    box.addEventListener("change", () => turnFault(f.name, box.checked));
    label.append(box, " " + f.label);
    if (f.note) label.append(el("span", "fault-note", f.note));
    root.append(label);
  }
}

function renderActivity() {
  const list = document.getElementById("activity");
  clear(list);
  for (const call of ((ui.view && ui.view.activity) || []).slice().reverse()) {
    const item = el("li", call.ok ? "" : "failed", call.method + (call.ok ? " ok" : " " + (call.error || call.status)));
    list.append(item);
  }
}

function render() {
  renderSidebar();
  renderMessages();
  renderHome();
  renderModal();
  renderActivity();
}

// ---------------------------------------------------------------------------------------------
// Talking to the sandbox

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let answer = {};
  try { answer = await response.json(); } catch (e) { answer = { ok: false, error: response.statusText }; }
  return answer;
}

function showError(text) {
  document.getElementById("composer-error").textContent = text || "";
}

let fetching = false;
let again = false;

async function refresh() {
  if (fetching) { again = true; return; }
  fetching = true;
  try {
    do {
      again = false;
      const asked = { team_id: ui.team, user: ui.user, channel: ui.channel || "" };
      const response = await fetch("/_ui/view?" + new URLSearchParams(asked).toString());
      const view = await response.json();
      // Asked for before the acting person or the channel changed: not what the page shows now.
      if (asked.team_id !== ui.team || asked.user !== ui.user || asked.channel !== (ui.channel || "")) {
        again = true;
        continue;
      }
      ui.view = view;
      render();
    } while (again);
  } finally {
    fetching = false;
  }
}

async function refreshFaults() {
  const response = await fetch("/_ui/faults");
  ui.faults = (await response.json()).switches || [];
  renderFaults();
}

async function click(element, blockId, where, button) {
  button.disabled = true;
  const answer = await post("/_ui/click", {
    team_id: ui.team,
    user: ui.user,
    action_id: element.action_id,
    value: element.value || "",
    block_id: blockId || "",
    channel: where.channel,
    ts: where.ts,
    ephemeral: where.ephemeral,
    view_id: where.view_id,
  });
  button.disabled = false;
  showError(answer.ok ? "" : answer.error);
  ui.modalErrors = {};
  refresh();
}

async function submitModal(modal, box) {
  const values = {};
  for (const field of box.querySelectorAll("[data-block-id]")) {
    values[field.dataset.blockId] = values[field.dataset.blockId] || {};
    values[field.dataset.blockId][field.dataset.actionId] = field.value;
  }
  const answer = await post("/_ui/submit", { team_id: ui.team, user: ui.user, view_id: modal.id, values });
  ui.modalErrors = answer.ok ? answer.errors || {} : { "": answer.error };
  refresh();
}

async function send(text) {
  const answer = await post("/_ui/command", { team_id: ui.team, user: ui.user, channel: ui.channel, text });
  showError(answer.ok ? "" : answer.error);
  refresh();
}

async function turnFault(name, on) {
  const answer = await post("/_ui/faults", { name, on });
  if (!answer.ok) showError(answer.error);
  refreshFaults();
}

function switchWorkspace(team) {
  if (team === ui.team) return;
  // The same role in the other workspace: the n-th person there.
  const from = workspaceOf(ui.team);
  const to = workspaceOf(team);
  const index = Math.max(0, from.users.findIndex((u) => u.id === ui.user));
  ui.team = team;
  ui.user = (to.users[index] || to.users[0]).id;
  ui.channel = (visibleChannels(to)[0] || {}).id || null;
  renderActingUsers();
  remember();
  refresh();
}

function showTab(tab) {
  ui.tab = tab;
  document.getElementById("messages").hidden = tab !== "messages";
  document.getElementById("composer").hidden = tab !== "messages";
  document.getElementById("home").hidden = tab !== "home";
  document.getElementById("messages-tab").classList.toggle("active", tab === "messages");
  document.getElementById("home-tab").classList.toggle("active", tab === "home");
}

function remember() {
  const query = new URLSearchParams({ team: ui.team, user: ui.user, channel: ui.channel || "" });
  history.replaceState(null, "", "?" + query.toString());
}

function listen() {
  const status = document.getElementById("connection");
  const source = new EventSource("/_ui/events");
  source.addEventListener("change", () => { refresh(); refreshFaults(); });
  source.addEventListener("open", () => { status.textContent = "live"; document.body.dataset.live = "1"; });
  source.addEventListener("error", () => { status.textContent = "reconnecting…"; });
}

async function loadEmoji() {
  try {
    const response = await fetch("/_ui/static/emoji.json");
    ui.emoji = response.ok ? await response.json() : {};
  } catch (e) {
    ui.emoji = {};
  }
}

async function start() {
  await loadEmoji();
  const response = await fetch("/_ui/workspaces");
  const listing = await response.json();
  ui.workspaces = listing.workspaces || [];
  ui.canSend = !!listing.can_send;
  const wanted = new URLSearchParams(location.search);
  const ws = workspaceOf(wanted.get("team")) || ui.workspaces[0];
  if (!ws) { showError("The sandbox has no workspace."); return; }
  ui.team = ws.team_id;
  const user = ws.users.find((u) => u.id === wanted.get("user") || u.name === wanted.get("user"));
  ui.user = (user || ws.users[0]).id;
  const channel = ws.channels.find((c) => c.id === wanted.get("channel") || c.name === wanted.get("channel"));
  ui.channel = (channel || visibleChannels(ws)[0] || {}).id || null;
  renderActingUsers();
  if (!ui.canSend) showError("This sandbox knows no service: start it with `make run` to send commands.");

  document.getElementById("acting-user").addEventListener("change", (event) => {
    const [team, user] = event.target.value.split("/");
    const changedTeam = team !== ui.team;
    ui.team = team;
    ui.user = user;
    const channels = visibleChannels(workspaceOf(team));
    if (changedTeam || !channels.some((c) => c.id === ui.channel)) ui.channel = (channels[0] || {}).id || null;
    remember();
    refresh();
  });
  document.getElementById("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = document.getElementById("composer-input");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    await send(text);
  });
  document.getElementById("composer-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      document.getElementById("composer").requestSubmit();
    }
  });
  document.getElementById("messages-tab").addEventListener("click", () => showTab("messages"));
  document.getElementById("home-tab").addEventListener("click", async () => {
    showTab("home");
    await post("/_ui/home", { team_id: ui.team, user: ui.user });
    refresh();
  });
  remember();
  await refresh();
  await refreshFaults();
  listen();
  document.body.dataset.ready = "1";
}

start();
