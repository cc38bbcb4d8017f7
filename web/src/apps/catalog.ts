/**
 * The MCP Apps Vial serves (the `io.modelcontextprotocol/ui` extension): each is a single-file HTML
 * page, built from `web/src/apps/<folder>/index.html` into `dist/web/apps/<file>`, that a host
 * renders in a sandboxed iframe beside the results of `tools`. Plain data, read by the tab's
 * session servers (`offer.ts`) and by the build (`vite.apps.ts`). docs/apps.md says how to add one.
 */
export interface AppManifest {
  /** The resource's name in `resources/list`. */
  name: string;
  /** The `ui://` URI hosts read the page from. */
  uri: `ui://vial/${string}.html`;
  title: string;
  description: string;
  /** The folder under web/src/apps that holds the app's index.html. */
  folder: string;
  /** The built file, under dist/web/apps (and /apps/ on the tab's origin). */
  file: `${string}.html`;
  /** The tools whose results this app shows: their `tools/list` entries point at `uri`. */
  tools: readonly string[];
}

export const APPS: readonly AppManifest[] = [
  {
    name: 'quantum_simulate_app',
    uri: 'ui://vial/quantum-simulate.html',
    title: 'Quantum run',
    description:
      "A quantum_simulate result drawn: the counts' histogram, the circuit diagram, hash, engine and timings, and a button that runs the circuit again with more shots.",
    folder: 'quantumSimulate',
    file: 'quantum-simulate.html',
    tools: ['quantum_simulate'],
  },
  {
    name: 'train_model_app',
    uri: 'ui://vial/train-model.html',
    title: 'Training run',
    description:
      'A train_model result drawn: the loss and metric curves, one point per epoch, and the final metrics, backend, time and saved model.',
    folder: 'trainModel',
    file: 'train-model.html',
    tools: ['train_model'],
  },
  {
    name: 'multi_llm_query_app',
    uri: 'ui://vial/llm-answers.html',
    title: 'Answers side by side',
    description:
      "A multi_llm_query result drawn: each model's answer side by side with its tokens, cost, time to first token and latency, or the error it gave.",
    folder: 'llmAnswers',
    file: 'llm-answers.html',
    tools: ['multi_llm_query'],
  },
  {
    name: 'wallet_app',
    uri: 'ui://vial/wallet.html',
    title: 'Wallet',
    description:
      'A wallet_status or web3_transaction result drawn: the wallet, chain and balances with what Vial sent, or the receipt with its fee and an explorer link the host opens. It signs nothing.',
    folder: 'wallet',
    file: 'wallet.html',
    tools: ['wallet_status', 'web3_transaction'],
  },
  {
    name: 'model_registry_app',
    uri: 'ui://vial/model-registry.html',
    title: 'Model registry',
    description:
      "The tab's model registry (vial://models/registry, read through the host) beside a model_load result: the model just loaded, every model searchable by name, kind, task or source, and the bundled samples, each loadable with model_load.",
    folder: 'modelRegistry',
    file: 'model-registry.html',
    tools: ['model_load'],
  },
];

/** The extension a client advertises (in its capabilities' `extensions`) when it renders MCP Apps. */
export const UI_EXTENSION = 'io.modelcontextprotocol/ui';

/** The MIME type of an MCP App's HTML resource. */
export const APP_MIME_TYPE = 'text/html;profile=mcp-app';

/**
 * Every built app's HTML carries `<meta name="vial-app" content="<folder>">`: a fetch that got
 * another page (the tab's own, which the server answers for unknown paths) is told apart.
 */
export const APP_MARKER_META = 'vial-app';

/**
 * The most characters an app's HTML may have. A resource read travels to the relay as one frame
 * (VIAL_MAX_FRAME_BYTES, 4 MiB by default) with the HTML escaped into JSON: 1 Mi characters
 * leaves room for that. The build fails on an app larger than this.
 */
export const MAX_APP_HTML_CHARS = 1024 * 1024;
