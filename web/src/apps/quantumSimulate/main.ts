/** The quantum_simulate app's page: connects to the host and shows the run it is given. */
import '../../jitlessZod.ts';
import { mount } from 'svelte';
import '../../ui/styles.css';
import '../shared/app.css';
import { simulateOutput } from '../../tools/quantum/outputs.ts';
import { ToolApp } from '../shared/toolApp.svelte.ts';
import QuantumRunApp from './QuantumRunApp.svelte';

const run = new ToolApp('vial-quantum-simulate', simulateOutput);
mount(QuantumRunApp, { target: document.getElementById('app')!, props: { run } });
void run.connect();
