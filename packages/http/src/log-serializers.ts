/**
 * What a request log line may say about a request and its answer. Links the platform sends carry
 * their secret in the query string (invitations, e-mail verification, password reset) and redirects
 * to identity providers carry `state`; the kit cannot tell a secret parameter from a harmless one, so
 * every query value is replaced and only the names stay, for whoever reads the log to see the shape.
 */
export const REDACTED = "[REDACTED]";

export function redactUrl(url: string): string {
  const at = url.indexOf("?");
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => `${pair.split("=")[0]}=${REDACTED}`)
    .join("&");
  return `${url.slice(0, at)}?${query}`;
}

interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  headers?: Record<string, unknown>;
  remoteAddress?: string;
  remotePort?: number;
}

interface SerializedResponse {
  statusCode?: number;
  headers?: Record<string, unknown>;
}

/** pino-http's request serializer without `query` and `params` (values in the clear) and a redacted url. */
export function serializeRequest(req: SerializedRequest): Record<string, unknown> {
  return {
    id: req.id,
    method: req.method,
    url: typeof req.url === "string" ? redactUrl(req.url) : req.url,
    headers: req.headers,
    remoteAddress: req.remoteAddress,
    remotePort: req.remotePort,
  };
}

export function serializeResponse(res: SerializedResponse): Record<string, unknown> {
  const location = res.headers?.location;
  return {
    statusCode: res.statusCode,
    headers: typeof location === "string" ? { ...res.headers, location: redactUrl(location) } : res.headers,
  };
}
