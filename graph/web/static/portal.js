// The demo customer portal: one GraphQL request fills every dashboard widget; two forms write.
import { CREATE_CASE_MUTATION, DASHBOARD_QUERY, UPDATE_CONTACT_MUTATION } from "./queries.js";

const config = document.body.dataset;
const GRAPHQL_URL = config.graphqlUrl || "/graphql";
const LOGIN_URL = config.loginUrl || "/auth/login";
const LOGOUT_URL = config.logoutUrl || "/auth/logout";

const $ = (selector, root = document) => root.querySelector(selector);

// ---------------------------------------------------------------------------------------------
// GraphQL over HTTP

class RequestFailed extends Error {
  constructor(message, { code = "NETWORK", loginUrl = null, errors = [] } = {}) {
    super(message);
    this.code = code;
    this.loginUrl = loginUrl;
    this.errors = errors;
  }
}

const FRIENDLY = {
  NETWORK: "The portal could not be reached. Check your connection and try again.",
  UPSTREAM_BUSY: "NetSuite is busy right now. Please try again in a moment.",
  UPSTREAM_ERROR: "NetSuite did not answer as expected. Please try again.",
  FORBIDDEN: "Your account is not allowed to do that.",
  NOT_FOUND: "That record could not be found.",
  QUERY_TOO_COMPLEX: "The request was too large.",
  INTERNAL_SERVER_ERROR: "Something went wrong on our side. Please try again.",
};

function friendlyMessage(error) {
  const code = error?.extensions?.code;
  if (code === "BAD_USER_INPUT" && error.message) return error.message;
  return FRIENDLY[code] || FRIENDLY.INTERNAL_SERVER_ERROR;
}

// Only a same-origin path may come back as a place to sign in (never an open redirect).
function safeLoginUrl(candidate) {
  const fallback = `${LOGIN_URL}?next=${encodeURIComponent(location.pathname)}`;
  if (!candidate) return fallback;
  try {
    const url = new URL(candidate, location.origin);
    return url.origin === location.origin ? url.pathname + url.search : fallback;
  } catch {
    return fallback;
  }
}

/** POST one operation; resolves to {data, errors} or throws RequestFailed for a whole failure. */
async function graphql(query, variables = undefined) {
  let response;
  try {
    response = await fetch(GRAPHQL_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new RequestFailed(FRIENDLY.NETWORK);
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  const errors = Array.isArray(payload?.errors) ? payload.errors : [];
  const unauthenticated = errors.find((e) => e?.extensions?.code === "UNAUTHENTICATED");
  if (unauthenticated || response.status === 401) {
    throw new RequestFailed("Please sign in.", {
      code: "UNAUTHENTICATED",
      loginUrl: safeLoginUrl(unauthenticated?.extensions?.loginUrl),
      errors,
    });
  }
  if (!payload || (payload.data == null && errors.length === 0)) {
    const code = response.status === 429 || response.status === 503 ? "UPSTREAM_BUSY" : "INTERNAL_SERVER_ERROR";
    throw new RequestFailed(FRIENDLY[code], { code });
  }
  if (payload.data == null) {
    throw new RequestFailed(friendlyMessage(errors[0]), { code: errors[0]?.extensions?.code, errors });
  }
  return { data: payload.data, errors };
}

// ---------------------------------------------------------------------------------------------
// Formatting and DOM helpers (text only: nothing from the server is parsed as HTML)

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value == null || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat(Infinity).filter((child) => child != null));
  return element;
}

function formatMoney(money) {
  if (!money) return "—";
  const value = Number(money.amount);
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency: money.currency }).format(value);
  } catch {
    return `${money.amount} ${money.currency}`;
  }
}

function moneyCell(money) {
  return h("span", { class: "money", dataset: { amount: money?.amount ?? "" } }, formatMoney(money));
}

function parseDate(value) {
  if (!value) return null;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function formatDate(value) {
  const date = parseDate(value);
  if (!date) return value || "—";
  // Calendar dates are zoneless: show them as written, not shifted into the local zone.
  const options = /^\d{4}-\d{2}-\d{2}$/.test(value) ? { dateStyle: "medium", timeZone: "UTC" } : { dateStyle: "medium" };
  return h("time", { datetime: value }, new Intl.DateTimeFormat(undefined, options).format(date));
}

// NetSuite's own wording where the enum name alone would read wrong.
const LABELS = {
  PENDING_BILLING_PARTIALLY_FULFILLED: "Pending billing / partially fulfilled",
  RE_OPENED: "Re-opened",
};

function humanize(constant) {
  if (!constant) return "—";
  if (LABELS[constant]) return LABELS[constant];
  const words = String(constant).toLowerCase().replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function badge(status) {
  return h("span", { class: `badge badge-${String(status || "unknown").toLowerCase()}` }, humanize(status));
}

// The server says whether an invoice is overdue; reckon it from the due date only if it does not.
function isOverdue(invoice) {
  if (typeof invoice.isOverdue === "boolean") return invoice.isOverdue;
  const due = parseDate(invoice.dueDate);
  if (!due) return false;
  const today = new Date();
  return due.getTime() < Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
}

function fill(slot, ...content) {
  slot.replaceChildren(...content.flat(Infinity).filter((child) => child != null));
}

const NUMERIC_HEADINGS = new Set(["Amount due", "Total"]);

function table(caption, headings, rows) {
  return h(
    "table",
    {},
    h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, headings.map((text) => h("th", { scope: "col", class: NUMERIC_HEADINGS.has(text) ? "num" : null }, text)))),
    h("tbody", {}, rows),
  );
}

