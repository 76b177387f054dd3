import { h } from "../dom.ts";

/** The file name a response's Content-Disposition gives, else `fallback`. */
export function downloadName(response: Response, fallback: string): string {
  const disposition = response.headers.get("content-disposition") ?? "";
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback;
}

/**
 * Saves a blob as a file named `name`. A download, never a page opened from a blob URL: that
 * page would run with this page's origin.
 */
export function saveDownload(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, class: "offscreen" });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
