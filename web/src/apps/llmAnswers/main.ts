/** The multi_llm_query app's page: connects to the host and shows the answers it is given. */
import '../../jitlessZod.ts';
import { mount } from 'svelte';
import '../../ui/styles.css';
import '../shared/app.css';
import { multiQueryOutput } from '../../tools/llm/outputs.ts';
import { ToolApp } from '../shared/toolApp.svelte.ts';
import AnswersApp from './AnswersApp.svelte';

const run = new ToolApp('vial-multi-llm-query', multiQueryOutput);
mount(AnswersApp, { target: document.getElementById('app')!, props: { run } });
void run.connect();
