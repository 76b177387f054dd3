import { describe, expect, it } from "vitest";
import { ADMIN_TABS, adminPath, adminTabOf } from "./admin.ts";
import { query } from "./common.ts";

describe("the admin area's addresses", () => {
  it("opens the users screen at /admin and each other screen at its own path", () => {
    expect(adminTabOf("/admin")).toBe("users");
    expect(adminTabOf("/admin/")).toBe("users");
    for (const tab of ADMIN_TABS) expect(adminTabOf(adminPath(tab))).toBe(tab);
  });

  it("is not the admin area elsewhere or at a screen that does not exist", () => {
    expect(adminTabOf("/")).toBeNull();
    expect(adminTabOf("/s/0b6f7c1e-1111-4222-8333-444455556666")).toBeNull();
    expect(adminTabOf("/admin/secrets")).toBeNull();
    expect(adminTabOf("/administrator")).toBeNull();
    expect(adminTabOf("/admin/kb/extra")).toBeNull();
  });
});

describe("the admin area's query strings", () => {
  it("sends only the filters that are set, encoded", () => {
    expect(query({ search: "", cursor: null, limit: 50, action: undefined })).toBe("?limit=50");
    expect(query({ file_name: "견진 노트 & 1.md" })).toBe(
      "?file_name=%EA%B2%AC%EC%A7%84+%EB%85%B8%ED%8A%B8+%26+1.md",
    );
    expect(query({})).toBe("");
  });
});
