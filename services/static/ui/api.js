// The manager's JSON API: bearer token from the page, errors as exceptions with the server's message,
// and polling with ETag / If-None-Match (a 304 costs nothing and changes nothing).

const tokenInput = () => document.getElementById("token");

export function headers(extra = {}) {
  const token = sessionStorage.getItem("provml-token") || "";
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

export function initToken() {
  const input = tokenInput();
  input.value = sessionStorage.getItem("provml-token") || "";
  input.addEventListener("change", () => {
    sessionStorage.setItem("provml-token", input.value.trim());
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  });
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function answer(response) {
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export async function get(path) {
  return answer(await fetch(path, { headers: headers({ Accept: "application/json" }) }));
}

export async function post(path, body, extra = {}) {
  const init = { method: "POST", headers: headers({ Accept: "application/json", ...extra }) };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers["Content-Type"] = init.headers["Content-Type"] || "application/json";
  }
  return answer(await fetch(path, init));
}

export async function del(path) {
  const response = await fetch(path, { method: "DELETE", headers: headers() });
  if (!response.ok) await answer(response);
}

// Poll `path` every `seconds` while the page shows it; `onData` runs on the first answer and on
// every change. Returns a stop function. The interval stretches when answers are slow.
export function poll(path, onData, { seconds = 2, onError } = {}) {
  let etag = null;
  let stopped = false;
  let timer = null;
  const tick = async () => {
    const started = performance.now();
    try {
      const extra = etag ? { "If-None-Match": etag } : {};
      const response = await fetch(path, { headers: headers({ Accept: "application/json", ...extra }) });
      if (stopped) return;
      if (response.status !== 304) {
        const data = await answer(response);
        etag = response.headers.get("etag");
        if (!stopped) onData(data);
      }
    } catch (error) {
      if (onError && !stopped) onError(error);
    }
    if (!stopped) {
      const spent = performance.now() - started;
      timer = setTimeout(tick, Math.max(seconds * 1000, spent * 5));
    }
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export async function labels(iris) {
  const wanted = [...new Set(iris.filter((v) => typeof v === "string" && /^[a-z][a-z0-9+.-]*:/i.test(v)))];
  if (!wanted.length) return {};
  return (await post("/api/v1/labels", { iris: wanted })).labels;
}
