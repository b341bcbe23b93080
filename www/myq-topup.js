// Registers <myq-topup>: a thin custom element that hands its life to the wasm widget.
// Static module, no eval, no inline script: works under a strict Content-Security-Policy.

// Where the widget's start is measured from (cargo xtask bench).
performance.mark("myq-topup:module");

/**
 * The widget's wasm, loaded once for every element on the page, relative to this file, from
 * the module's start. Two builds ship: the student's in `wasm/`, and the help desk's in
 * `desk/wasm/` (about 30 KB gzip more; it runs students' widgets too), which a page asks for by
 * loading this module as `myq-topup.js?desk`. The student's build refuses a `desk` element with
 * a configuration error. A build with everything in `wasm/` (`trunk serve`) has no `desk/`: a
 * desk page then falls back to it.
 */
const loaded = (async () => {
  // The glue and the wasm are fetched at once; the wasm compiles as it streams in.
  const from = (dir) => {
    const url = (file) => new URL(`${dir}/${file}`, import.meta.url);
    const wasm = fetch(url("myq-topup_bg.wasm"));
    return import(url("myq-topup.js")).then((glue) => ({ glue, wasm }));
  };
  const desk = new URL(import.meta.url).searchParams.has("desk");
  const { glue, wasm: response } = await (desk ? from("./desk/wasm").catch(() => from("./wasm")) : from("./wasm"));
  const wasm = await glue.default({ module_or_path: response });
  performance.mark("myq-topup:instantiated");
  return { mount: glue.mount, wasm };
})();
/** How long a mount waits for the token's answer that the element module fetched ahead. */
const TOKEN_WAIT_MS = 50;

// Whether an element mounted yet: the bench's breakdown marks the first mount.
let mounted = false;

/** The wasm linear memory's size in bytes (for cargo xtask bench). */
export async function wasmMemoryBytes() {
  // Found by its type: a release bundle's exports have short names (xtask/src/boundary.rs).
  const exports = Object.values((await loaded).wasm);
  return exports.find((value) => value instanceof WebAssembly.Memory).buffer.byteLength;
}

const ATTRIBUTES = [
  "base-url", "token-url", "user-id", "username", "provider", "amounts", "min", "max", "step",
  "currency", "locale", "description", "callback-timeout", "desk", "institution", "operator",
];

class MyqTopup extends HTMLElement {
  static observedAttributes = ATTRIBUTES;

  #widget = null;
  #restart = false;

  async connectedCallback() {
    const token = this.#widget ? null : this.#prefetchToken();
    const { mount } = await loaded;
    // The start's first requests need the token. Mounting once its answer is in lets that answer
    // through before the mount's turn holds the page's thread, and the start then sends them at
    // once; a token slower than TOKEN_WAIT_MS does not hold the mount longer.
    if (token) await Promise.race([token, new Promise((done) => setTimeout(done, TOKEN_WAIT_MS))]);
    // Moved in the DOM: the widget lives on; connected again after removal: mount anew.
    if (this.isConnected && !this.#widget) {
      this.#widget = mount(this);
      if (!mounted) performance.mark("myq-topup:mounted");
      mounted = true;
    }
  }

  /**
   * Starts the token request while the wasm loads; the widget takes the answer for its first
   * token (src/host/token.rs), once, if it would fetch the same URL. Same origin in a secure
   * context only: nowhere the widget's own checks would refuse to fetch a token from. Answers
   * the promise of that answer's text (`null` if it failed), or nothing when it sent no request.
   */
  #prefetchToken() {
    try {
      const url = new URL(this.getAttribute("token-url").trim(), document.URL);
      if (this.tokenProvider || url.origin !== location.origin || !isSecureContext) return;
      // The request the widget would send; if it fails, hangs or is refused, the widget sends
      // its own, which reports why.
      const text = fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
      }).then((response) => (response.ok ? response.text() : null)).catch(() => null);
      // The promise until the answer is in, then the text itself: the widget then sends its
      // first requests in the turn it mounts, without waiting for a promise.
      let handed = text;
      text.then((value) => (handed = value));
      this._tokenPrefetch = (widgetUrl) => {
        delete this._tokenPrefetch;
        return widgetUrl === url.href ? handed : null;
      };
      return text;
    } catch {
      // No token-url, or no URL in it: the widget reports it.
    }
  }

  disconnectedCallback() {
    // A move is a disconnect followed by a connect in the same task: wait before unmounting.
    queueMicrotask(() => {
      if (!this.isConnected && this.#widget) {
        this.#widget.unmount();
        this.#widget = null;
      }
    });
  }

  attributeChangedCallback(_name, before, after) {
    if (before === after || !this.#widget || this.#restart) return;
    // Several attributes set in one go restart the widget once.
    this.#restart = true;
    queueMicrotask(() => {
      this.#restart = false;
      this.#widget?.refresh();
    });
  }

  /** Tops up `amount` (a number or a decimal string); resolves with the outcome's detail. */
  async topUp(amount) {
    await loaded;
    if (!this.#widget) throw { operation: "input", message: "the element is not in the page" };
    return this.#widget.topUp(amount);
  }

  /** Reads the attributes again and reconnects. */
  refresh() {
    this.#widget?.refresh();
  }
}

if (!customElements.get("myq-topup")) customElements.define("myq-topup", MyqTopup);
