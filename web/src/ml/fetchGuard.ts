/**
 * What a remote client may make this tab fetch. Runs in the tools, before the ML Worker is asked,
 * for every URL a client names (model_load, train_model's csv_url) and for the Hugging Face hub:
 *
 * - only http: and https: URLs, without a user name or password;
 * - the tab's own origin (the bundled samples, relative URLs) is always allowed;
 * - an origin on the person's list (Settings) is allowed;
 * - a loopback, private, link-local, unspecified or reserved address, or a name only the local
 *   network resolves, is refused: the person has to add it to the list themselves;
 * - any other origin asks the person once (the approval panel names the client, the tool and the
 *   origin); approved, it joins the list, for every client, until they remove it.
 *
 * The Models view calls the Worker directly: the person's own loads are not checked here.
 */
import type { ClientIdentity } from '@vial/shared';
import type { ApprovalPreview, ApprovalQueue } from '../server/approvals.ts';
import { ToolError } from '../server/toolError.ts';
import type { FetchOriginStore } from '../storage/fetchOriginStore.ts';

/** One remote call that would make the tab fetch. */
export interface RemoteFetch {
  client: ClientIdentity;
  tool: string;
  /** What it fetches, in words for the approval: 'a model', 'a CSV file'. */
  what: string;
  signal: AbortSignal;
}

/** Where transformers.js downloads hub models from (it follows the hub's redirects to its CDN). */
export const HUGGING_FACE_HUB = new URL('https://huggingface.co');

export const ALLOWED_ORIGINS_SETTING = 'Settings → "Origins clients may fetch from"';

export interface RemoteFetchGuardOptions {
  /** Where the tab is served; relative URLs resolve against it and it is always allowed. */
  tabOrigin: string;
  origins: FetchOriginStore;
  approvals: ApprovalQueue;
}

export class RemoteFetchGuard {
  private readonly tabOrigin: URL;

  constructor(private readonly options: RemoteFetchGuardOptions) {
    this.tabOrigin = new URL(options.tabOrigin);
  }

  /**
   * Resolves `target` against the tab's origin and returns the URL once the client may have it
   * fetched: refused with a `ToolError` that says why, or after the person approved its origin.
   */
  async admitUrl(target: string, call: RemoteFetch): Promise<URL> {
    let url: URL;
    try {
      url = new URL(target, this.tabOrigin);
    } catch {
      throw new ToolError(`'${target}' is not a URL.`, {
        hints: ['Give an http(s) URL, or a path on the tab (e.g. /models/mlp/model.onnx).'],
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ToolError(`${call.tool} fetches http: and https: URLs only; '${url.protocol}' is refused.`);
    }
    if (url.username !== '' || url.password !== '') {
      throw new ToolError(`${call.tool} refuses URLs with a user name or password in them.`, {
        hints: ['Put the file where it can be fetched without credentials.'],
      });
    }
    await this.admitOrigin(url, call);
    return url;
  }

  /** Lets the call fetch from `url`'s origin, asking the person the first time (see the file's comment). */
  async admitOrigin(url: URL, call: RemoteFetch): Promise<void> {
    const { origin } = url;
    if (origin === this.tabOrigin.origin || this.options.origins.has(origin)) return;
    // Fetched on the first URL it has to classify, keeping the address parsers out of the first paint.
    const { ADDRESS_KIND_WORDS, classifyUrl } = await import('./addresses.ts');
    const kind = classifyUrl(url);
    if (kind !== 'public') {
      throw new ToolError(
        `${call.tool} refused to fetch from ${origin}: it is ${ADDRESS_KIND_WORDS[kind]}, and remote clients cannot make this tab fetch from such addresses.`,
        {
          hints: [`If the person at the tab wants to allow it, they add ${origin} under ${ALLOWED_ORIGINS_SETTING}.`],
        },
      );
    }
    await this.options.approvals.request({
      client: call.client.tokenName,
      clientId: call.client.tokenId,
      tool: call.tool,
      preview: originPreview(url, call),
      signal: call.signal,
    });
    this.options.origins.add(origin, call.client.tokenName);
  }
}

/** What the person reads before letting a client's first fetch from an origin go ahead. */
export function originPreview(url: URL, call: RemoteFetch): ApprovalPreview {
  return {
    summary: `${call.client.tokenName} wants this tab to fetch ${call.what} from ${url.origin}`,
    fields: [
      { label: 'Client', value: call.client.tokenName },
      { label: 'Tool', value: call.tool },
      { label: 'Origin', value: url.origin },
      { label: 'URL', value: url.href },
      {
        label: 'If you approve',
        value: `Every client may make this tab fetch from ${url.origin} until you remove it under ${ALLOWED_ORIGINS_SETTING}.`,
      },
    ],
  };
}