function emptyState(text) {
  return h("p", { class: "empty" }, text);
}

function moreNote(connection) {
  const shown = connection.nodes.length;
  return connection.totalCount > shown ? h("p", { class: "more" }, `Showing ${shown} of ${connection.totalCount}`) : null;
}

// ---------------------------------------------------------------------------------------------
// Widgets

const widgets = {
  profile: $("#profile [data-slot]"),
  invoices: $("#invoices [data-slot]"),
  orders: $("#orders [data-slot]"),
  cases: $("#cases [data-slot]"),
};

function setCount(widget, count) {
  const counter = $(`#${widget} [data-count]`);
  if (!counter) return;
  counter.textContent = count == null ? "" : String(count);
  counter.hidden = count == null;
}

function addressLines(address) {
  if (!address) return [];
  const cityLine = [address.city, address.state, address.zip].filter(Boolean).join(" ");
  return [address.addr1, address.addr2, cityLine, address.country].filter(Boolean);
}

function renderProfile(customer) {
  const rows = [
    ["Customer", customer.entityId],
    ["Email", customer.email, "email"],
    ["Phone", customer.phone, "phone"],
    ["Balance", moneyCell(customer.balance), "balance"],
    ["Overdue", moneyCell(customer.overdueBalance), "overdue"],
  ];
  const address = addressLines(customer.defaultBillingAddress);
  fill(
    widgets.profile,
    h("p", { class: "company", dataset: { field: "companyName" } }, customer.companyName || customer.entityId),
    h(
      "dl",
      { class: "facts" },
      rows.map(([label, value, field]) => [
        h("dt", {}, label),
        h("dd", { dataset: field ? { field } : {} }, value || "—"),
      ]),
      address.length ? [h("dt", {}, "Billing address"), h("dd", {}, address.join(", "))] : null,
    ),
  );
  $("#greeting").textContent = customer.companyName ? `Welcome, ${customer.companyName}` : "Your account";
  const form = $("#contact-form");
  form.elements.email.value = customer.email || "";
  form.elements.phone.value = customer.phone || "";
}

function renderInvoices(connection) {
  setCount("invoices", connection.totalCount);
  if (connection.nodes.length === 0) return fill(widgets.invoices, emptyState("No open invoices. You're all paid up."));
  const rows = connection.nodes.map((invoice) =>
    h(
      "tr",
      { dataset: { id: invoice.id } },
      h("td", {}, invoice.tranId || invoice.id),
      h("td", {}, formatDate(invoice.dueDate), isOverdue(invoice) ? h("span", { class: "badge badge-overdue" }, "Overdue") : null),
      h("td", { class: "num" }, moneyCell(invoice.amountRemaining)),
      h("td", { class: "num secondary" }, moneyCell(invoice.total)),
    ),
  );
  fill(widgets.invoices, table("Open invoices", ["Invoice", "Due", "Amount due", "Total"], rows), moreNote(connection));
}

function renderOrders(connection) {
  setCount("orders", connection.totalCount);
  if (connection.nodes.length === 0) return fill(widgets.orders, emptyState("No orders yet."));
  const rows = connection.nodes.map((order) =>
    h(
      "tr",
      { dataset: { id: order.id } },
      h("td", {}, order.tranId || order.id),
      h("td", {}, formatDate(order.tranDate)),
      h("td", {}, badge(order.status)),
      h("td", { class: "num" }, moneyCell(order.total)),
    ),
  );
  fill(widgets.orders, table("Recent orders", ["Order", "Date", "Status", "Total"], rows), moreNote(connection));
}

function caseRow(supportCase) {
  return h(
    "tr",
    { dataset: { id: supportCase.id } },
    h("td", {}, supportCase.caseNumber || supportCase.id),
    h("td", {}, supportCase.title),
    h("td", {}, badge(supportCase.status)),
    h("td", {}, humanize(supportCase.priority)),
  );
}

let openCases = null;

function renderCases(connection) {
  openCases = { totalCount: connection.totalCount, nodes: [...connection.nodes] };
  setCount("cases", openCases.totalCount);
  if (openCases.nodes.length === 0) return fill(widgets.cases, emptyState("No open cases. Need help? Open one below."));
  fill(
    widgets.cases,
    table("Open support cases", ["Case", "Subject", "Status", "Priority"], openCases.nodes.map(caseRow)),
    moreNote(openCases),
  );
}

