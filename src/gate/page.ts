/**
 * The challenge page a visitor without a pass sees: the <powerplant-gate> widget solving the
 * page's challenge and going on to the address asked for, and, for browsers without JavaScript,
 * the stock hashcash command and a form for the stamp it prints. Messages come from web/i18n.js
 * (the widget's own table) in the language the browser asks for.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { packagePath } from '../paths.js';
import type { Challenge } from './challenge.js';

interface I18n {
  readonly RTL: ReadonlySet<string>;
  pickLanguage(tags: readonly string[]): string;
  message(language: string, key: string, values?: Readonly<Record<string, string | number>>): string;
}

const i18n = (await import(pathToFileURL(packagePath('web', 'i18n.js')).href)) as I18n;

/** The languages an Accept-Language header asks for, most wanted first. */
export function acceptedLanguages(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const q = parameters.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((value) => value !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter(({ tag, q }) => tag !== '' && tag !== '*' && q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map(({ tag }) => tag);
}

export const pickLanguage = (acceptLanguage: string | undefined): string => i18n.pickLanguage(acceptedLanguages(acceptLanguage));

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/**
 * Where to send a visitor after the gate: a path on this site (query kept), never another origin.
 * Anything else (absolute URLs, `//host`, backslashes, control characters) becomes `/`.
 */
export function returnPath(candidate: unknown): string {
  if (typeof candidate !== 'string' || !candidate.startsWith('/') || candidate.length > 4096) return '/';
  if (/^\/[/\\]|[\\\u0000-\u001f\u007f]/.test(candidate)) return '/';
  return candidate;
}

export interface PageOptions {
  /** Where the gate's HTTP door is mounted (`/gate`). */
  readonly endpoint: string;
  readonly language: string;
  /** The challenge to solve; absent when none could be issued (rate-limited). */
  readonly challenge?: Challenge;
  /** The path (and query) to go on to after passing. */
  readonly returnTo: string;
  /** Why the last attempt was refused, shown above the widget. */
  readonly refusal?: string;
}

const STYLE = `
  body { font: 17px/1.5 system-ui, sans-serif; max-width: 38rem; margin: 3rem auto; padding: 0 1rem; color: #1d2330; background: #fff; }
  h1 { font-size: 1.6rem; margin-bottom: .5rem; }
  .refused { color: #8f1d1d; border-inline-start: 4px solid #c93c3c; padding-inline-start: .75rem; }
  pre { background: #f3f4f6; padding: .75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
  label { display: block; font-weight: 600; margin-top: 1rem; }
  input[name=stamp] { width: 100%; box-sizing: border-box; font: 14px ui-monospace, monospace; padding: .5rem; }
  button { margin-top: .75rem; font: inherit; padding: .4rem 1rem; }
  :focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
`;

/** The challenge page, as one HTML document. */
export function challengePage({ endpoint, language, challenge, returnTo, refusal }: PageOptions): string {
  const t = (key: string, values?: Readonly<Record<string, string | number>>) => escapeHtml(i18n.message(language, key, values));
  const dir = i18n.RTL.has(language) ? 'rtl' : 'ltr';
  const back = escapeHtml(returnTo);
  const refused = refusal === undefined ? '' : `<p class="refused" role="alert">${t('refused', { reason: refusal })}</p>`;
  const solve =
    challenge === undefined
      ? ''
      : `<powerplant-gate endpoint="${escapeHtml(endpoint)}" challenge="${challenge.text}" return-to="${back}" lang="${language}"></powerplant-gate>
  <noscript>
    <p>${t('noscript')}</p>
    <pre><code>hashcash -mb${challenge.bits} ${challenge.text}</code></pre>
    <pre><code>powerplant solve hashcash --bits ${challenge.bits} --resource ${challenge.text}</code></pre>
    <form method="post" action="${escapeHtml(endpoint)}/stamp">
      <input type="hidden" name="return" value="${back}">
      <label for="stamp">${t('stamp')}</label>
      <input id="stamp" name="stamp" required autocomplete="off" autocapitalize="off" spellcheck="false" dir="ltr">
      <button type="submit">${t('submit')}</button>
    </form>
  </noscript>`;
  return `<!doctype html>
<html lang="${language}" dir="${dir}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex, nofollow">
  <title>${t('title')}</title>
  <style>${STYLE}</style>
  <script type="module" src="${escapeHtml(endpoint)}/widget.js"></script>
</head>
<body>
<main>
  <h1>${t('heading')}</h1>
  <p>${t('intro')}</p>
  ${refused}
  ${solve}
</main>
</body>
</html>
`;
}
