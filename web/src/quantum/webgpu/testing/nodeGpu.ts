/// <reference types="@webgpu/types" />
/**
 * WebGPU in Node for tests and benchmarks: Dawn from the npm package `webgpu`, running on
 * Chromium's SwiftShader Vulkan driver (Debian's `chromium` package ships it in /usr/lib/chromium).
 *
 * Two things have to be in place before Dawn creates its instance:
 * - `VK_ICD_FILENAMES` points the Vulkan loader at SwiftShader (Mesa's lavapipe lacks a feature
 *   Dawn needs);
 * - a Vulkan loader must be loadable as `libvulkan.so.1`. Debian has none unless `libvulkan1` is
 *   installed, but Chromium ships one. `LD_LIBRARY_PATH` cannot be changed from inside a running
 *   process, so the loader is opened here by path with RTLD_NODELETE|RTLD_GLOBAL: Node's
 *   `process.dlopen` then complains that it is no Node module, but the library stays loaded, and
 *   Dawn's later `dlopen("libvulkan.so.1")` finds it by its soname.
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { create, globals } from 'webgpu';

const CHROMIUM_DIR = '/usr/lib/chromium';
const RTLD_NODELETE = 0x1000;

let preloaded = false;

function preloadVulkan() {
  if (preloaded) return;
  preloaded = true;
  const icd = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
  if (!process.env.VK_ICD_FILENAMES && existsSync(icd)) process.env.VK_ICD_FILENAMES = icd;
  const loader = `${CHROMIUM_DIR}/libvulkan.so.1`;
  if (process.platform !== 'linux' || !existsSync(loader)) return;
  try {
    process.dlopen({ exports: {} }, loader, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
  } catch {
    // Expected: "Module did not self-register". The library is loaded all the same.
  }
}

let instance: GPU | undefined;

/** The process-wide Dawn `GPU` (SwiftShader here). Keep one: each `create` starts a Dawn instance. */
export function nodeGpu(): GPU {
  if (!instance) {
    preloadVulkan();
    Object.assign(globalThis, globals);
    instance = create([]);
  }
  return instance;
}
