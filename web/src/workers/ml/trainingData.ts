/**
 * Training data into plain numbers: inline examples, or CSV (text or URL) with a header row
 * whose target column is named or last. Each bad value is named by row and column.
 */
import { download } from './download.ts';
import { MlError } from './errors.ts';
import type { TrainingData } from './trainingSpec.ts';

export interface Examples {
  /** One flat row per example. */
  x: number[][];
  /** One flat target per example (a single value: a class index or a regression value). */
  y: number[][];
}

/** Largest CSV a training run downloads. */
const MAX_CSV_BYTES = 64 * 1024 * 1024;

export async function readTrainingData(data: TrainingData, baseUrl: string): Promise<Examples> {
  if ('x' in data) {
    if (data.x.length !== data.y.length) {
      throw new MlError(
        `data.x has ${data.x.length} examples but data.y has ${data.y.length}; give one target per example.`,
      );
    }
    return {
      x: data.x.map((row, index) => numbers(row, `data.x[${index}]`)),
      y: data.y.map((row, index) => numbers(row, `data.y[${index}]`)),
    };
  }
  let text: string;
  if ('csv' in data) text = data.csv;
  else {
    let url: URL;
    try {
      url = new URL(data.csv_url, baseUrl);
    } catch {
      throw new MlError(`csv_url '${data.csv_url}' is not a URL.`);
    }
    text = new TextDecoder().decode((await download(url, MAX_CSV_BYTES)).bytes);
  }
  return parseCsv(text, data.label);
}

function numbers(value: unknown, where: string): number[] {
  const flat = Array.isArray(value) ? value.flat(Infinity) : [value];
  return flat.map((item, index) => {
    if (typeof item === 'number' && Number.isFinite(item)) return item;
    throw new MlError(
      `${where}${Array.isArray(value) ? ` value ${index}` : ''} is ${JSON.stringify(item) ?? String(item)}, not a number.`,
    );
  });
}

export function parseCsv(text: string, label: string | undefined): Examples {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length < 2) throw new MlError('The CSV needs a header row and at least one data row.');
  const header = lines[0]!.split(',').map((name) => name.trim());
  const target = label === undefined ? header.length - 1 : header.indexOf(label);
  if (target < 0) throw new MlError(`The CSV has no column '${label}'. Its columns: ${header.join(', ')}.`);
  if (header.length < 2) throw new MlError('The CSV needs at least one feature column besides the target.');
  const x: number[][] = [];
  const y: number[][] = [];
  lines.slice(1).forEach((line, row) => {
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new MlError(`CSV row ${row + 2} has ${cells.length} cells but the header has ${header.length}.`);
    }
    const values = cells.map((cell, column) => {
      const value = Number(cell.trim());
      if (cell.trim() === '' || !Number.isFinite(value)) {
        throw new MlError(
          `CSV row ${row + 2}, column '${header[column]}' is '${cell.trim()}', not a number. Encode categories as numbers.`,
        );
      }
      return value;
    });
    y.push([values[target]!]);
    x.push(values.filter((_, column) => column !== target));
  });
  return { x, y };
}
