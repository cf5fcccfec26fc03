/** An HTTP answer as tests read it: the status, the JSON body (or the text when it is not JSON), the headers. */
export interface TestResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers field by field and assert each one.
  body: any;
  headers: Headers;
}

export type TestCall = (
  method: string,
  path: string,
  options?: { body?: unknown; token?: string; headers?: Record<string, string> },
) => Promise<TestResponse>;

/** Calls a service under test at `url` as a client would: a JSON body, a bearer token, extra headers. */
export function httpCaller(url: string): TestCall {
  return async (method, path, options = {}) => {
    const response = await fetch(url + path, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { "content-type": "application/json" }),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body, headers: response.headers };
  };
}
