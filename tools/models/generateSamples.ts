/** Builds every sample model and writes it under `outDir`; returns the written paths, relative to it. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildBertSamples } from './bertSamples.ts';
import { blobsToCsv, makeBlobs } from './blobs.ts';
import { buildMlp } from './mlp.ts';
import type { OutputFile } from './outputFile.ts';
import { samplesManifest } from './samples.ts';
import { WEIGHTS_FILE, trainBlobsModel } from './tfjsBlobs.ts';

async function tfjsBlobsFiles(): Promise<OutputFile[]> {
  const points = makeBlobs();
  const trained = await trainBlobsModel(points);
  return [
    { path: 'data/blobs.csv', data: blobsToCsv(points) },
    { path: 'tfjs-blobs/model.json', data: trained.modelJson },
    { path: `tfjs-blobs/${WEIGHTS_FILE}`, data: trained.weights },
  ];
}

export async function generateSamples(outDir: string): Promise<string[]> {
  const files: OutputFile[] = [
    { path: 'mlp/model.onnx', data: buildMlp() },
    ...(await tfjsBlobsFiles()),
    ...buildBertSamples(),
    samplesManifest(),
  ];
  for (const file of files) {
    const target = join(outDir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.data);
  }
  return files.map((file) => file.path);
}
