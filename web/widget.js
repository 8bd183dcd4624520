// <powerplant-gate endpoint="/gate"></powerplant-gate>: fetches a challenge from the gate, solves
// it in a Web Worker with the engine's WebAssembly build, submits the stamp, and on success sets
// `token` and dispatches 'powerplant-gate-pass' ({ detail: { token, expires } }; the gate also
// sets the powerplant_gate cookie). On failure it dispatches 'powerplant-gate-error' and offers a retry.

const STYLE = `
  :host { display: inline-block; font: 14px system-ui, sans-serif; }
  .box { display: flex; align-items: center; gap: 10px; padding: 10px 14px; border: 1px solid #c8ccd2;
         border-radius: 8px; background: #f7f8fa; min-width: 280px; }
  .box.passed { border-color: #2e9d57; background: #eef9f1; }
  .box.failed { border-color: #c93c3c; background: #fdf0f0; }
  progress { flex: 1; height: 8px; }
  button { font: inherit; }
  .check { color: #2e9d57; font-weight: bold; }
`;

class PowerplantGate extends HTMLElement {
  /** The pass token once the gate accepted the solution. */
  token = null;
  #worker = null;

  connectedCallback() {
    if (this.shadowRoot !== null) return;
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${STYLE}</style><div class="box" part="box"><span class="status" part="status">Preparing…</span><progress max="1" value="0"></progress><button hidden>Retry</button></div>`;
    root.querySelector('button').addEventListener('click', () => this.start());
    if (!this.hasAttribute('manual')) this.start();
  }

  disconnectedCallback() {
    this.#worker?.terminate();
  }

  get endpoint() {
    return (this.getAttribute('endpoint') ?? '/gate').replace(/\/$/, '');
  }

  #show(status, state, progress) {
    const root = this.shadowRoot;
    root.querySelector('.status').textContent = status;
    root.querySelector('.box').className = `box ${state}`;
    const bar = root.querySelector('progress');
    bar.hidden = progress === undefined;
    if (progress !== undefined) bar.value = progress;
    root.querySelector('button').hidden = state !== 'failed';
    this.setAttribute('state', state);
  }

  async start() {
    this.#worker?.terminate();
    try {
      this.#show('Fetching a challenge…', 'working', 0);
      const issued = await this.#json(await fetch(`${this.endpoint}/challenge?algorithm=sha256`, { cache: 'no-store' }));
      const started = performance.now();
      const { stamp, attempts } = await this.#solve(issued);
      const seconds = (performance.now() - started) / 1000;
      this.#show('Checking…', 'working', 1);
      const answer = await this.#json(
        await fetch(`${this.endpoint}/verify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ challenge: issued.challenge, solution: stamp }),
        }),
      );
      this.token = answer.token;
      const root = this.shadowRoot;
      this.#show(`Verified (${attempts.toLocaleString('en')} hashes in ${seconds.toFixed(2)} s)`, 'passed');
      root.querySelector('.status').insertAdjacentHTML('afterbegin', '<span class="check">✓</span> ');
      this.dispatchEvent(new CustomEvent('powerplant-gate-pass', { detail: { token: answer.token, expires: answer.expires }, bubbles: true, composed: true }));
    } catch (error) {
      this.#show(`Failed: ${error.message}`, 'failed');
      this.dispatchEvent(new CustomEvent('powerplant-gate-error', { detail: { message: error.message }, bubbles: true, composed: true }));
    }
  }

  async #json(response) {
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
    return body;
  }

  /** Solve in a Web Worker: resolves with { stamp, attempts }; progress is attempts over the expected 2^bits. */
  #solve({ challenge, bits }) {
    return new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
      this.#worker = worker;
      const expected = 2 ** bits;
      worker.onmessage = ({ data }) => {
        if (data.type === 'progress') {
          this.#show(`Working… ${Math.round(data.rate / 1000)} k hashes/s`, 'working', Math.min(0.95, data.attempts / expected));
          return;
        }
        worker.terminate();
        this.#worker = null;
        if (data.type === 'found') resolve({ stamp: data.stamp, attempts: data.attempts });
        else reject(new Error(data.message));
      };
      worker.onerror = (event) => {
        worker.terminate();
        reject(new Error(event.message || 'the worker failed to start'));
      };
      this.#show(`Working… (${bits} bits)`, 'working', 0);
      worker.postMessage({ challenge, bits });
    });
  }
}

if (!customElements.get('powerplant-gate')) customElements.define('powerplant-gate', PowerplantGate);
