import { describe, expect, it } from "vitest";
import { tokenFor } from "./hf-token.ts";

describe("tokenFor", () => {
  it.each([
    "https://huggingface.co/Qwen/Qwen2.5-3B-Instruct-GGUF/resolve/main/q.gguf",
    "https://hf.co/Qwen/repo/resolve/main/q.gguf",
    "https://cdn-lfs.huggingface.co/repos/ab/cd/file",
    "https://cas-bridge.xethub.hf.co/xet-bridge-us/abc",
    "https://HuggingFace.co:443/x",
  ])("sends the token over https to Hugging Face's host %s", (url) => {
    expect(tokenFor(url, "hf_secret")).toBe("hf_secret");
  });

  it.each([
    "http://huggingface.co/Qwen/repo/resolve/main/q.gguf",
    "http://127.0.0.1:8080/model.gguf",
    "https://example.com/model.gguf",
    "https://huggingface.co.evil.example/model.gguf",
    "https://evilhuggingface.co/model.gguf",
    "https://huggingface.co@evil.example/model.gguf",
    "not a url",
  ])("keeps the token from %s", (url) => {
    expect(tokenFor(url, "hf_secret")).toBeUndefined();
  });

  it("sends nothing when there is no token", () => {
    expect(tokenFor("https://huggingface.co/x", undefined)).toBeUndefined();
    expect(tokenFor("https://huggingface.co/x", "")).toBeUndefined();
  });
});
