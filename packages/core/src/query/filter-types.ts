// The filter grammar's types live with the fields they name (model/ is the bottom layer).
export * from "../model/filter-types.js";
