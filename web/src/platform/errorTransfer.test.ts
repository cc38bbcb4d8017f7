import { expose, releaseProxy, wrap } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { VialError } from '@vial/shared/vialError';
import { QasmError } from '../quantum/qasm/errors.ts';
import { carryVialErrors } from './errorTransfer.ts';

const service = {
  qasm(): string {
    throw new QasmError(
      'unknown gate `cz2`',
      { line: 2, column: 1 },
      { hints: ['known gates: h, cx'], source: 'qreg q[2];\ncz2 q[0],q[1];' },
    );
  },
  plain(): string {
    throw new TypeError('not a VialError');
  },
};

const channels: MessageChannel[] = [];

/** `service` behind a comlink proxy over a MessageChannel, as a Worker would serve it. */
function served() {
  const channel = new MessageChannel();
  channels.push(channel);
  expose(service, channel.port1);
  return wrap<typeof service>(channel.port2);
}

afterEach(() => {
  for (const { port1, port2 } of channels.splice(0)) {
    port1.close();
    port2.close();
  }
});

describe('carryVialErrors', () => {
  it('brings a VialError across comlink with its name, message and parts', async () => {
    carryVialErrors();
    const remote = served();
    const thrown = await remote.qasm().catch((error: unknown) => error);
    let original: QasmError | undefined;
    try {
      service.qasm();
    } catch (error) {
      original = error as QasmError;
    }
    expect(thrown).toBeInstanceOf(VialError);
    expect(thrown).toMatchObject({
      name: 'QasmError',
      message: original!.message,
      shortMessage: 'unknown gate `cz2`',
      details: original!.details,
      hints: ['known gates: h, cx'],
    });
    expect((thrown as VialError).message).toBe(
      'QASM line 2, col 1: unknown gate `cz2`; known gates: h, cx\n2 | cz2 q[0],q[1];\n  | ^',
    );
    remote[releaseProxy]();
  });

  it('leaves other errors to comlink: a plain Error with their name and message', async () => {
    carryVialErrors();
    const remote = served();
    const thrown = await remote.plain().catch((error: unknown) => error);
    expect(thrown).not.toBeInstanceOf(VialError);
    expect(thrown).toMatchObject({ name: 'TypeError', message: 'not a VialError' });
    remote[releaseProxy]();
  });
});
