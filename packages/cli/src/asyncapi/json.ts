/** A JSON value, as the AsyncAPI document is built from them (and rendered to YAML or JSON). */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}
