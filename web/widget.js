// <powerplant-gate endpoint="/gate"></powerplant-gate>: fetches a challenge from the gate (or
// solves the one in its `challenge` attribute), solves it in a Web Worker with the engine's
// WebAssembly build, submits the stamp, and on success sets `token` and dispatches
// 'powerplant-gate-pass' ({ detail: { token, expires } }; the gate also sets the powerplant_gate
// cookie). On failure it dispatches 'powerplant-gate-error' and offers a retry.
//
// Attributes: endpoint; manual (start from a button or element.start()); challenge (solve this one
// first); return-to="/path?query" (go there once passed); lang (else <html lang>, else the browser);
// text-<message>="..." (replace one message, e.g. text-passed); field="name" (inside a <form>: the
// hidden field the token goes in, default powerplant-gate-token). Inside a <form>, submitting
// waits for the pass and then goes ahead with the token in that field.
import { RTL, message, pickLanguage } from './i18n.js';

const STYLE = `
  :host { display: inline-block; font: 15px system-ui, sans-serif; color: #1d2330; }
  .box { display: flex; align-items: center; gap: 10px; padding: 10px 14px; border: 1px solid #767c86;
         border-radius: 8px; background: #f7f8fa; min-width: 280px; }
  .box.passed { border-color: #1f7a42; background: #eef9f1; }
  .box.failed { border-color: #b02a2a; background: #fdf0f0; }
  .label { font-weight: 600; }
  progress { flex: 1; height: 8px; min-width: 80px; }
  button { font: inherit; padding: 4px 12px; }
  button:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }
  .spinner { width: 14px; height: 14px; border: 2px solid #9aa1ab; border-top-color: #1a5fb4; border-radius: 50%;
             animation: spin 0.9s linear infinite; flex: none; }
  .check { color: #1f7a42; font-weight: bold; }
  [hidden] { display: none !important; }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { .spinner { animation: none; border-top-color: #9aa1ab; } }
`;

/** Progress steps the live region announces (in percent of the expected work). */
const ANNOUNCE_EVERY = 25;

/** A path on this site to go on to, or null for anything that would leave it. */
const sitePath = (path) => (typeof path === 'string' && /^\/(?![/\\])/.test(path) ? path : null);

class PowerplantGate extends HTMLElement {
  /** The pass token once the gate accepted the solution. */
  token = null;
  #worker = null;
  #language = 'en';
  #announced = -1;
  /** A submission of the surrounding form waiting for the pass: { submitter } or null. */
  #held = null;

