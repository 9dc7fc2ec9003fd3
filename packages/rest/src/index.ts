export { crud } from "./crud.js";
export type { CrudOptions, ModelExposure } from "./crud-options.js";
export { RestError, unauthorized } from "./rest-error.js";
export type { ErrorBody } from "./rest-error.js";
export type { FieldInfo } from "./fields-metadata.js";
export { fieldsMetadata } from "./fields-metadata.js";
export { openApiDocument } from "./openapi.js";
export { nPlusOneScope } from "./n-plus-one-scope.js";
