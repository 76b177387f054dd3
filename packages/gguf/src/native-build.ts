import { readFileSync } from "node:fs";

/**
 * Compiler flags that leave out Intel AMX, which llama.cpp's -march=native build turns on where
 * the CPU reports it. Some virtual machines report AMX but fault in llama.cpp's AMX kernels (a
 * general protection fault on the first prompt, seen on a 2-core VM in December 2026); builds
 * for such a machine (dogi build-engine, the benchmarks' llama-server) use these.
 */
export const NO_AMX_FLAGS = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16";

/** Whether this CPU reports Intel AMX (Linux's /proc/cpuinfo flags; false elsewhere). */
export function cpuReportsAmx(): boolean {
  try {
    return /\bamx_tile\b/.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}
