import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { distributionOf, distributionOrder } from './citus.js';
import { migrationsDir } from './migrate.js';
import { openPglite } from './pglite.js';
import { splitStatements, stripComments } from './sql-statements.js';

test('statements split on ; outside comments, strings, quoted names and dollar-quoted bodies', () => {
  assert.deepEqual(splitStatements('CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n'), ['CREATE TABLE a (id int)', 'CREATE TABLE b (id int)']);
  assert.deepEqual(splitStatements("-- a comment; not a statement\nSELECT 'a;b', \"odd;name\" FROM t; /* also; /* nested; */ here; */ SELECT 2"), [
    "-- a comment; not a statement\nSELECT 'a;b', \"odd;name\" FROM t",
    '/* also; /* nested; */ here; */ SELECT 2',
  ]);
  assert.deepEqual(splitStatements("SELECT 'it''s; fine'; SELECT E'back\\\\'; SELECT E'\\'; quoted'"), ["SELECT 'it''s; fine'", "SELECT E'back\\\\'", "SELECT E'\\'; quoted'"]);
  const fn = `CREATE FUNCTION f() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'append only; %', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION g() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql`;
  const parts = splitStatements(fn);
  assert.equal(parts.length, 2);
  assert.match(parts[0]!, /END;\n\$\$ LANGUAGE plpgsql$/);
  assert.match(parts[1]!, /\$body\$ SELECT 1; \$body\$ LANGUAGE sql$/);
  assert.deepEqual(splitStatements('SELECT $1::int; SELECT a$b FROM t'), ['SELECT $1::int', 'SELECT a$b FROM t'], 'a parameter or a $ inside a name is no body');
  assert.deepEqual(splitStatements(';; -- only a comment\n ;'), [], 'empty and comment-only statements are dropped');
  assert.deepEqual(splitStatements('CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1'), [
    'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))',
    'SELECT 1',
  ]);
  assert.throws(() => splitStatements('CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END'), /BEGIN ATOMIC/);
  assert.deepEqual(splitStatements("SELECT 'begin atomic'; SELECT 1 AS begin_atomic"), ["SELECT 'begin atomic'", 'SELECT 1 AS begin_atomic'], 'in a string or a name it is no body');
  assert.throws(() => splitStatements('SELECT $$ never closed'), /unterminated dollar-quoted/);
  assert.throws(() => splitStatements("SELECT 'never closed"), /unterminated string/);
  assert.throws(() => splitStatements('/* never closed'), /unterminated block comment/);
  assert.equal(stripComments("SELECT 1 -- note\n/* x */ FROM t WHERE a = '--not'").replace(/\s+/g, ' '), "SELECT 1 FROM t WHERE a = '--not'");
});

test('the migrations, sent one statement at a time (as on Citus), build the same schema as sent whole', async () => {
  const files = (await readdir(migrationsDir)).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const whole = await openPglite(undefined);
  const split = await openPglite(undefined);
  try {
    for (const file of files) {
      const sql = await readFile(join(migrationsDir, file), 'utf8');
      await whole.exec(sql);
      const statements = splitStatements(sql);
      assert.ok(statements.length >= 1, `${file} has statements`);
      for (const statement of statements) await split.exec(statement);
    }
    const schema = `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`;
    const constraints = `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`;
    const triggers = `SELECT tgrelid::regclass::text AS t, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2`;
    for (const query of [schema, constraints, triggers]) assert.deepEqual(await split.query(query), await whole.query(query));
  } finally {
    await whole.close();
    await split.close();
  }
});

test('Citus: reference tables, the coordinator’s own table, and new tables distributed after those they reference', () => {
  assert.equal(distributionOf('organization'), 'reference');
  assert.equal(distributionOf('organization_host'), 'reference');
  assert.equal(distributionOf('schema_migration'), 'coordinator');
  assert.equal(distributionOf('account'), 'distributed');
  assert.deepEqual(
    distributionOrder(['web_session', 'account', 'organization', 'care_relation'], [
      { child: 'account', parent: 'organization' },
      { child: 'web_session', parent: 'account' },
      { child: 'care_relation', parent: 'account' },
      { child: 'care_relation', parent: 'care_relation' },
      { child: 'account', parent: 'table_of_an_earlier_migration' },
    ]),
    ['organization', 'account', 'care_relation', 'web_session'],
  );
  assert.throws(() => distributionOrder(['a', 'b'], [{ child: 'a', parent: 'b' }, { child: 'b', parent: 'a' }]), /cycle/);
});
