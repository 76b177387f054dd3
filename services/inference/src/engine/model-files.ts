import { access, open, readdir } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { AppError } from "@dogi/trpc";

/** A GGUF file and the names requests may use for it. */
export interface ModelFile {
  id: string;
  path: string;
  aliases: string[];
  isDefault: boolean;
}

/** The id a model is served under: its file name without `.gguf`. */
export function modelIdFromPath(path: string): string {
  return basename(path).replace(/\.gguf$/i, "");
}

/** Parses MODEL_ALIASES ("alias=id,alias2=id") into a map of alias → id. */
export function parseAliases(spec: string | undefined): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const pair of (spec ?? "").split(",")) {
    const [alias, id] = pair.split("=").map((part) => part.trim());
    if (alias && id) aliases.set(alias, id);
  }
  return aliases;
}

/**
 * The models to serve: MODEL_PATH alone when set (a missing file is a start-up error naming
 * it), else every *.gguf in the models folder, sorted by name. A missing folder means none.
 */
export async function findModelFiles(options: {
  modelPath: string | undefined;
  modelsDir: string;
  aliases: string | undefined;
  defaultModel: string | undefined;
}): Promise<ModelFile[]> {
  let paths: string[];
  if (options.modelPath) {
    const path = resolve(options.modelPath);
    try {
      await access(path);
    } catch {
      throw new AppError("NOT_FOUND", `MODEL_PATH names ${path}, which does not exist`);
    }
    paths = [path];
  } else {
    const dir = resolve(options.modelsDir);
    const names = await readdir(dir).catch(() => []);
    paths = names
      .filter((name) => name.toLowerCase().endsWith(".gguf") && !name.startsWith("."))
      .sort()
      .map((name) => join(dir, name));
  }
  const aliases = parseAliases(options.aliases);
  const files = paths.map((path) => ({
    id: modelIdFromPath(path),
    path,
    aliases: [...aliases].filter(([, id]) => id === modelIdFromPath(path)).map(([a]) => a),
    isDefault: false,
  }));
  const wanted = options.defaultModel;
  const chosen = wanted
    ? files.find((file) => file.id === wanted || file.aliases.includes(wanted))
    : files[0];
  if (wanted && files.length > 0 && !chosen) {
    throw new AppError(
      "NOT_FOUND",
      `DEFAULT_MODEL=${wanted} matches no model; found ${files.map((f) => f.id).join(", ")}`,
    );
  }
  if (chosen) chosen.isDefault = true;
  // The default loads first, so readiness does not wait for the others.
  return files.sort((a, b) => Number(b.isDefault) - Number(a.isDefault));
}

/**
 * Checks a file's GGUF magic and version. node-llama-cpp 3.21.1 hangs, instead of failing,
 * on a file whose header carries an unknown version, so bad headers are refused up front.
 */
export async function checkGgufHeader(path: string): Promise<void> {
  const file = await open(path, "r");
  try {
    const header = Buffer.alloc(8);
    const { bytesRead } = await file.read(header, 0, 8, 0);
    const magic = header.subarray(0, 4).toString("latin1");
    const version = bytesRead === 8 ? header.readUInt32LE(4) : 0;
    if (magic !== "GGUF" || version < 1 || version > 3) {
      throw new Error(
        magic === "GGUF"
          ? `unsupported GGUF version ${version}`
          : "not a GGUF file (the first bytes are not GGUF)",
      );
    }
  } finally {
    await file.close();
  }
}
