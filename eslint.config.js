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
