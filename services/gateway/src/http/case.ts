// The REST API's case mappings live in contracts, beside the types they map (Snake, CamelKeys).
export { toCamel, toSnake } from "@dogi/contracts";
