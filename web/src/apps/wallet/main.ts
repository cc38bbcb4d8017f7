/** The wallet app's page (wallet_status and web3_transaction): connects to the host and shows the result it is given. */
import '../../jitlessZod.ts';
import { mount } from 'svelte';
import '../../ui/styles.css';
import '../shared/app.css';
import { ToolApp } from '../shared/toolApp.svelte.ts';
import WalletApp from './WalletApp.svelte';
import { walletAppOutput } from './walletResult.ts';

const run = new ToolApp('vial-wallet', walletAppOutput);
mount(WalletApp, { target: document.getElementById('app')!, props: { run } });
void run.connect();
