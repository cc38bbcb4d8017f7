/**
 * A plain-text circuit diagram, one line per qubit and one per classical register, in the spirit
 * of Qiskit's text drawer:
 *
 *     q[0]: ─H──■──M─────
 *     q[1]: ────X──╫──M──
 *        c: ═══════0══1══
 *
 * Controls are `■`, a measurement is `M` with the bit it writes on the register's line, `|0>` is a
 * reset, `░` a barrier, `=1` on a register's line a condition. Ops go in the leftmost column where
 * nothing they span is busy. Wide circuits wrap into pages (`»` … `«`), and very long ones are
 * cut after `maxColumns` columns with a note saying how much was left out.
 */
import type { Circuit, Op } from '../circuit.ts';
import { STANDARD_GATES, type StandardGateName } from '../gates.ts';

export interface DrawOptions {
  /** Line width to wrap at (default 100). */
  width?: number;
  /** Columns drawn before the rest is summarised (default 300). */
  maxColumns?: number;
}

/** Target labels that differ from the upper-cased name (the base gate of controlled gates). */
const TARGET_LABELS: Partial<Record<StandardGateName, string>> = {
  cx: 'X',
  ccx: 'X',
  c3x: 'X',
  c4x: 'X',
  cy: 'Y',
  cz: 'Z',
  ch: 'H',
  csx: 'SX',
  c3sqrtx: 'SX',
  crx: 'RX',
  cry: 'RY',
  crz: 'RZ',
  cp: 'P',
  cu1: 'U1',
  cu3: 'U3',
  cu: 'U',
  swap: 'x',
  cswap: 'x',
  id: 'I',
};

/** An angle as a short label: a multiple of π with a small denominator when it is one, else 4 digits. */
export function formatAngleLabel(value: number): string {
  if (Math.abs(value) < 1e-12) return '0';
  const ratio = value / Math.PI;
  for (let denominator = 1; denominator <= 16; denominator++) {
    const numerator = Math.round(ratio * denominator);
    if (numerator !== 0 && Math.abs(ratio * denominator - numerator) < 1e-9) {
      const sign = numerator < 0 ? '-' : '';
      const n = Math.abs(numerator);
      return `${sign}${n === 1 ? '' : n}π${denominator === 1 ? '' : `/${denominator}`}`;
    }
  }
  return String(Number(value.toPrecision(4)));
}

function gateLabel(name: StandardGateName, params: readonly number[]): string {
  const base = TARGET_LABELS[name] ?? name.toUpperCase();
  return params.length > 0 ? `${base}(${params.map(formatAngleLabel).join(',')})` : base;
}

/** What one op draws: text on some rows, and the rows its vertical link crosses. */
interface Placement {
  cells: Map<number, string>;
  top: number;
  bottom: number;
  /** Rows below this one (inside the span) are crossed by a classical link rather than a quantum one. */
  quantumBottom: number;
  /** Barriers do not draw links. */
  link: boolean;
}

function place(op: Op, circuit: Circuit, cregRow: (clbit: number) => { row: number; bit: number }): Placement {
  const cells = new Map<number, string>();
  let link = true;
  if (op.kind === 'gate') {
    const spec = STANDARD_GATES[op.name];
    const label = gateLabel(op.name, op.params);
    op.qubits.forEach((qubit, k) => cells.set(qubit, k < spec.controls ? '■' : label));
  } else if (op.kind === 'measure') {
    cells.set(op.qubit, 'M');
    const { row, bit } = cregRow(op.clbit);
    cells.set(row, String(bit));
  } else if (op.kind === 'reset') {
    cells.set(op.qubit, '|0>');
  } else {
    for (const qubit of op.qubits) cells.set(qubit, '░');
    link = false;
  }
  const quantumRows = [...cells.keys()].filter((row) => row < circuit.qubits);
  if (op.kind !== 'barrier' && op.condition) {
    const register = circuit.cregs.findIndex(({ name }) => name === op.condition!.creg);
    if (register >= 0) {
      const row = circuit.qubits + register;
      const existing = cells.get(row);
      cells.set(row, existing === undefined ? `=${op.condition.value}` : `${existing}=${op.condition.value}`);
    }
  }
  const rows = [...cells.keys()];
  return {
    cells,
    top: Math.min(...rows),
    bottom: Math.max(...rows),
    quantumBottom: Math.max(...quantumRows),
    link,
  };
}

