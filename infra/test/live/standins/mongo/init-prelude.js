// Loaded by the stand-in's entrypoint before each init script. FerretDB 1.x has no roles
// (createUser accepts only `roles: []`; every user may use every database), so the roles an init
// script asks for are dropped here, and said so in the log. The real image applies them.
/* global db, print */
const createUserWithRoles = Object.getPrototypeOf(db).createUser;
Object.getPrototypeOf(db).createUser = function createUserWithoutRoles(user, ...rest) {
  print(
    `[stand-in] FerretDB has no roles: creating ${user.user} without ${JSON.stringify(user.roles)}`,
  );
  return createUserWithRoles.call(this, { ...user, roles: [] }, ...rest);
};
