/**
 * A person's browser reduced to what the web view's HTTP tests need: cookies per host, redirects
 * followed by hand (so each hop can be asserted), forms posted as a browser posts them.
 */
export interface WebResponse {
  status: number;
  url: string;
  headers: Headers;
  body: string;
}

export class WebClient {
  private readonly jar = new Map<string, Map<string, string>>();

  private cookieHeader(url: URL): string {
    return [...(this.jar.get(url.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(url: URL, headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const [pair] = line.split(';');
      const i = pair!.indexOf('=');
      const jar = this.jar.get(url.host) ?? new Map<string, string>();
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') jar.delete(name);
      else jar.set(name, value);
      this.jar.set(url.host, jar);
    }
  }

  /** One request, no redirect followed. */
  async request(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<WebResponse> {
    const u = new URL(url);
    const res = await fetch(u, {
      method,
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(u),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    this.keep(u, res.headers);
    return { status: res.status, url: u.href, headers: res.headers, body: await res.text() };
  }

  /** A request and every redirect after it (a 303 or a redirect after a POST becomes a GET). */
  async follow(method: 'GET' | 'POST', url: string, form?: Record<string, string>, hops = 10): Promise<WebResponse> {
    let res = await this.request(method, url, form);
    for (let i = 0; i < hops && res.status >= 300 && res.status < 400; i++) {
      res = await this.request('GET', new URL(res.headers.get('location')!, res.url).href);
    }
    return res;
  }

  get(url: string): Promise<WebResponse> {
    return this.follow('GET', url);
  }

  /** Signs in through the provider's form as `login`; returns the page the web view lands on. */
  async signIn(base: string, login: string, path = '/'): Promise<WebResponse> {
    const page = await this.follow('GET', `${base}${path}`);
    const action = /<form method="post" action="([^"]+)"/.exec(page.body)?.[1];
    if (!action) throw new Error(`no sign-in form at ${page.url} (${page.status}): ${page.body.slice(0, 300)}`);
    return this.follow('POST', new URL(action, page.url).href, { login });
  }
}

/** The value of a hidden form field on a page. */
export function hiddenField(body: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(body);
  if (!m) throw new Error(`no field ${name} on the page`);
  return m[1]!;
}
