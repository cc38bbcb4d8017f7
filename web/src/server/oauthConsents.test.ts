import { describe, expect, it } from 'vitest';
import type { OAuthGrantState, TabFrame } from '@vial/shared';
import { OAuthConsents } from './oauthConsents.ts';

function state(grantId: string): OAuthGrantState {
  return {
    grantId,
    hostId: 'AAAAAAAAAAAAAAAAAAAAAA',
    resource: 'http://localhost:8787/mcp/AAAAAAAAAAAAAAAAAAAAAA',
    client: {
      clientId: 'client-0123456789abcdef',
      name: 'Client',
      cimd: false,
      redirectHosts: ['localhost'],
      loopbackOnly: true,
    },
    scopes: ['quantum'],
    grantedAt: 1,
    expiresAt: 2,
    lastUsedAt: null,
    refresh: { hash: 'a'.repeat(64), issuedAt: 1, expiresAt: 2, rotations: 0 },
    consumed: [],
  };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('OAuthConsents keeping grants for the relay', () => {
  it('saves every grants frame in order and acknowledges each once saved, never before', async () => {
    const sent: TabFrame[] = [];
    const saved: string[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const consents = new OAuthConsents(
      (frame) => sent.push(frame) > 0,
      async (grants) => {
        if (saved.length === 0) await first;
        saved.push(grants.map((grant) => grant.grantId));
      },
    );
    consents.receive({ type: 'oauth-grants', seq: 1, grants: [state('grant-one-000000000')] });
    consents.receive({ type: 'oauth-grants', seq: 2, grants: [] });
    await settled();
    expect(sent).toEqual([]);
    release();
    await settled();
    expect(saved).toEqual([['grant-one-000000000'], []]);
    expect(sent).toEqual([
      { type: 'oauth-grants-stored', seq: 1 },
      { type: 'oauth-grants-stored', seq: 2 },
    ]);
    expect(consents.kept()).toEqual([]);
  });

  it('does not acknowledge what it could not save, and goes on saving later frames', async () => {
    const sent: TabFrame[] = [];
    let fail = true;
    const consents = new OAuthConsents(
      (frame) => sent.push(frame) > 0,
      async () => {
        if (fail) throw new Error('quota exceeded');
      },
    );
    consents.receive({ type: 'oauth-grants', seq: 7, grants: [state('grant-one-000000000')] });
    await settled();
    expect(sent).toEqual([]);
    fail = false;
    consents.receive({ type: 'oauth-grants', seq: 8, grants: [state('grant-one-000000000')] });
    await settled();
    expect(sent).toEqual([{ type: 'oauth-grants-stored', seq: 8 }]);
  });

  it('forgets a grant it revokes at once, so a relay restart cannot bring it back', async () => {
    const sent: TabFrame[] = [];
    let kept: OAuthGrantState[] = [];
    const consents = new OAuthConsents(
      (frame) => sent.push(frame) > 0,
      async (grants) => void (kept = grants),
    );
    consents.load([state('grant-one-000000000'), state('grant-two-000000000')]);
    expect(consents.grants()).toHaveLength(2);
    expect(consents.revoke('grant-one-000000000')).toBe(true);
    await settled();
    expect(sent).toEqual([{ type: 'oauth-revoke', grantId: 'grant-one-000000000' }]);
    expect(kept.map((grant) => grant.grantId)).toEqual(['grant-two-000000000']);
    expect(consents.kept().map((grant) => grant.grantId)).toEqual(['grant-two-000000000']);
  });
});
