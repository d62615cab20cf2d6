// This process's Storage, built once from the environment.
import { env } from "@/lib/env";
import { createStorage } from "./index";
import type { Storage } from "./types";

let instance: Storage | undefined;

export function storage(): Storage {
  instance ??= createStorage(env());
  return instance;
}
