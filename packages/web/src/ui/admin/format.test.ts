import { DOCUMENT_TYPE_BY_EXTENSION, MAX_ADMIN_UPLOAD_BYTES } from "@dogi/contracts";
import { describe, expect, it } from "vitest";
import { countRows, detailLine, formatBytes, formatDateTime, formatMs } from "./format.ts";
import { ACCEPTED_EXTENSIONS, MAX_UPLOAD_BYTES, uploadProblem } from "./upload-file.ts";

describe("the admin area's formatting", () => {
  it("writes sizes with one decimal under 100 and none for bytes", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20.0 MB");
    expect(formatBytes(4_700_000_000)).toBe("4.4 GB");
    expect(formatBytes(null)).toBe("—");
  });

  it("writes durations in ms below a second and in seconds above", () => {
    expect(formatMs(412.6)).toBe("413 ms");
    expect(formatMs(1250)).toBe("1.3 s");
    expect(formatMs(null)).toBe("—");
  });

  it("writes a moment in the reader's language", () => {
    const at = "2026-12-07T14:05:00.000Z";
    expect(formatDateTime(at, "en", "UTC")).toBe("7 Dec 2026, 14:05");
    expect(formatDateTime(at, "ko", "UTC")).toContain("2026");
    expect(formatDateTime(at, "ko", "UTC")).toContain("14:05");
    expect(formatDateTime(null, "en")).toBe("—");
  });

  it("writes an audit entry's details in one stable line", () => {
    expect(detailLine({ role: "admin", changed: true, size: 12, note: null })).toBe(
      "changed=true, note=null, role=admin, size=12",
    );
    expect(detailLine({})).toBe("");
  });

  it("lists counts largest first, ties by name", () => {
    expect(countRows({ b: 2, a: 2, c: 9 })).toEqual([
      ["c", 9],
      ["a", 2],
      ["b", 2],
    ]);
  });
});

describe("the knowledge base's upload check", () => {
  it("takes the document types the knowledge base reads, in any case", () => {
    expect([...ACCEPTED_EXTENSIONS].sort()).toEqual(Object.keys(DOCUMENT_TYPE_BY_EXTENSION).sort());
    for (const name of ["a.md", "a.markdown", "a.txt", "a.HTML", "a.htm", "Guide.PDF"])
      expect(uploadProblem(name, 10), name).toBeNull();
    expect(uploadProblem("a.docx", 10)).toBe("type");
    expect(uploadProblem("md", 10)).toBe("type");
  });

  it("refuses an empty file and one over the gateway's limit before sending it", () => {
    expect(MAX_UPLOAD_BYTES).toBe(MAX_ADMIN_UPLOAD_BYTES);
    expect(uploadProblem("a.md", 0)).toBe("empty");
    expect(uploadProblem("a.md", MAX_UPLOAD_BYTES)).toBeNull();
    expect(uploadProblem("a.md", MAX_UPLOAD_BYTES + 1)).toBe("size");
  });
});
