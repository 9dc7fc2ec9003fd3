import { createClient } from "@clickhouse/client";
import { createChdbConnection } from "chdb/connection";
const c = createClient({ connection: createChdbConnection({ path: ":memory:" }) });
const q = async (sql, params) => { try { const r = await c.query({ query: sql, query_params: params, format: "JSONEachRow" }); console.log(sql.slice(0,100), "=>", JSON.stringify(await r.json())); } catch (e) { console.log(sql.slice(0,100), "ERR", e.message.slice(0,300)); } };
const cmd = async (sql, params, settings) => { try { const r = await c.command({ query: sql, query_params: params, clickhouse_settings: settings }); } catch (e) { console.log(sql.slice(0,90), "ERR", e.message.slice(0,300)); } };
await cmd("CREATE DATABASE IF NOT EXISTS d1");
await cmd("CREATE TABLE d1.u (id Int64, name String, at DateTime64(3,'UTC'), price Nullable(Decimal(10,2))) ENGINE = MergeTree ORDER BY id");
await cmd("CREATE TABLE d1.m (id Int64, chat_id Int64, author Nullable(Int64), body Nullable(String)) ENGINE = MergeTree ORDER BY id");
await cmd("INSERT INTO d1.u VALUES (1,'Ann',now64(), 1.5), (2,'Bob',now64(), NULL), (3,'Cid',now64(), 3)");
await cmd("INSERT INTO d1.m VALUES (10, 1, 1, 'first'), (11, 1, 2, 'second'), (12, 1, NULL, 'third'), (13, 2, 1, 'other')");
await q("select t0.id, (select toJSONString(tuple(t1.name AS name, t1.id AS id)) from d1.u t1 where t1.id = t0.author) t from d1.m t0 order by t0.id");
await q("select t0.id, (select CAST(tuple(t1.name, t1.id, t1.at, t1.price), 'Tuple(name String, id Int64, at DateTime64(3,\\'UTC\\'), price Nullable(Decimal(10,2)))') from d1.u t1 where t1.id = t0.author) t from d1.m t0 order by t0.id");
await q("select t0.id, (select toJSONString(CAST(tuple(t1.name, t1.id, t1.at, toString(t1.price)), 'Tuple(name String, id Int64, at DateTime64(3,\\'UTC\\'), price Nullable(String))')) from d1.u t1 where t1.id = t0.author) t from d1.m t0 order by t0.id");
await q("select t0.id, (select toJSONString(map('name', toJSONString(t1.name), 'id', toJSONString(t1.id))) from d1.u t1 where t1.id = t0.author) t from d1.m t0 order by t0.id");
// A
await q("select t0.id, (select groupArray(o) from (select (select t2.name from d1.u t2 where t2.id = t1.author) AS o from d1.m t1 where t1.chat_id = t0.id)) ms from d1.u t0 order by t0.id");
// B
await q("select t0.id, (select groupArray(tuple(t1.id, t2.name)) from d1.m t1 left join d1.u t2 on t2.id = t1.author where t1.chat_id = t0.id) ms from d1.u t0 order by t0.id");
await q("select t0.id, (select groupArray(tuple(t1.id, t2.name)) from d1.m t1 left join d1.u t2 on t2.id = t1.author where t1.chat_id = t0.id) ms from d1.u t0 order by t0.id settings join_use_nulls=1");
// lateral-like: derived with correlation
await q("select t0.id, (select groupArray(x) from (select t1.id x from d1.m t1 where t1.chat_id = t0.id order by t1.id desc limit 2)) ms from d1.u t0 order by t0.id");
await q("select t0.id, (select count() from d1.m t1 where t1.chat_id = t0.id) n from d1.u t0 order by t0.id limit 2");
await q("select t0.id, (select groupArray(t1.id) from d1.m t1 where t1.chat_id = t0.id and t1.body like {p:String}) n from d1.u t0 where t0.id in ({ids:Array(Int64)}) order by t0.id limit {l:UInt64} offset {o:UInt64}", {p: "%e%", ids: [1,2,3], l: 2, o: 0});
await q("select {a:Nullable(Int64)} is null as x, {b:Bool} b, {d:DateTime64(3,'UTC')} d, {j:JSON} j", {a: null, b: true, d: "2024-01-01 00:00:00.123", j: '{"a":[1,{"b":2}]}'});
await q("select t0.id from d1.u t0 where not coalesce(t0.name ilike {p:String}, false)", { p: "%an%"});
await q("select 'a\\'b' x, {p:String} p", { p: "it's \\ back\nslash\ttab" });
await c.close();
