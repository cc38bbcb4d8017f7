/** The model registry app's page (shown for model_load): connects to the host and browses vial://models/registry through it. */
import '../../jitlessZod.ts';
import { mount } from 'svelte';
import '../../ui/styles.css';
import '../shared/app.css';
import { modelLoadOutput } from '../../tools/ml/outputs.ts';
import { ToolApp } from '../shared/toolApp.svelte.ts';
import RegistryApp from './RegistryApp.svelte';

const run = new ToolApp('vial-model-registry', modelLoadOutput);
mount(RegistryApp, { target: document.getElementById('app')!, props: { run } });
void run.connect();
