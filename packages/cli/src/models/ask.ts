import { createInterface } from "node:readline/promises";

/** Asks the operator one question on the terminal and resolves to the line typed. */
export async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}