function renderWidgetError(widget, error) {
  setCount(widget, null);
  fill(widgets[widget], h("p", { class: "widget-error", role: "alert" }, friendlyMessage(error)));
}

// Which widget a partial error belongs to, from its path (viewer.customer.<field>...).
const FIELD_WIDGET = { invoices: "invoices", salesOrders: "orders", supportCases: "cases" };

function renderDashboard({ data, errors }) {
  const customer = data?.viewer?.customer;
  if (!customer) throw new RequestFailed(friendlyMessage(errors[0]), { code: errors[0]?.extensions?.code });
  renderProfile(customer);
  const render = { invoices: renderInvoices, salesOrders: renderOrders, supportCases: renderCases };
  for (const [field, draw] of Object.entries(render)) {
    if (customer[field]) {
      draw(customer[field]);
    } else {
      const error = errors.find((e) => Array.isArray(e.path) && e.path.includes(field));
      renderWidgetError(FIELD_WIDGET[field], error);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Page states: loading, ready, signed-out, error

const sections = { dashboard: $("#dashboard"), signedOut: $("#signed-out"), failure: $("#failure") };

function showState(state) {
  document.body.dataset.state = state;
  sections.dashboard.hidden = !(state === "loading" || state === "ready");
  sections.dashboard.setAttribute("aria-busy", String(state === "loading"));
  sections.signedOut.hidden = state !== "signed-out";
  sections.failure.hidden = state !== "error";
  $("#sign-out").hidden = state !== "ready";
}

function showSkeletons() {
  for (const [name, slot] of Object.entries(widgets)) {
    setCount(name, null);
    fill(slot, h("div", { class: "skeleton", "aria-hidden": "true" }, h("span"), h("span"), h("span")));
  }
}

async function loadDashboard() {
  showSkeletons();
  showState("loading");
  try {
    renderDashboard(await graphql(DASHBOARD_QUERY));
    showState("ready");
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") {
      $("#sign-in").href = error.loginUrl || safeLoginUrl(null);
      showState("signed-out");
    } else {
      $("#failure-message").textContent = error.message || FRIENDLY.INTERNAL_SERVER_ERROR;
      showState("error");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Forms

function setStatus(form, text, kind) {
  const status = $("[data-status]", form);
  status.textContent = text;
  status.dataset.kind = kind;
}

async function submitMutation(form, mutation, input) {
  const button = $("button[type=submit]", form);
  button.disabled = true;
  form.setAttribute("aria-busy", "true");
  setStatus(form, "Saving…", "pending");
  try {
    const { data, errors } = await graphql(mutation, { input });
    if (errors.length) throw new RequestFailed(friendlyMessage(errors[0]), { code: errors[0]?.extensions?.code });
    return data;
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") {
      await loadDashboard();
      return null;
    }
    setStatus(form, error.message, "error");
    return null;
  } finally {
    button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

const contactForm = $("#contact-form");
contactForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!contactForm.reportValidity()) return;
  const input = { email: contactForm.elements.email.value.trim(), phone: contactForm.elements.phone.value.trim() };
  const data = await submitMutation(contactForm, UPDATE_CONTACT_MUTATION, input);
  const customer = data?.updateContactInfo?.customer;
  if (!customer) return;
  $('#profile [data-field="email"]').textContent = customer.email || "—";
  $('#profile [data-field="phone"]').textContent = customer.phone || "—";
  setStatus(contactForm, "Contact details saved.", "success");
});

// One key per case the customer means to open: a retry after a lost response sends the same key,
// so the server answers with the case it already made instead of opening a duplicate.
const caseForm = $("#case-form");
let caseKey = null;
caseForm.addEventListener("input", () => {
  caseKey = null;
});
caseForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!caseForm.reportValidity()) return;
  caseKey ??= crypto.randomUUID();
  const input = {
    title: caseForm.elements.title.value.trim(),
    message: caseForm.elements.message.value.trim(),
    priority: caseForm.elements.priority.value || null,
    idempotencyKey: caseKey,
  };
  const data = await submitMutation(caseForm, CREATE_CASE_MUTATION, input);
  const created = data?.createSupportCase?.supportCase;
  if (!created) return;
  caseKey = null;
  caseForm.reset();
  if (openCases && !openCases.nodes.some((c) => c.id === created.id)) {
    renderCases({ totalCount: openCases.totalCount + 1, nodes: [created, ...openCases.nodes] });
  }
  setStatus(caseForm, `Case ${created.caseNumber || created.id} opened. We'll be in touch.`, "success");
});

$("#retry").addEventListener("click", () => loadDashboard());

$("#sign-out").addEventListener("click", async () => {
  const button = $("#sign-out");
  button.disabled = true;
  try {
    await fetch(LOGOUT_URL, { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    // Signed out or not, start over from the server's view of the session.
  }
  location.assign("/");
});

// GraphiQL is served in development only (the server's default), so only link to it there.
$("#ide-link").hidden = config.environment !== "development";

loadDashboard();