const length = (text: string) => [...text].length;

export function drawCircuit(circuit: Circuit, options: DrawOptions = {}): string {
  const width = options.width ?? 100;
  const maxColumns = options.maxColumns ?? 300;
  const rowCount = circuit.qubits + circuit.cregs.length;
  if (rowCount === 0) return '';

  const cregOfClbit: Array<{ row: number; bit: number }> = [];
  circuit.cregs.forEach(({ size, offset }, r) => {
    for (let bit = 0; bit < size; bit++) cregOfClbit[offset + bit] = { row: circuit.qubits + r, bit };
  });
  const cregRow = (clbit: number) => cregOfClbit[clbit] ?? { row: circuit.qubits, bit: clbit };

  // Leftmost free column for every op; stop filling once past maxColumns.
  const columns: Array<Map<number, string>> = [];
  const nextFree = new Array<number>(rowCount).fill(0);
  let hiddenOps = 0;
  for (const op of circuit.ops) {
    const placement = place(op, circuit, cregRow);
    let column = 0;
    for (let row = placement.top; row <= placement.bottom; row++) column = Math.max(column, nextFree[row]!);
    for (let row = placement.top; row <= placement.bottom; row++) nextFree[row] = column + 1;
    if (column >= maxColumns) {
      hiddenOps++;
      continue;
    }
    while (columns.length <= column) columns.push(new Map());
    const cells = columns[column]!;
    for (let row = placement.top; row <= placement.bottom; row++) {
      const text = placement.cells.get(row);
      if (text !== undefined) cells.set(row, text);
      else if (placement.link) {
        const quantum = row < circuit.qubits;
        cells.set(row, row < placement.quantumBottom ? '┼' : quantum ? '╫' : '╬');
      }
    }
  }
  const hiddenColumns = Math.max(0, Math.max(...nextFree) - maxColumns);

  const labels = [
    ...circuit.qregs.flatMap(({ name, size }) => Array.from({ length: size }, (_, i) => `${name}[${i}]: `)),
    ...circuit.cregs.map(({ name }) => `${name}: `),
  ];
  while (labels.length < rowCount) labels.push(`${labels.length}: `);
  const labelWidth = Math.max(...labels.map(length));
  const paddedLabels = labels.map((label) => ' '.repeat(labelWidth - length(label)) + label);
  const wire = (row: number) => (row < circuit.qubits ? '─' : '═');

  const columnWidths = columns.map((cells) => Math.max(1, ...[...cells.values()].map(length)));
  const renderCell = (row: number, column: number): string => {
    const fill = wire(row);
    const text = columns[column]!.get(row) ?? '';
    const room = columnWidths[column]! - length(text);
    const left = Math.floor(room / 2);
    return fill + fill.repeat(left) + text + fill.repeat(room - left) + fill;
  };

  // Pages: as many columns as fit in `width` (at least one), with » and « where a page continues.
  const pages: number[][] = [];
  let page: number[] = [];
  let used = labelWidth + 2;
  columnWidths.forEach((columnWidth, column) => {
    if (page.length > 0 && used + columnWidth + 2 > width) {
      pages.push(page);
      page = [];
      used = labelWidth + 2;
    }
    page.push(column);
    used += columnWidth + 2;
  });
  if (page.length > 0 || pages.length === 0) pages.push(page);

  const blocks = pages.map((columnsOfPage, p) =>
    paddedLabels
      .map((label, row) => {
        const start = p > 0 ? '«' : wire(row);
        const end = p < pages.length - 1 ? '»' : wire(row);
        return label + start + columnsOfPage.map((column) => renderCell(row, column)).join('') + end;
      })
      .join('\n'),
  );
  if (hiddenOps > 0) {
    blocks.push(`… ${hiddenColumns} more columns (${hiddenOps} ops) not drawn`);
  }
  return blocks.join('\n\n') + '\n';
}
