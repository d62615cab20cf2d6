// js-yaml 4 ships no types; this covers only what lib/deploy-files.test.ts uses.
declare module "js-yaml" {
  /** Parses one YAML document (merge keys `<<` included) into plain JS values. */
  export function load(text: string, options?: { filename?: string }): unknown;
}
