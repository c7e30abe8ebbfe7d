// Starts the vendored GraphiQL against this origin's /graphql, with the session cookie.
import { DASHBOARD_QUERY } from "./queries.js";

const config = document.body.dataset;
const GRAPHQL_URL = config.graphqlUrl || "/graphql";

// A plain fetch instead of GraphiQL.createFetcher: the cookie session is what authenticates, so
// credentials must go along, and nothing needs subscriptions over a websocket.
async function fetcher(params, options = {}) {
  const response = await fetch(GRAPHQL_URL, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", ...(options.headers || {}), "Content-Type": "application/json" },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [{ message: `HTTP ${response.status}: the server did not answer with JSON` }] };
  }
}

function button(label, attributes) {
  const element = document.createElement(attributes.href ? "a" : "button");
  element.className = `button ${attributes.ghost ? "ghost" : ""}`.trim();
  element.textContent = label;
  if (attributes.href) element.href = attributes.href;
  else element.type = "button";
  if (attributes.id) element.id = attributes.id;
  return element;
}

// Development only: say who is signed in, or offer the one-click sandbox sign-in.
async function showSession() {
  const slot = document.getElementById("session");
  let name = null;
  try {
    const result = await fetcher({ query: "query WhoAmI { viewer { customer { companyName entityId } } }" });
    const customer = result?.data?.viewer?.customer;
    name = customer ? customer.companyName || customer.entityId : null;
  } catch {
    name = null;
  }
  if (name) {
    const label = document.createElement("span");
    label.textContent = `Signed in as ${name}`;
    const signOut = button("Sign out", { ghost: true, id: "sign-out" });
    signOut.addEventListener("click", async () => {
      await fetch(config.logoutUrl || "/auth/logout", { method: "POST", credentials: "same-origin" }).catch(() => null);
      location.reload();
    });
    slot.replaceChildren(label, signOut);
  } else {
    slot.replaceChildren(button(config.signInLabel || "Sign in", { href: config.signInUrl, id: "sign-in" }));
  }
}

const root = ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: DASHBOARD_QUERY,
    // Headers typed into the editor (maybe a bearer token) stay out of browser storage.
    shouldPersistHeaders: false,
    defaultEditorToolsVisibility: false,
  }),
);

if (config.development === "true") showSession();