  connectedCallback() {
    if (this.shadowRoot !== null) return;
    const tags = [this.closest('[lang]')?.getAttribute('lang'), ...(navigator.languages ?? [navigator.language])].filter(Boolean);
    this.#language = pickLanguage(tags);
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${STYLE}</style>
      <div class="box" part="box" role="group" aria-labelledby="label" dir="${RTL.has(this.#language) ? 'rtl' : 'ltr'}" lang="${this.#language}">
        <span class="spinner" aria-hidden="true" hidden></span>
        <span class="check" aria-hidden="true" hidden>✓</span>
        <span class="label" id="label" part="label"></span>
        <span class="status" id="status" part="status" role="status" aria-live="polite" aria-atomic="true"></span>
        <progress max="1" value="0" aria-labelledby="label" aria-describedby="status" hidden></progress>
        <button type="button" part="button" hidden></button>
      </div>`;
    root.querySelector('.label').textContent = this.#text('label');
    const button = root.querySelector('button');
    button.addEventListener('click', () => this.start());
    this.#form()?.addEventListener('submit', this.#holdSubmit);
    if (this.hasAttribute('manual')) {
      button.textContent = this.#text('start');
      button.hidden = false;
    } else {
      this.start();
    }
  }

  disconnectedCallback() {
    this.#worker?.terminate();
    this.#form()?.removeEventListener('submit', this.#holdSubmit);
  }

  get endpoint() {
    return (this.getAttribute('endpoint') ?? '/gate').replace(/\/$/, '');
  }

  /** The language the widget speaks (one of those in i18n.js). */
  get language() {
    return this.#language;
  }

  #text(key, values) {
    const override = this.getAttribute(`text-${key}`);
    if (override !== null) return override.replace(/\{(\w+)\}/g, (_, name) => String(values?.[name] ?? ''));
    return message(this.#language, key, values);
  }

  #form() {
    return this.closest('form');
  }

  /** A form submitted before the pass waits for it, then goes ahead. */
  #holdSubmit = (event) => {
    if (this.token !== null) return;
    event.preventDefault();
    this.#held = { submitter: event.submitter ?? null };
    if (this.getAttribute('state') === 'failed') this.start();
  };

  /** Show a state; a `status` given replaces the live region's text (what screen readers hear). */
  #show(state, status, progress) {
    const root = this.shadowRoot;
    root.querySelector('.box').className = `box ${state}`;
    if (status !== undefined) root.querySelector('.status').textContent = status;
    const bar = root.querySelector('progress');
    bar.hidden = progress === undefined;
    if (progress !== undefined) bar.value = progress;
    root.querySelector('.spinner').hidden = state !== 'working';
    root.querySelector('.check').hidden = state !== 'passed';
    const button = root.querySelector('button');
    button.hidden = state !== 'failed';
    if (state === 'failed') button.textContent = this.#text('retry');
    this.setAttribute('state', state);
  }

  #progress(fraction) {
    const percent = Math.min(99, Math.floor(fraction * 100));
    const step = Math.floor(percent / ANNOUNCE_EVERY) * ANNOUNCE_EVERY;
    const status = step > this.#announced ? this.#text('working', { percent: step }) : undefined;
    if (status !== undefined) this.#announced = step;
    this.#show('working', status, Math.min(0.99, fraction));
  }

  async start() {
    this.#worker?.terminate();
    this.#announced = -1;
    const given = this.getAttribute('challenge');
    this.removeAttribute('challenge');
    try {
      let issued;
      if (given !== null) {
        issued = { challenge: given, bits: parseInt(given.slice(12, 14), 16), algorithm: given.slice(10, 12) === '01' ? 'sha1' : 'sha256' };
      } else {
        this.#show('working', this.#text('fetching'), 0);
        const returnTo = sitePath(this.getAttribute('return-to'));
        const path = returnTo === null ? '' : `&path=${encodeURIComponent(returnTo)}`;
        issued = await this.#json(await fetch(`${this.endpoint}/challenge?algorithm=sha256${path}`, { cache: 'no-store' }));
      }
      this.#progress(0);
      const stamp = await this.#solve(issued);
      this.#show('working', this.#text('checking'), 1);
      const answer = await this.#json(
        await fetch(`${this.endpoint}/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ challenge: issued.challenge, solution: stamp }),
        }),
      );
      this.token = answer.token;
      this.#show('passed', this.#text('passed'));
      this.#fillForm(answer.token);
      this.dispatchEvent(new CustomEvent('powerplant-gate-pass', { detail: { token: answer.token, expires: answer.expires }, bubbles: true, composed: true }));
      const returnTo = sitePath(this.getAttribute('return-to'));
      if (returnTo !== null) location.replace(returnTo);
    } catch (error) {
      this.#show('failed', this.#text('failed', { reason: error.message }));
      this.dispatchEvent(new CustomEvent('powerplant-gate-error', { detail: { message: error.message }, bubbles: true, composed: true }));
    }
  }

  /** Inside a form: the token in its hidden field, and a held submission sent on. */
  #fillForm(token) {
    const form = this.#form();
    if (form === null) return;
    const name = this.getAttribute('field') ?? 'powerplant-gate-token';
    let field = [...form.elements].find((element) => element.name === name && element.type === 'hidden');
    if (field === undefined) {
      field = document.createElement('input');
      field.type = 'hidden';
      field.name = name;
      this.after(field);
    }
    field.value = token;
    if (this.#held !== null) {
      const { submitter } = this.#held;
      this.#held = null;
      form.requestSubmit(submitter?.form === form ? submitter : undefined);
    }
  }

  async #json(response) {
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
    return body;
  }

  /** Solve in a Web Worker: resolves with the stamp; progress is attempts over the expected 2^bits. */
  #solve({ challenge, bits, algorithm }) {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
      this.#worker = worker;
      const expected = 2 ** bits;
      worker.onmessage = ({ data }) => {
        if (data.type === 'progress') {
          this.#progress(data.attempts / expected);
          return;
        }
        worker.terminate();
        this.#worker = null;
        if (data.type === 'found') resolve(data.stamp);
        else reject(new Error(data.message));
      };
      worker.onerror = (event) => {
        worker.terminate();
        reject(new Error(event.message || 'the worker failed to start'));
      };
      worker.postMessage({ challenge, bits, algorithm });
    });
  }
}

if (!customElements.get('powerplant-gate')) customElements.define('powerplant-gate', PowerplantGate);
