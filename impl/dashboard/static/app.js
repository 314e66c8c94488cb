// hearth admin dashboard: a single page over hearth's admin API
// (/_synapse/admin, /_hearth/admin) and the client API for signing in.
// Hand-written, no build step, no libraries, no requests beyond this
// server (the page's CSP is default-src 'self'). Text from the server is
// only ever set as text, never as HTML.
"use strict";

(() => {
  const TOKEN_KEY = "hearth.admin.token";
  const USER_KEY = "hearth.admin.user";
  const PAGE = 25;

  let token = sessionStorage.getItem(TOKEN_KEY);
  let me = sessionStorage.getItem(USER_KEY) || "";

  const $ = (sel) => document.querySelector(sel);

  // h builds an element: h("td", {class: "num"}, "42"). Strings become text
  // nodes; on* attributes become listeners.
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "value") el.value = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    append(el, children);
    return el;
  }
  function append(el, children) {
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  const SVG = "http://www.w3.org/2000/svg";
  function s(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return el;
  }

  // --- API -------------------------------------------------------------

  class APIError extends Error {
    constructor(status, errcode, message) {
      super(message || errcode || `HTTP ${status}`);
      this.status = status;
      this.errcode = errcode;
    }
  }

  async function api(method, path, body, auth = true) {
    const headers = {};
    if (auth && token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let data = {};
    try { data = await res.json(); } catch (_) { /* empty body */ }
    if (!res.ok) {
      if (auth && res.status === 401) {
        forget();
        render();
      }
      throw new APIError(res.status, data.errcode, data.error);
    }
    return data;
  }
  const enc = encodeURIComponent;
  const qs = (params) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
    const str = p.toString();
    return str ? "?" + str : "";
  };
  const serverName = () => me.slice(me.indexOf(":") + 1);
  const userID = (input) => input.startsWith("@") ? input : `@${input}:${serverName()}`;

  // --- formatting --------------------------------------------------------

  const nf = new Intl.NumberFormat();
  const num = (n) => nf.format(n ?? 0);
  function bytes(n) {
    n = n || 0;
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + " " + units[i];
  }
  function duration(sec) {
    const d = Math.floor(sec / 86400), hr = Math.floor(sec % 86400 / 3600), m = Math.floor(sec % 3600 / 60);
    if (d) return `${d}d ${hr}h`;
    if (hr) return `${hr}h ${m}m`;
    return `${m}m ${Math.floor(sec % 60)}s`;
  }
  const when = (ms) => ms ? new Date(ms).toLocaleString() : "—";
  const badge = (kind, text) => h("span", { class: "badge " + kind }, text || kind);

  // --- toast and modal ---------------------------------------------------

  let toastTimer;
  function toast(msg, bad = false) {
    const t = $("#toast");
    t.textContent = msg;
    t.className = "toast" + (bad ? " bad" : "");
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
  }
  const fail = (e) => toast(e instanceof APIError ? `${e.errcode || "Error"}: ${e.message}` : String(e), true);

  // modal shows a form; it resolves with the form's values, or null when
  // cancelled. fields: [{name, label, type, value, required, checked}].
  function modal({ title, text, fields = [], submit = "OK", danger = false }) {
    const dlg = $("#modal");
    return new Promise((resolve) => {
      const inputs = fields.map((f) => f.type === "checkbox"
        ? h("label", { class: "check" }, h("input", { type: "checkbox", name: f.name, checked: f.checked }), f.label)
        : h("label", {}, f.label, h("input", { type: f.type || "text", name: f.name, value: f.value, required: f.required,
          placeholder: f.placeholder, min: f.min, autocomplete: "off" })));
      const form = h("form", { method: "dialog" },
        h("h2", {}, title), text ? h("p", {}, text) : null, inputs,
        h("div", { class: "actions" },
          h("button", { type: "button", value: "cancel", onclick: () => { dlg.close(); } }, "Cancel"),
          h("button", { type: "submit", class: danger ? "danger" : "primary", "data-test": "modal-submit" }, submit)));
      let result = null;
      form.addEventListener("submit", (ev) => {
        ev.preventDefault();
        result = {};
        for (const f of fields) {
          const el = form.elements[f.name];
          result[f.name] = f.type === "checkbox" ? el.checked : el.value;
        }
        dlg.close();
      });
      dlg.replaceChildren(form);
      dlg.addEventListener("close", () => resolve(result), { once: true });
      dlg.showModal();
      const first = form.querySelector("input");
      if (first) first.focus();
    });
  }
  const confirmAction = (title, text, submit) => modal({ title, text, submit, danger: true }).then((r) => r !== null);

  // --- sign in -----------------------------------------------------------

  function forget() {
    token = null;
    me = "";
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(USER_KEY);
  }

  async function signIn(ev) {
    ev.preventDefault();
    const err = $("#signin-error");
    err.hidden = true;
    const btn = $("#signin-submit");
    btn.disabled = true;
    try {
      const user = $("#signin-user").value.trim();
      const res = await api("POST", "/_matrix/client/v3/login", {
        type: "m.login.password",
        identifier: { type: "m.id.user", user },
        password: $("#signin-password").value,
        initial_device_display_name: "hearth admin dashboard",
      }, false);
      token = res.access_token;
      me = res.user_id;
      try {
        await api("GET", `/_synapse/admin/v1/users/${enc(me)}/admin`);
      } catch (e) {
        await api("POST", "/_matrix/client/v3/logout", {}).catch(() => {});
        forget();
        throw new Error(e.status === 403 ? "This account is not a server admin." : e.message);
      }
      sessionStorage.setItem(TOKEN_KEY, token);
      sessionStorage.setItem(USER_KEY, me);
      $("#signin-password").value = "";
      if (!location.hash || location.hash === "#/") {
        location.hash = "#/overview"; // the hashchange renders
      } else {
        render();
      }
    } catch (e) {
      err.textContent = e instanceof APIError && e.errcode === "M_FORBIDDEN" ? "Wrong username or password." : e.message;
      err.hidden = false;
    } finally {
      btn.disabled = false;
    }
  }

  async function signOut() {
    await api("POST", "/_matrix/client/v3/logout", {}).catch(() => {});
    forget();
    render();
  }

  // --- routing -----------------------------------------------------------

  const routes = {
    overview: viewOverview,
    users: viewUsers,
    rooms: viewRooms,
    reports: viewReports,
    tokens: viewTokens,
    audit: viewAudit,
  };

  function render() {
    const signedIn = Boolean(token);
    $("#signin").hidden = signedIn;
    $("#app").hidden = !signedIn;
    if (!signedIn) {
      $("#signin-user").focus();
      return;
    }
    $("#whoami").textContent = me;
    const [section, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
    const name = routes[section] ? section : "overview";
    for (const a of document.querySelectorAll(".sidebar a")) a.classList.toggle("active", a.dataset.section === name);
    const view = $("#view");
    view.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    routes[name](view, rest.map(decodeURIComponent)).catch((e) => {
      view.replaceChildren(h("div", { class: "card error" }, e instanceof APIError ? `${e.errcode}: ${e.message}` : String(e)));
    });
  }

  function head(title, ...extra) {
    return h("div", { class: "view-head" }, h("h1", {}, title), h("div", { class: "actions" }, extra));
  }

  // table renders rows of objects with columns [{title, get(row), num}].
  function table(columns, rows, onclick, testid) {
    if (!rows.length) return h("div", { class: "table-wrap", "data-test": testid }, h("div", { class: "empty" }, "Nothing here."));
    return h("div", { class: "table-wrap", "data-test": testid }, h("table", {},
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : null }, c.title)))),
      h("tbody", {}, rows.map((r) => h("tr", { class: onclick ? "clickable" : null, onclick: onclick ? () => onclick(r) : null },
        columns.map((c) => h("td", { class: c.num ? "num" : null }, c.get(r))))))));
  }

  function pager(from, shown, total, go) {
    return h("div", { class: "pager" },
      h("span", {}, total ? `${num(from + 1)}–${num(from + shown)} of ${num(total)}` : ""),
      h("div", { class: "buttons" },
        h("button", { class: "small", disabled: from === 0, onclick: () => go(Math.max(from - PAGE, 0)) }, "Previous"),
        h("button", { class: "small", disabled: from + shown >= total, onclick: () => go(from + PAGE) }, "Next")));
  }

  // --- overview ----------------------------------------------------------

  // barChart draws daily values as bars in an inline SVG.
  function barChart(title, days, key, format, color) {
    const W = 600, H = 170, top = 10, bottom = 24, left = 8, right = 8;
    const values = days.map((d) => d[key]);
    const max = Math.max(1, ...values);
    const bw = (W - left - right) / values.length;
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title });
    svg.append(s("line", { class: "axis", x1: left, x2: W - right, y1: H - bottom, y2: H - bottom }));
    values.forEach((v, i) => {
      const hgt = (H - top - bottom) * v / max;
      const x = left + i * bw;
      const bar = s("rect", { class: "bar " + (color || ""), x: (x + 1).toFixed(1), y: (H - bottom - hgt).toFixed(1),
        width: Math.max(bw - 2, 1).toFixed(1), height: Math.max(hgt, v > 0 ? 1 : 0).toFixed(1) });
      bar.append(s("title", {}, `${days[i].day}: ${format(v)}`));
      svg.append(bar);
      if ((values.length - 1 - i) % 7 === 0) { // weekly, ending today
        svg.append(s("text", { class: "tick", x: (x + bw / 2).toFixed(1), y: H - 8, "text-anchor": "middle" }, days[i].day.slice(5)));
      }
    });
    const total = values.reduce((a, b) => a + b, 0);
    return h("div", { class: "card chart" }, h("h3", {}, h("span", {}, title), h("span", { class: "muted" }, `${format(total)} in ${days.length} days`)), svg);
  }

  function stat(label, value, sub) {
    return h("div", { class: "card stat" }, h("div", { class: "label" }, label), h("div", { class: "value" }, value),
      h("div", { class: "sub" }, sub || "\u00a0"));
  }

  async function viewOverview(view) {
    const o = await api("GET", "/_hearth/admin/v1/overview?days=30");
    const u = o.users, r = o.rooms;
    view.replaceChildren(
      head("Overview", h("span", { class: "muted" }, `${o.server_name} · ${o.server_version}`)),
      h("div", { class: "stats", "data-test": "stats" },
        stat("Users", num(u.total), `${num(u.active)} active · ${num(u.admins)} admins · ${num(u.deactivated)} deactivated`),
        stat("Rooms", num(r.total), `${num(r.public)} public · ${num(r.blocked)} blocked`),
        stat("Events", num(o.events)),
        stat("Media", bytes(o.media.bytes), `${num(o.media.count)} files`),
        stat("Database", bytes(o.database_bytes)),
        stat("Uptime", duration(o.uptime_seconds), `since ${when(o.started_ts)}`),
        stat("Open reports", num(o.reports)),
        stat("Moderated", num(u.locked + u.suspended), `${num(u.locked)} locked · ${num(u.suspended)} suspended`)),
      h("div", { class: "charts" },
        barChart("New users", o.daily, "registrations", num),
        barChart("Events", o.daily, "events", num, "blue"),
        barChart("New rooms", o.daily, "rooms", num, "green"),
        barChart("Uploads", o.daily, "media_bytes", bytes)));
  }

  // --- users -------------------------------------------------------------

  function userBadges(u) {
    return [u.admin && badge("admin"), u.is_guest && badge("guest"), u.deactivated && badge("deactivated"),
      u.locked && badge("locked"), u.suspended && badge("suspended")];
  }

  async function viewUsers(view, [id]) {
    if (id) return viewUser(view, id);
    const state = viewUsers.state || (viewUsers.state = { q: "", from: 0, deactivated: false, guests: true });
    const search = h("input", { type: "search", placeholder: "Search user IDs", value: state.q, "aria-label": "Search users", "data-test": "user-search" });
    const showDeactivated = h("input", { type: "checkbox", checked: state.deactivated });
    const list = h("div", {});
    async function load() {
      const res = await api("GET", "/_synapse/admin/v2/users" + qs({
        from: state.from, limit: PAGE, name: state.q, deactivated: state.deactivated, locked: true, order_by: "name",
      }));
      list.replaceChildren(
        table([
          { title: "User", get: (u) => h("span", { class: "mono" }, u.name) },
          { title: "", get: userBadges },
          { title: "Created", get: (u) => when(u.creation_ts) },
          { title: "Last seen", get: (u) => when(u.last_seen_ts) },
        ], res.users, (u) => { location.hash = "#/users/" + enc(u.name); }, "users"),
        pager(state.from, res.users.length, res.total, (f) => { state.from = f; load().catch(fail); }));
    }
    let timer;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => { state.q = search.value.trim(); state.from = 0; load().catch(fail); }, 250);
    });
    showDeactivated.addEventListener("change", () => { state.deactivated = showDeactivated.checked; state.from = 0; load().catch(fail); });
    view.replaceChildren(
      head("Users", h("button", { class: "primary", onclick: createUser, "data-test": "create-user" }, "Create user")),
      h("div", { class: "toolbar" }, search, h("label", { class: "check" }, showDeactivated, "Show deactivated")),
      list);
    await load();
  }

  async function createUser() {
    const v = await modal({
      title: "Create user",
      fields: [
        { name: "user", label: "Username", required: true, placeholder: "alice" },
        { name: "password", label: "Password", type: "password", required: true },
        { name: "displayname", label: "Display name" },
        { name: "admin", label: "Server admin", type: "checkbox" },
      ],
      submit: "Create",
    });
    if (!v) return;
    const id = userID(v.user.trim());
    try {
      await api("PUT", "/_synapse/admin/v2/users/" + enc(id), {
        password: v.password, admin: v.admin, displayname: v.displayname || undefined,
      });
      toast(`Created ${id}`);
      location.hash = "#/users/" + enc(id);
    } catch (e) { fail(e); }
  }

  async function viewUser(view, id) {
    const path = "/_synapse/admin/v2/users/" + enc(id);
    const [u, devs, rooms] = await Promise.all([
      api("GET", path),
      api("GET", path + "/devices"),
      api("GET", `/_synapse/admin/v1/users/${enc(id)}/joined_rooms`),
    ]);
    const refresh = () => render();
    const act = (fn, done) => async () => {
      try { await fn(); toast(done); refresh(); } catch (e) { fail(e); }
    };
    const moderation = (kind, on) => api("PUT", `/_matrix/client/v1/admin/${kind}/${enc(id)}`, { [kind === "lock" ? "locked" : "suspended"]: on });
    const actions = [];
    if (!u.deactivated) {
      actions.push(
        h("button", { onclick: resetPassword }, "Reset password"),
        h("button", { onclick: act(() => moderation("lock", !u.locked), u.locked ? "Unlocked" : "Locked") }, u.locked ? "Unlock" : "Lock"),
        h("button", { onclick: act(() => moderation("suspend", !u.suspended), u.suspended ? "Suspension lifted" : "Suspended") },
          u.suspended ? "Lift suspension" : "Suspend"),
        id !== me && h("button", { onclick: act(() => api("PUT", `/_synapse/admin/v1/users/${enc(id)}/admin`, { admin: !u.admin }), "Saved") },
          u.admin ? "Remove admin" : "Make admin"),
        id !== me && h("button", { class: "danger", onclick: deactivate, "data-test": "deactivate" }, "Deactivate"));
    }
    async function resetPassword() {
      const v = await modal({ title: "Reset password", text: id, fields: [
        { name: "password", label: "New password", type: "password", required: true },
        { name: "logout", label: "Log out all sessions", type: "checkbox", checked: true }], submit: "Reset" });
      if (!v) return;
      act(() => api("POST", "/_synapse/admin/v1/reset_password/" + enc(id), { new_password: v.password, logout_devices: v.logout }),
        "Password reset")();
    }
    async function deactivate() {
      const v = await modal({ title: "Deactivate account", danger: true, submit: "Deactivate",
        text: `${id} will be logged out everywhere, leave every room and never sign in again.`,
        fields: [{ name: "erase", label: "Also mark the account's data for erasure", type: "checkbox" }] });
      if (!v) return;
      act(() => api("POST", "/_synapse/admin/v1/deactivate/" + enc(id), { erase: v.erase }), `Deactivated ${id}`)();
    }
    const deleteDevice = (d) => async () => {
      if (!await confirmAction("Log out device", `Log ${d.device_id} out?`, "Log out")) return;
      act(() => api("DELETE", `${path}/devices/${enc(d.device_id)}`), "Device logged out")();
    };
    view.replaceChildren(
      head(id, h("a", { href: "#/users" }, "← All users")),
      h("div", { class: "detail" },
        h("div", { class: "card" }, h("h2", {}, "Account"),
          h("dl", { class: "facts", "data-test": "user-facts" },
            h("dt", {}, "Status"), h("dd", {}, userBadges(u).filter(Boolean).length ? userBadges(u) : "active"),
            h("dt", {}, "Display name"), h("dd", {}, u.displayname || "—"),
            h("dt", {}, "Type"), h("dd", {}, u.user_type || "regular"),
            h("dt", {}, "Created"), h("dd", {}, when(u.creation_ts)),
            h("dt", {}, "Last seen"), h("dd", {}, when(u.last_seen_ts)),
            h("dt", {}, "Erased"), h("dd", {}, u.erased ? "yes" : "no")),
          h("div", { class: "actions" }, actions)),
        h("div", { class: "card" }, h("h2", {}, `Rooms (${rooms.total})`),
          rooms.joined_rooms.length ? h("ul", {}, rooms.joined_rooms.map((r) => h("li", {}, h("a", { class: "mono", href: "#/rooms/" + enc(r) }, r))))
            : h("p", { class: "muted" }, "Not in any room."))),
      h("h2", {}, `Devices (${devs.total})`),
      table([
        { title: "Device", get: (d) => h("span", { class: "mono" }, d.device_id) },
        { title: "Name", get: (d) => d.display_name || "—" },
        { title: "Last seen", get: (d) => when(d.last_seen_ts) },
        { title: "IP", get: (d) => d.last_seen_ip || "—" },
        { title: "", get: (d) => h("button", { class: "small", onclick: deleteDevice(d) }, "Log out") },
      ], devs.devices, null, "devices"));
  }

  // --- rooms -------------------------------------------------------------

  async function viewRooms(view, [id]) {
    if (id) return viewRoom(view, id);
    const state = viewRooms.state || (viewRooms.state = { q: "", from: 0, order: "name", dir: "f" });
    const search = h("input", { type: "search", placeholder: "Search names, aliases, IDs", value: state.q, "aria-label": "Search rooms" });
    const order = h("select", { "aria-label": "Order by" },
      [["name", "Name"], ["joined_members", "Members"], ["joined_local_members", "Local members"], ["state_events", "State events"],
        ["creator", "Creator"], ["version", "Version"]].map(([v, t]) => h("option", { value: v, selected: v === state.order }, t)));
    const dir = h("select", { "aria-label": "Direction" }, h("option", { value: "f", selected: state.dir === "f" }, "Ascending"),
      h("option", { value: "b", selected: state.dir === "b" }, "Descending"));
    const list = h("div", {});
    async function load() {
      const res = await api("GET", "/_synapse/admin/v1/rooms" + qs({ from: state.from, limit: PAGE, search_term: state.q, order_by: state.order, dir: state.dir }));
      list.replaceChildren(
        table([
          { title: "Room", get: (r) => h("div", {}, h("div", {}, r.name || r.canonical_alias || "(unnamed)"), h("div", { class: "muted mono" }, r.room_id)) },
          { title: "", get: (r) => [r.public && badge("public"), r.encryption && badge("guest", "encrypted")] },
          { title: "Members", num: true, get: (r) => num(r.joined_members) },
          { title: "Local", num: true, get: (r) => num(r.joined_local_members) },
          { title: "Creator", get: (r) => h("span", { class: "mono" }, r.creator) },
          { title: "Version", get: (r) => r.version },
        ], res.rooms, (r) => { location.hash = "#/rooms/" + enc(r.room_id); }, "rooms"),
        pager(state.from, res.rooms.length, res.total_rooms, (f) => { state.from = f; load().catch(fail); }));
    }
    let timer;
    search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => { state.q = search.value.trim(); state.from = 0; load().catch(fail); }, 250);
    });
    order.addEventListener("change", () => { state.order = order.value; state.from = 0; load().catch(fail); });
    dir.addEventListener("change", () => { state.dir = dir.value; state.from = 0; load().catch(fail); });
    view.replaceChildren(head("Rooms"), h("div", { class: "toolbar" }, search, order, dir), list);
    await load();
  }

  async function viewRoom(view, id) {
    const base = "/_synapse/admin/v1/rooms/" + enc(id);
    const [r, members] = await Promise.all([api("GET", base), api("GET", base + "/members")]);
    async function toggleBlock() {
      try {
        await api("PUT", base + "/block", { block: !r.blocked });
        toast(r.blocked ? "Unblocked" : "Blocked");
        render();
      } catch (e) { fail(e); }
    }
    async function deleteRoom() {
      const v = await modal({ title: "Delete room", danger: true, submit: "Delete",
        text: "Every local member leaves the room and its local aliases are removed.",
        fields: [
          { name: "purge", label: "Purge its history from the database", type: "checkbox", checked: true },
          { name: "block", label: "Block it: nobody may join again", type: "checkbox", checked: true },
          { name: "message", label: "Message to the members (moves them to a notice room)", placeholder: "optional" }] });
      if (!v) return;
      try {
        const body = { purge: v.purge, block: v.block };
        if (v.message) Object.assign(body, { message: v.message, new_room_user_id: me });
        const { delete_id: deleteID } = await api("DELETE", "/_synapse/admin/v2/rooms/" + enc(id), body);
        toast("Deleting…");
        for (let i = 0; i < 600; i++) {
          const st = await api("GET", "/_synapse/admin/v2/rooms/delete_status/" + enc(deleteID));
          if (st.status === "complete") {
            toast(`Deleted: ${st.shutdown_room.kicked_users.length} members removed`);
            location.hash = "#/rooms";
            return;
          }
          if (st.status === "failed") throw new Error(st.error || "the deletion failed");
          await new Promise((res) => setTimeout(res, 500));
        }
      } catch (e) { fail(e); }
    }
    view.replaceChildren(
      head(r.name || r.canonical_alias || id, h("a", { href: "#/rooms" }, "← All rooms")),
      h("div", { class: "detail" },
        h("div", { class: "card" }, h("h2", {}, "Room"),
          h("dl", { class: "facts", "data-test": "room-facts" },
            h("dt", {}, "ID"), h("dd", { class: "mono" }, id),
            h("dt", {}, "Alias"), h("dd", {}, r.canonical_alias || "—"),
            h("dt", {}, "Topic"), h("dd", {}, r.topic || "—"),
            h("dt", {}, "Creator"), h("dd", { class: "mono" }, r.creator),
            h("dt", {}, "Version"), h("dd", {}, r.version),
            h("dt", {}, "Join rule"), h("dd", {}, r.join_rules || "—"),
            h("dt", {}, "History"), h("dd", {}, r.history_visibility || "—"),
            h("dt", {}, "Encryption"), h("dd", {}, r.encryption || "none"),
            h("dt", {}, "Members"), h("dd", {}, `${num(r.joined_members)} (${num(r.joined_local_members)} local, ${num(r.joined_local_devices)} devices)`),
            h("dt", {}, "State events"), h("dd", {}, num(r.state_events)),
            h("dt", {}, "Status"), h("dd", {}, [r.public && badge("public"), r.blocked && badge("blocked")].filter(Boolean).length
              ? [r.public && badge("public"), r.blocked && badge("blocked")] : "—")),
          h("div", { class: "actions" },
            h("button", { onclick: toggleBlock }, r.blocked ? "Unblock" : "Block"),
            h("button", { class: "danger", onclick: deleteRoom }, "Delete room"))),
        h("div", { class: "card" }, h("h2", {}, `Members (${members.total})`),
          members.members.length ? h("ul", {}, members.members.map((m) => h("li", {}, h("a", { class: "mono", href: "#/users/" + enc(m) }, m))))
            : h("p", { class: "muted" }, "Nobody is joined."))));
  }

  // --- reports -----------------------------------------------------------

  async function viewReports(view) {
    const state = viewReports.state || (viewReports.state = { from: 0 });
    const list = h("div", {});
    async function load() {
      const res = await api("GET", "/_synapse/admin/v1/event_reports" + qs({ from: state.from, limit: PAGE }));
      list.replaceChildren(
        table([
          { title: "Received", get: (r) => when(r.received_ts) },
          { title: "Reporter", get: (r) => h("span", { class: "mono" }, r.user_id) },
          { title: "Sender", get: (r) => h("span", { class: "mono" }, r.sender || "—") },
          { title: "Room", get: (r) => h("a", { href: "#/rooms/" + enc(r.room_id) }, r.name || r.room_id) },
          { title: "Reason", get: (r) => r.reason || "—" },
          { title: "", get: (r) => h("div", { class: "actions" },
            h("button", { class: "small", onclick: (ev) => { ev.stopPropagation(); showReport(r.id); } }, "Event"),
            h("button", { class: "small", onclick: (ev) => { ev.stopPropagation(); dismiss(r.id); } }, "Dismiss")) },
        ], res.event_reports, null, "reports"),
        pager(state.from, res.event_reports.length, res.total, (f) => { state.from = f; load().catch(fail); }));
    }
    async function showReport(rid) {
      try {
        const d = await api("GET", "/_synapse/admin/v1/event_reports/" + rid);
        const dlg = $("#modal");
        dlg.replaceChildren(h("form", { method: "dialog" }, h("h2", {}, `Report ${rid}`),
          h("pre", { class: "json" }, JSON.stringify(d.event_json, null, 2)),
          h("div", { class: "actions" }, h("button", { class: "primary" }, "Close"))));
        dlg.showModal();
      } catch (e) { fail(e); }
    }
    async function dismiss(rid) {
      try { await api("DELETE", "/_synapse/admin/v1/event_reports/" + rid); toast("Report dismissed"); await load(); } catch (e) { fail(e); }
    }
    view.replaceChildren(head("Event reports"), list);
    await load();
  }

  // --- registration tokens -------------------------------------------------

  async function viewTokens(view) {
    const res = await api("GET", "/_synapse/admin/v1/registration_tokens");
    async function create() {
      const v = await modal({ title: "New registration token", submit: "Create", fields: [
        { name: "token", label: "Token (empty: random)" },
        { name: "uses", label: "Uses allowed (empty: unlimited)", type: "number", min: 0 },
        { name: "expiry", label: "Expires (empty: never)", type: "date" }] });
      if (!v) return;
      const body = {};
      if (v.token) body.token = v.token;
      if (v.uses !== "") body.uses_allowed = Number(v.uses);
      if (v.expiry) body.expiry_time = new Date(v.expiry + "T23:59:59").getTime();
      try { const t = await api("POST", "/_synapse/admin/v1/registration_tokens/new", body); toast(`Created ${t.token}`); render(); } catch (e) { fail(e); }
    }
    async function remove(t) {
      if (!await confirmAction("Delete token", `Delete ${t.token}?`, "Delete")) return;
      try { await api("DELETE", "/_synapse/admin/v1/registration_tokens/" + enc(t.token)); toast("Deleted"); render(); } catch (e) { fail(e); }
    }
    const now = Date.now();
    const valid = (t) => (t.expiry_time === null || t.expiry_time > now) && (t.uses_allowed === null || t.pending + t.completed < t.uses_allowed);
    view.replaceChildren(
      head("Registration tokens", h("button", { class: "primary", onclick: create }, "New token")),
      table([
        { title: "Token", get: (t) => h("span", { class: "mono" }, t.token) },
        { title: "Uses", num: true, get: (t) => `${num(t.completed)}${t.pending ? ` (+${t.pending})` : ""} / ${t.uses_allowed ?? "∞"}` },
        { title: "Expires", get: (t) => t.expiry_time ? when(t.expiry_time) : "never" },
        { title: "", get: (t) => valid(t) ? badge("public", "valid") : badge("deactivated", "used up or expired") },
        { title: "", get: (t) => h("button", { class: "small", onclick: () => remove(t) }, "Delete") },
      ], res.registration_tokens, null, "tokens"));
  }

  // --- audit log -----------------------------------------------------------

  async function viewAudit(view) {
    const state = viewAudit.state || (viewAudit.state = { from: 0, action: "" });
    const action = h("input", { type: "search", placeholder: "Filter by action", value: state.action, "aria-label": "Filter by action" });
    const list = h("div", {});
    async function load() {
      const res = await api("GET", "/_hearth/admin/v1/audit_log" + qs({ from: state.from, limit: PAGE, action: state.action }));
      list.replaceChildren(
        table([
          { title: "When", get: (e) => when(e.ts) },
          { title: "Admin", get: (e) => h("span", { class: "mono" }, e.actor) },
          { title: "Action", get: (e) => h("code", {}, e.action) },
          { title: "Target", get: (e) => h("span", { class: "mono" }, e.target) },
          { title: "Details", get: (e) => Object.keys(e.details || {}).length ? h("code", {}, JSON.stringify(e.details)) : "" },
        ], res.entries, null, "audit"),
        pager(state.from, res.entries.length, res.total, (f) => { state.from = f; load().catch(fail); }));
    }
    action.addEventListener("change", () => { state.action = action.value.trim(); state.from = 0; load().catch(fail); });
    view.replaceChildren(head("Audit log"), h("div", { class: "toolbar" }, action), list);
    await load();
  }

  // --- start -------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    $("#signin-form").addEventListener("submit", signIn);
    $("#signout").addEventListener("click", signOut);
    window.addEventListener("hashchange", render);
    render();
  });
})();
