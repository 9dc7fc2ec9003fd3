/** pg's value serializer (pg/lib/utils.js, public since pg 8.0): what pg's own Query binds with. */
declare module "pg/lib/utils.js" {
  const utils: { prepareValue(value: unknown): unknown };
  export default utils;
}
