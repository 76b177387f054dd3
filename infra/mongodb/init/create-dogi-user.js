// Creates the session service's MongoDB user, with readWrite on its database only. The mongo
// image runs this once, with mongosh, on the first start with an empty data volume; the root
// user (MONGO_INITDB_ROOT_*) stays for backups and administration.
/* global db */

const database = process.env.MONGO_INITDB_DATABASE;
const user = process.env.DOGI_MONGO_USER;
const password = process.env.DOGI_MONGO_PASSWORD;
if (!database || !user || !password) {
  throw new Error("MONGO_INITDB_DATABASE, DOGI_MONGO_USER and DOGI_MONGO_PASSWORD must be set");
}

db.getSiblingDB(database).createUser({
  user,
  pwd: password,
  roles: [{ role: "readWrite", db: database }],
});
