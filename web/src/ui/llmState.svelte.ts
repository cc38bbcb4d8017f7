/**
 * The LLM view's state as Svelte runes: the relay's providers, the models picked, the prompt, and
 * each model's answer as it streams. It asks through `ask()`, the same path `multi_llm_query`
 * takes, and saves each exchange to the same conversation store the tools use.
 */
import type { LlmProvidersResponse } from '@vial/shared';
import type { LlmGateway } from '../llm/gateway.ts';
import { ask } from '../llm/ask.ts';
import { startConversation, withExchange, type AnswerRecord, type ConversationStore } from '../llm/conversations.ts';
import { MAX_MODELS } from '../llm/ask.ts';

/** The client name conversations started here are saved under. */
export const LLM_VIEW_CLIENT = 'LLM view';

/** One column of the side-by-side view: the text so far, then the finished answer. */
export interface AnswerColumn {
  model: string;
  text: string;
  /** The provider and model streaming now (after any fallback), once the first token came. */
  streamingFrom?: string;
  answer?: AnswerRecord;
}

export class LlmState {
  providers: LlmProvidersResponse | undefined = $state.raw();
  providersError: string | undefined = $state();
  picked: string[] = $state([]);
  /** A `provider:model` typed by hand, for models the price table does not list. */
  customModel = $state('');
  prompt = $state('');
  system = $state('');
  running = $state(false);
  columns: AnswerColumn[] = $state([]);

  private controller: AbortController | undefined;

  constructor(
    private readonly gateway: LlmGateway,
    private readonly conversations: ConversationStore,
  ) {}

  /** Every model this run would ask: the picked ones plus the typed one. */
  get models(): string[] {
    const custom = this.customModel.trim();
    const all = custom ? [...this.picked, custom] : this.picked;
    return all.filter((model, index) => all.indexOf(model) === index).slice(0, MAX_MODELS);
  }

  async loadProviders(): Promise<void> {
    try {
      this.providers = await this.gateway.providers();
      this.providersError = undefined;
    } catch (error) {
      this.providersError = (error as Error).message;
    }
  }

  toggle(model: string): void {
    this.picked = this.picked.includes(model) ? this.picked.filter((m) => m !== model) : [...this.picked, model];
  }

  async run(): Promise<void> {
    const models = this.models;
    const prompt = this.prompt.trim();
    if (this.running || models.length === 0 || !prompt) return;
    const controller = new AbortController();
    this.controller = controller;
    this.running = true;
    this.columns = models.map((model) => ({ model, text: '' }));
    const system = this.system.trim() || undefined;
    try {
      const answers = await ask(
        this.gateway,
        { models: models.map((model) => ({ model })), messages: [{ role: 'user', content: prompt }], system },
        {
          signal: controller.signal,
          onEvent: (index, event) => {
            const column = this.columns[index]!;
            if (event.type === 'start') column.streamingFrom = `${event.provider}:${event.model}`;
            if (event.type === 'delta') column.text += event.text;
          },
          onAnswer: (index, answer) => (this.columns[index]!.answer = answer),
        },
      );
      const conversation = startConversation(prompt, LLM_VIEW_CLIENT, system);
      await this.conversations.save(withExchange(conversation, { at: Date.now(), prompt, answers }));
    } catch (error) {
      for (const column of this.columns) {
        column.answer ??= {
          model: column.model,
          ok: false,
          text: column.text,
          error: { class: controller.signal.aborted ? 'cancelled' : 'error', message: (error as Error).message },
        };
      }
    } finally {
      this.running = false;
      this.controller = undefined;
      void this.loadProviders(); // budget left and breaker states changed
    }
  }

  cancel(): void {
    this.controller?.abort();
  }
}
