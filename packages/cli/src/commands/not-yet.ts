/** Commands the architecture promises that later issues build, with the issue that adds each. */
export const plannedCommands = {
  bench: "issues 3 (auth), 6 (inference) and 7 (gateway), each adding its benchmark",
} as const;

export type PlannedCommand = keyof typeof plannedCommands;

/** True when `name` is a command that exists in the plan but not yet in code. */
export function isPlannedCommand(name: string): name is PlannedCommand {
  return Object.hasOwn(plannedCommands, name);
}

/** Explains that `dogi NAME` is not available yet; exit status 2. */
export function notYetCommand(name: PlannedCommand): number {
  console.error(`dogi ${name} is not yet available: it arrives with ${plannedCommands[name]}.`);
  return 2;
}
