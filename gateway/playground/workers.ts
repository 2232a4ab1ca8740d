/*
 * Monaco runs its language services in web workers. They are bundled beside
 * the app (gateway/src/playground/build.ts) and started from the gateway's
 * own origin, never from a CDN.
 */
const base = new URL('.', (document.currentScript as HTMLScriptElement | null)?.src ?? location.href);

(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    const file = label === 'graphql' ? 'graphql.worker.js' : label === 'json' ? 'json.worker.js' : 'editor.worker.js';
    return new Worker(new URL(file, base));
  },
};
