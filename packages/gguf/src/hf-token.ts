// Hugging Face serves downloads from huggingface.co and hands them off to its own CDNs
// (cdn-lfs.huggingface.co, cas-bridge.xethub.hf.co, …); no other host has any use for the token.
const HF_DOMAINS = ["huggingface.co", "hf.co"];

/** The HUGGING_FACE_TOKEN to send to `url`: only over https to Hugging Face's own hosts, else undefined. */
export function tokenFor(url: string | URL, token: string | undefined): string | undefined {
  if (token === undefined || token === "") return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== "https:") return undefined;
  const host = parsed.hostname.toLowerCase();
  const trusted = HF_DOMAINS.some((domain) => host === domain || host.endsWith(`.${domain}`));
  return trusted ? token : undefined;
}
