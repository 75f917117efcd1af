/**
 * The data-model generator: Broadband Forum XML or a parameter table →
 * parameter definitions, adapter stubs and a summary; and the assembly of
 * definitions and filled-in stubs into an adapter.
 *
 * @example
 * ```ts
 * import { parseTableType } from "./mod.ts";
 * console.log(parseTableType("string(64)")); // { base: "string", maxLength: 64 }
 * ```
 *
 * @module
 */
export * from "./assemble.ts";
export * from "./bbf_xml.ts";
export * from "./generate.ts";
export * from "./select.ts";
export * from "./table.ts";
