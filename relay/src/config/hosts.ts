/** The relay's settings for hosts: who may host, how many, and what their tabs may send. */
import { z } from 'zod';
import { DEFAULT_MAX_FRAME_BYTES, hostIdSchema } from '@vial/shared';
import { commaList, MiB, nonNegativeInt, positiveInt } from './parsers.ts';
import { setting } from './setting.ts';

export const HOSTS = {
  title: 'Hosts and tabs',
  intro:
    'Who may host (a relay reachable from other machines admits hosts by enrolment code: see [security.md](security.md)), how many hosts the relay keeps, and what their tabs may send.',
  settings: {
    VIAL_HOST_ADMISSION: setting({
      schema: z.enum(['open', 'enrolment']),
      shownDefault: '`open` on loopback',
      meaning:
        'Who may host: `open` (loopback only) or `enrolment` (codes from `pnpm relay:enrol`); required where the relay is reachable from elsewhere ([security.md](security.md))',
    }),
    VIAL_ADMISSION_SECRET: setting({
      schema: z.string().min(32, 'use at least 32 random characters'),
      meaning:
        '32+ random characters that sign enrolment codes and admission tickets; rotating it revokes every ticket',
    }),
    VIAL_ADMITTED_HOSTS: setting({
      schema: commaList.pipe(z.array(hostIdSchema)),
      default: [],
      meaning: 'Comma list of host ids admitted without a code',
    }),
    VIAL_MAX_HOSTS: setting({
      to: 'hostLimits.maxHosts',
      schema: positiveInt,
      default: 10_000,
      meaning: 'Hosts the relay knows at once; past it new hosts are told to come back later (1013)',
    }),
    VIAL_NEW_HOSTS_PER_MIN: setting({
      to: 'hostLimits.newHostsPerMinute',
      schema: nonNegativeInt,
      default: 30,
      meaning: 'New hosts one client address (IPv6: its /64) may create per minute (0 disables)',
    }),
    VIAL_TAB_SOCKETS_PER_ADDRESS: setting({
      to: 'hostLimits.socketsPerAddress',
      schema: positiveInt,
      default: 64,
      meaning: 'Tab sockets one client address may hold open; more get 429',
    }),
    VIAL_OFFLINE_HOST_TTL_MS: setting({
      to: 'hostLimits.offlineHostTtlMs',
      schema: positiveInt,
      default: 15 * 60 * 1000,
      meaning: 'A host whose tab has been away this long is forgotten, with its client sessions',
    }),
    VIAL_HEARTBEAT_MS: setting({
      to: 'heartbeatMs',
      schema: positiveInt,
      default: 10_000,
      meaning: 'Tab heartbeat interval; a tab that misses one is dropped',
    }),
    VIAL_MAX_FRAME_BYTES: setting({
      to: 'maxFrameBytes',
      schema: positiveInt,
      default: DEFAULT_MAX_FRAME_BYTES,
      meaning: 'Largest tab WebSocket frame; larger closes the socket (1009)',
    }),
    VIAL_TAB_BUFFER_BYTES: setting({
      to: 'tabBufferBytes',
      schema: positiveInt,
      default: 16 * MiB,
      meaning: 'Unread bytes the socket to a tab may hold; past it the tab is dropped (1008) and its calls fail',
    }),
    VIAL_TABS_BYTES_PER_SEC: setting({
      to: 'hostLimits.tabsBytesPerSecond',
      schema: positiveInt,
      default: 4 * MiB,
      meaning:
        'Bytes per second all tabs together may send, shared evenly among those sending (that sent anything in the last 2 s; idle tabs and the pongs they owe the heartbeat take none), after a burst of `VIAL_TAB_BURST_BYTES` scaled to it; answers to waiting clients excepted',
    }),
    VIAL_TAB_BYTES_PER_SEC: setting({
      to: 'hostLimits.tabBytesPerSecond',
      schema: positiveInt,
      default: 4 * MiB,
      meaning: 'Most bytes per second one tab may send; a tab over its share is paused',
    }),
    VIAL_TAB_BURST_BYTES: setting({
      to: 'hostLimits.tabBurstBytes',
      schema: positiveInt,
      default: 8 * MiB,
      meaning: 'Bytes a lone sending tab may send at once before its share applies (less when many are sending)',
    }),
    VIAL_TAB_THROTTLE_DROP_MS: setting({
      to: 'hostLimits.tabThrottleDropMs',
      schema: positiveInt,
      default: 10_000,
      meaning: 'A tab that keeps more than its share waiting this long is dropped (1008)',
    }),
  },
} as const;
