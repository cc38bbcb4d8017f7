/**
 * Training data into plain numbers: inline examples, or CSV (text or URL) with a header row
 * whose target column is named or last. Each bad value is named by line and column.
 *
 * CSV errors never quote the CSV: a csv_url may point at a file its caller could not read
 * otherwise, and the error goes back to that caller.
 */
import { download } from './download.ts';
import { MlError } from './errors.ts';
import { MAX_TRAINING_VALUES, type TrainingData } from './trainingSpec.ts';

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
  // Blank lines are skipped; errors count lines as the file does (1-based).
  const lines = text
    .split(/\r?\n/)
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '');
  if (lines.length < 2) throw new MlError('The CSV needs a header row and at least one data row.');
  const header = lines[0]!.line.split(',').map((name) => name.trim());
  const target = label === undefined ? header.length - 1 : header.indexOf(label);
  if (target < 0) {
    throw new MlError(
      `The CSV's header row (line ${lines[0]!.number}, ${header.length} columns) has no column named '${label}'; leave label out to use the last column. (Column names are not repeated here: the CSV may come from a server the caller cannot read.)`,
    );
  }
  if (header.length < 2) throw new MlError('The CSV needs at least one feature column besides the target.');
  const values = (lines.length - 1) * header.length;
  if (values > MAX_TRAINING_VALUES) {
    throw new MlError(
      `The CSV has ${values.toLocaleString('en-US')} cells, over train_model's limit of ${MAX_TRAINING_VALUES.toLocaleString('en-US')} numbers. Train on fewer rows.`,
    );
  }
  const x: number[][] = [];
  const y: number[][] = [];
  for (const { line, number } of lines.slice(1)) {
    const cells = line.split(',');
    if (cells.length !== header.length) {
      throw new MlError(`CSV line ${number} has ${cells.length} cells but the header has ${header.length}.`);
    }
    const row = cells.map((cell, column) => {
      const value = Number(cell.trim());
      if (cell.trim() === '' || !Number.isFinite(value)) {
        throw new MlError(
          `CSV line ${number}, column ${column + 1} of ${header.length} is not a number (${cell.trim() === '' ? 'it is empty' : 'expected digits with an optional sign, decimal point and exponent'}). Encode categories as numbers.`,
        );
      }
      return value;
    });
    y.push([row[target]!]);
    x.push(row.filter((_, column) => column !== target));
  }
  return { x, y };
}
