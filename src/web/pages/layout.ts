import { html, type Html } from '../html.js';
import type { Access } from '../access.js';

export interface LayoutOptions {
  title: string;
  access?: Access;
  /** The CSRF token for the sign-out form (every signed-in page has one). */
  csrf?: string;
  /** Where "Skip to content" lands and the page's main landmark. */
  body: Html;
  breadcrumbs?: { href: string; label: string }[];
}

const ROLE_LABEL: Record<string, string> = { rm: 'Registered Manager', manager: 'Manager', auditor: 'Auditor (read only)' };

/** The frame of every page: one stylesheet, no script at all (the CSP forbids it), landmarks for screen readers. */
export function layout(o: LayoutOptions): string {
  const user = o.access?.user;
  return `<!doctype html>\n${
    html`<html lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${o.title} · Escalator</title>
        <link rel="stylesheet" href="/assets/web.css" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/">Escalator</a>
          ${
            user
              ? html`<div class="who">
                  <span
                    >${user.name}${o.access?.roles.length ? html` · <span class="roles">${o.access.roles.map((r) => ROLE_LABEL[r] ?? r).join(', ')}</span>` : ''}</span
                  >
                  <form method="post" action="/auth/logout">
                    <input type="hidden" name="_csrf" value="${o.csrf ?? ''}" /><button type="submit" class="link">Sign out</button>
                  </form>
                </div>`
              : ''
          }
        </header>
        ${
          o.breadcrumbs?.length
            ? html`<nav class="crumbs" aria-label="Breadcrumb">
                <ol>
                  ${o.breadcrumbs.map((b) => html`<li><a href="${b.href}">${b.label}</a></li>`)}
                  <li aria-current="page">${o.title}</li>
                </ol>
              </nav>`
            : ''
        }
        <main id="main" tabindex="-1">${o.body}</main>
      </body>
    </html>`.value
  }`;
}

/** A page with a heading and a paragraph: errors, refusals, the signed-out page. */
export function messagePage(title: string, text: string, o: { access?: Access; csrf?: string; link?: { href: string; label: string } } = {}): string {
  return layout({
    title,
    ...(o.access ? { access: o.access } : {}),
    ...(o.csrf ? { csrf: o.csrf } : {}),
    body: html`<h1>${title}</h1>
      <p>${text}</p>
      ${o.link ? html`<p><a class="button" href="${o.link.href}">${o.link.label}</a></p>` : ''}`,
  });
}
