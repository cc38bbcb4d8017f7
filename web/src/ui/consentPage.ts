/**
 * The app's other face: at `/consent/<uid>` the entry mounts this instead of the host app (it
 * loads only there, as a chunk of its own). No host runtime starts: the page reads the request,
 * looks in IndexedDB for the host, and talks to the host's running tab over the consent channel.
 */
import { mount } from 'svelte';
import { CONSENT_CHANNEL } from '../oauth/consentChannel.ts';
import { IndexedDbHostStore } from '../storage/hostStore.ts';
import ConsentPage from './ConsentPage.svelte';
import { ConsentPageState } from './consentPageState.svelte.ts';

export function mountConsentPage(target: HTMLElement, uid: string): ConsentPageState {
  const page = new ConsentPageState({
    uid,
    ownedHostId: async () => (await new IndexedDbHostStore().loadIdentity())?.hostId,
    openChannel: () => new BroadcastChannel(CONSENT_CHANNEL),
    navigate: (url) => location.assign(url),
    base: location.href,
  });
  mount(ConsentPage, { target, props: { page } });
  void page.start();
  return page;
}
