import { describe, expect, it } from "vitest";
import { composeArgv, composeProject } from "./docker.ts";

describe("composeArgv", () => {
  it("names the project folder, the files, .env and each profile before the subcommand", () => {
    const project = composeProject("/repo", {
      envFile: "/repo/.env",
      profiles: ["auth", "rag"],
      gpu: false,
    });

    expect(composeArgv(project, ["up", "--detach"])).toEqual([
      "compose",
      "--project-directory",
      "/repo/infra",
      "-f",
      "/repo/infra/docker-compose.yml",
      "--env-file",
      "/repo/.env",
      "--profile",
      "auth",
      "--profile",
      "rag",
      "up",
      "--detach",
    ]);
  });

  it("adds the CUDA overlay after the main file with --gpu", () => {
    const project = composeProject("/repo", { envFile: "/e", profiles: ["all"], gpu: true });

    expect(composeArgv(project, ["build"]).slice(3, 7)).toEqual([
      "-f",
      "/repo/infra/docker-compose.yml",
      "-f",
      "/repo/infra/docker-compose.cuda.yml",
    ]);
  });
});
