// Creates or drops the throwaway database that sqlmap.sh serves, on the PostgreSQL or MariaDB server
// the tests use (DOTORM_PG_URL, DOTORM_MYSQL_URL). `create` prints the new database's URL.
//   node sqlmap-db.mjs create postgres dotorm_sqlmap_123   ->  postgres://postgres@127.0.0.1:5432/dotorm_sqlmap_123
//   node sqlmap-db.mjs drop mariadb dotorm_sqlmap_123
import mysql2 from "mysql2/promise";
import pg from "pg";

const [action, engine, name] = process.argv.slice(2);
if (!["create", "drop"].includes(action) || !["postgres", "mariadb"].includes(engine) || !/^[a-z][a-z0-9_]{0,62}$/.test(name ?? "")) {
  console.error("usage: node sqlmap-db.mjs create|drop postgres|mariadb <database name: [a-z][a-z0-9_]*>");
  process.exit(2);
}

if (engine === "postgres") {
  const server = process.env.DOTORM_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    if (action === "create") await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  if (action === "create") console.log(url.toString());
} else {
  const server = process.env.DOTORM_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";
  const conn = await mysql2.createConnection({ uri: server, connectTimeout: 5000 });
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    if (action === "create") await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  } finally {
    await conn.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  if (action === "create") console.log(url.toString());
}
