/** The train_model app's page: connects to the host and shows the training run it is given. */
import '../../jitlessZod.ts';
import { mount } from 'svelte';
import '../../ui/styles.css';
import '../shared/app.css';
import { trainModelOutput } from '../../tools/ml/outputs.ts';
import { ToolApp } from '../shared/toolApp.svelte.ts';
import TrainRunApp from './TrainRunApp.svelte';

const run = new ToolApp('vial-train-model', trainModelOutput);
mount(TrainRunApp, { target: document.getElementById('app')!, props: { run } });
void run.connect();
