// The console's HTTP API: JSON in and out; every change carries the session's CSRF token.
let csrf = '';
export function setCsrf(token) {
  csrf = token || '';
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body, headers = {}) {
  const init = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (method !== 'GET') init.headers['x-csrf-token'] = csrf;
  if (body !== undefined) {
    if (body instanceof Blob || body instanceof ArrayBuffer) init.body = body;
    else {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  const res = await fetch(`/console/api/${path}`, init);
  const text = await res.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { message: text };
  }
  if (!res.ok) throw new ApiError(res.status, data.message || `HTTP ${res.status}`);
  return data;
}

export const api = {
  get: (path) => call('GET', path),
  post: (path, body) => call('POST', path, body ?? {}),
  upload: (path, file) => call('POST', path, file, { 'content-type': file.type || 'application/octet-stream' }),
};
