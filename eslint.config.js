// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "data/**", "logs/**", "**/.turbo/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-non-null-assertion": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      // Services log through pino; console is for CLI output only.
      "no-console": "error",
    },
  },
  {
    // Type-aware rules: a promise nobody awaits or catches, a promise where a callback's result
    // is ignored, an await of a non-promise, a switch that forgets a member of a union.
    files: ["**/*.ts", "**/*.mts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/switch-exhaustiveness-check": "error",
    },
  },
  {
    // Tool configuration files and a bench script that no package's tsconfig includes.
    files: ["**/vitest.config.ts", "**/drizzle.*.config.ts", "services/auth/bench/**"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: [
      "packages/cli/**",
      "**/*.test.ts",
      "**/bench/**",
      "**/scripts/**",
      "packages/testing/**",
    ],
    rules: { "no-console": "off" },
  },
);
