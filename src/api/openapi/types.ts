/** The types of the OpenAPI 3.1 document (`../openapi.ts`), as far as it uses OpenAPI and JSON Schema. */

/** A JSON Schema (2020-12, the OpenAPI 3.1 dialect), as far as this document uses it. */
export interface JsonSchema {
  $ref?: string;
  type?: 'object' | 'string' | 'integer' | 'boolean' | 'array';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: string[];
  const?: string | boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
  uniqueItems?: boolean;
  allOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  examples?: unknown[];
}

export interface OpenApiMediaType {
  schema: JsonSchema;
}

export interface OpenApiResponse {
  description: string;
  content?: Record<string, OpenApiMediaType>;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  /** `[]`: no access token; `[{ bearerAuth: [] }]`: `Authorization: Bearer <accessToken>`. */
  security: Record<string, string[]>[];
  requestBody?: { required: true; description: string; content: Record<string, OpenApiMediaType> };
  responses: Record<string, OpenApiResponse>;
}

export interface OpenApiPathItem {
  get?: OpenApiOperation;
  post?: OpenApiOperation;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  jsonSchemaDialect: string;
  info: { title: string; version: string; description: string };
  servers: { url: string; description: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, OpenApiPathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, { type: 'http'; scheme: 'bearer'; description: string }>;
  };
}
