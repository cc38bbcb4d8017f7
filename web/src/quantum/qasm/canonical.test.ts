import { describe, expect, it } from 'vitest';
import { canonicalText, circuitFromJson, circuitHash, parseQasm } from './index.ts';

const BELL = `OPENQASM 2.0;
include "qelib1.inc";
qreg q[2];
creg c[2];
h q[0];
cx q[0],q[1];
rz(pi/2) q[1];
measure q -> c;
`;

const hashOf = (source: string) => circuitHash(parseQasm(source));

describe('canonical form and hash', () => {
  it('writes registers, then one line per op', () => {
    expect(canonicalText(parseQasm(BELL))).toBe(
      [
        'vial-circuit 1',
        'qubits 2 clbits 2',
        'qreg q 2 0',
        'creg c 2 0',
        'h 0',
        'cx 0 1',
        'rz(1.57079632679) 1',
        'measure 0 -> 0',
        'measure 1 -> 1',
        '',
      ].join('\n'),
    );
  });

  it('is a lowercase hex SHA-256 of the canonical text', async () => {
    const hash = await hashOf(BELL);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonicalText(parseQasm(BELL))));
    expect(hash).toBe(Buffer.from(digest).toString('hex'));
  });

  it('ignores whitespace and comments', async () => {
    const spaced = `// Bell pair
      OPENQASM 2.0;   include "qelib1.inc";
      /* two qubits */ qreg q [ 2 ] ; creg c[2];
      h   q[0] ;  cx q[0] ,
      q[1];   rz( pi / 2 ) q[1];  // a phase
      measure q->c;`;
    expect(await hashOf(spaced)).toBe(await hashOf(BELL));
  });

  it('does not care how an angle is spelt', async () => {
    for (const angle of [
      '1.5707963267948966',
      'pi*0.5',
      '0.5*pi',
      '2*pi/4',
      'pi/2 + 0',
      '1.57079632679489',
      '-(-pi/2)',
    ]) {
      expect(await hashOf(BELL.replace('pi/2', angle)), angle).toBe(await hashOf(BELL));
    }
  });

  it('gives the same hash for a user gate and the same gates inline', async () => {
    const withGate = BELL.replace(
      'h q[0];\ncx q[0],q[1];\nrz(pi/2) q[1];',
      'gate prep(theta) a, b { h a; cx a, b; rz(theta/2) b; }\nprep(pi) q[0], q[1];',
    );
    expect(withGate).not.toBe(BELL);
    expect(await hashOf(withGate)).toBe(await hashOf(BELL));
  });

  it('gives the same hash for the JSON form of the same circuit', async () => {
    const json = circuitFromJson({
      qubits: 2,
      clbits: 2,
      gates: [
        { gate: 'h', targets: [0] },
        { gate: 'cx', controls: [0], targets: [1] },
        { gate: 'rz', targets: [1], params: ['pi/2'] },
        { gate: 'measure', qubit: 0, clbit: 0 },
        { gate: 'measure', qubit: 1, clbit: 1 },
      ],
    });
    expect(await circuitHash(json)).toBe(await hashOf(BELL));
  });

  it('changes when anything that matters changes', async () => {
    const base = await hashOf(BELL);
    const variants = [
      BELL.replace('pi/2', 'pi/3'),
      BELL.replace('pi/2', '1.5707963268'),
      BELL.replace('cx q[0],q[1];', 'cx q[1],q[0];'),
      BELL.replace('h q[0];', 'x q[0];'),
      BELL.replace('qreg q[2];', 'qreg r[2];').replace(/q\[/g, 'r[').replace('measure q', 'measure r'),
      BELL.replace('creg c[2];', 'creg c[3];').replace(
        'measure q -> c;',
        'measure q[0] -> c[0];\nmeasure q[1] -> c[1];',
      ),
      BELL.replace('h q[0];', 'h q[0];\nbarrier q;'),
      BELL.replace('h q[0];', 'if(c==1) h q[0];'),
      BELL.replace('rz(pi/2)', 'u1(pi/2)'),
    ];
    const hashes = await Promise.all(variants.map(hashOf));
    expect(new Set([base, ...hashes]).size).toBe(variants.length + 1);
  });
});
