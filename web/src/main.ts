/**
 * The web app's entry: one host runtime for this tab (IndexedDB identity, tokens, permissions
 * and audit log, every tool pack), the shared UI state around it (the Quantum view's runs on the same simulator Worker and
 * circuit history as the quantum tools; the Models view on the same ML Worker and settings as the ML tools; the Wallet view
 * on the same wallet as the wallet tools), and the Svelte app on top.
 */
import './jitlessZod.ts';
import { mount } from 'svelte';
import { ApprovalQueue } from './server/approvals.ts';
import { AuditLog } from './audit/auditLog.ts';
import { enrolmentFromHash } from './server/enrolment.ts';
import { Permissions } from './server/permissions.ts';
import { HostRuntime } from './server/runtime.ts';
import { IndexedDbAuditStore } from './storage/auditStore.ts';
import { IndexedDbCircuitHistory } from './storage/circuitHistoryStore.ts';
import { IndexedDbConversationStore } from './storage/conversationStore.ts';
import { FetchOriginStore } from './storage/fetchOriginStore.ts';
import { IndexedDbHostStore } from './storage/hostStore.ts';
import { IndexedDbPermissionStore } from './storage/permissionStore.ts';
import { IndexedDbSentTransactionStore } from './storage/sentTransactionStore.ts';
import { fixturePacks } from './fixtures/index.ts';
import { createToolRegistry } from './tools/index.ts';
import App from './ui/App.svelte';
import { createAuditWorker } from './audit/workerClient.ts';
import { createQuantumWorker } from './quantum/workerClient.ts';
import { createMlWorker } from './ml/workerClient.ts';
import { MlSettingsStore } from './ml/settings.ts';
import { RemoteFetchGuard } from './ml/fetchGuard.ts';
import type { MlState } from './ui/mlState.svelte.ts';
import { QuantumState } from './ui/quantumState.svelte.ts';
import { LlmState } from './ui/llmState.svelte.ts';
import { consentUidFromPath } from './oauth/consentPath.ts';
import { OAuthState } from './ui/oauthState.svelte.ts';
import { AppState } from './ui/state.svelte.ts';
import { TrustState } from './ui/trustState.svelte.ts';
import { WalletState } from './ui/wallet/walletState.svelte.ts';
import { savedLocalRpcUrl } from './wallet/chains.ts';
import { LazyWallet } from './wallet/lazyWallet.ts';
import { SentTransactionLog } from './wallet/sentTransactions.ts';
import { wasConnected } from './wallet/reconnect.ts';
import './ui/styles.css';

// One simulator Worker and one circuit history, shared by the tools and the Quantum view.
const quantumDeps = { quantum: createQuantumWorker(), circuits: new IndexedDbCircuitHistory() };
// The tab's policy and approval queue (the runtime's gate); the ML tools' fetch guard asks in the same queue.
const permissions = new Permissions(new IndexedDbPermissionStore());
const approvals = new ApprovalQueue({ timeoutMs: () => permissions.approvalTimeoutMs() });
// The origins remote clients may make this tab fetch from, listed in Settings.
const fetchOrigins = new FetchOriginStore(localStorage);
const fetchGuard = new RemoteFetchGuard({ tabOrigin: location.origin, origins: fetchOrigins, approvals });
// One ML Worker (started on first use) and one settings store, shared by the ML tools and the Models view.
const mlDeps = { ml: createMlWorker(), mlSettings: new MlSettingsStore(localStorage), fetchGuard };
// One conversation store, shared by the LLM tools and the LLM view.
const conversations = new IndexedDbConversationStore();
// One browser wallet, shared by the wallet tools and the Wallet view. wagmi loads on first use
// (a wallet tool call or the Wallet view opening), keeping it out of the first paint.
const wallet = new LazyWallet(() =>
  import('./wallet/browserWallet.ts').then(({ createBrowserWallet }) =>
    createBrowserWallet({ localRpcUrl: savedLocalRpcUrl(localStorage), storage: localStorage }),
  ),
);
// What web3_transaction sent, listed by wallet_status and the Wallet view alike.
const transactions = new SentTransactionLog(new IndexedDbSentTransactionStore());
const runtime = new HostRuntime({
  relayUrl: location.origin,
  store: new IndexedDbHostStore(),
  registry: createToolRegistry({ ...quantumDeps, ...mlDeps, conversations, wallet, transactions }),
  fixturePacks,
  permissions,
  approvals,
  // The audit log hashes (verification, argument digests) in its own Worker, off this thread.
  audit: new AuditLog(new IndexedDbAuditStore(), { checker: createAuditWorker() }),
});
const app = new AppState(runtime);
const trust = new TrustState(runtime);
const llm = new LlmState(runtime.llm, conversations);
const quantum = new QuantumState(quantumDeps);
// The Models view's state is fetched with the view (keeping it out of the first paint) and made
// once, so a training run started there goes on while another view is open.
let mlState: Promise<MlState> | undefined;
const ml = () => (mlState ??= import('./ui/mlState.svelte.ts').then(({ MlState }) => new MlState(mlDeps)));
const walletState = new WalletState(wallet, transactions, localStorage);
/**
 * An enrolment link (`/#enrol=<code>`) hands this tab a code to redeem. It is kept, and taken out
 * of the address bar (and so out of the history, bookmarks and screenshots) at once.
 */
function takeEnrolmentLink(): string | undefined {
  const code = enrolmentFromHash(location.hash);
  if (code !== undefined) history.replaceState(history.state, '', location.pathname + location.search);
  return code;
}
const oauth = new OAuthState(runtime.oauth);

/** The host app: enrolment, the views, the runtime's connection as the host, and the consent channel's tab end. */
function startApp(target: HTMLElement): void {
  // Registered before the app, so the hash is gone before the app routes on it: a link opened in a
  // tab that is already running enrols it too.
  addEventListener('hashchange', () => {
    const code = takeEnrolmentLink();
    if (code !== undefined) void app.enrol(code);
  });
  const linked = takeEnrolmentLink();
  mount(App, { target, props: { app, quantum, trust, llm, wallet: walletState, ml, fetchOrigins, oauth } });
  void (linked === undefined ? Promise.resolve() : app.enrol(linked))
    .then(() => app.start())
    .then(() => trust.start())
    .then(() => oauth.start());
  // A consent page of this browser hands the person's decision to the tab serving its host. The
  // page asks again every 2 s until a tab answers, so this can load after the first paint.
  void import('./oauth/consentChannel.ts').then(({ CONSENT_CHANNEL, serveConsentChannel }) =>
    serveConsentChannel({
      channel: new BroadcastChannel(CONSENT_CHANNEL),
      oauth: runtime.oauth,
      servingHost: () => (runtime.status.state === 'online' ? runtime.hostId : undefined),
    }),
  );
  // A wallet connected before this reload reconnects now, so the tools find it as it was.
  if (wasConnected(localStorage)) void walletState.open();
}

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks the #app element');
const consentUid = consentUidFromPath(location.pathname);
if (consentUid === undefined) startApp(target);
else {
  // An OAuth consent page (its own chunk): no host runtime starts, so it never takes the host from the running tab.
  void import('./ui/consentPage.ts')
    .then(({ mountConsentPage }) => mountConsentPage(target, consentUid))
    .catch((error: unknown) => {
      target.textContent = `The consent page could not be loaded (${(error as Error).message}). Reload the page to try again.`;
    });
}
