import type {
  TAuthAdminUser,
  THostAdminList,
  THostRoleRequest,
  THostRoleResponse,
  TRole,
} from "@dogi/contracts";
import { AppError } from "@dogi/trpc";
import type { AuthDeps } from "../deps.ts";
import { hostActor } from "./actor.ts";
import { setRole } from "./set-role.ts";
import { adminUserView } from "./views.ts";

const PAGE = 500;

/** `pnpm dogi admin grant|revoke EMAIL`: the host gives or takes the admin role, by email. */
export async function hostSetRole(
  deps: Pick<AuthDeps, "store" | "now" | "logger">,
  options: { input: THostRoleRequest; role: TRole },
): Promise<THostRoleResponse> {
  const { email } = options.input;
  const user = await deps.store.findUserByEmail(email);
  if (!user)
    throw new AppError(
      "NOT_FOUND",
      `There is no user with email ${email}: they must sign up first.`,
    );
  const { user: changed, changed: didChange } = await setRole(deps, {
    actor: hostActor,
    userId: user.userId,
    role: options.role,
  });
  return {
    userId: changed.userId as THostRoleResponse["userId"],
    email: changed.email,
    role: changed.role,
    changed: didChange,
  };
}

/** `pnpm dogi admin list`: every admin, disabled ones included, newest first. */
export async function hostListAdmins(deps: Pick<AuthDeps, "store">): Promise<THostAdminList> {
  const admins: TAuthAdminUser[] = [];
  let after;
  for (;;) {
    const page = await deps.store.listUsers({
      role: "admin",
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    admins.push(...page.map(adminUserView));
    const last = page.at(-1);
    if (page.length < PAGE || !last) return { admins };
    after = { createdAt: last.createdAt, userId: last.userId };
  }
}
