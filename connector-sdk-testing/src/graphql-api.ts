import {
  type DocumentNode,
  defaultFieldResolver,
  type ExecutionResult,
  execute,
  type GraphQLArgument,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  validate,
  valueFromASTUntyped,
} from "graphql";
import { GRAPHQL_MESSAGES } from "./constants.js";

/** A user the simulator knows (one per accepted token). */
export interface SimulatedUser {
  readonly id: string;
  readonly name: string;
  /** BYPASS capability: `/stream`, `/stream/live`, reset/delete connectors. */
  readonly admin: boolean;
}

/** One registered connector, as the simulator stores it. */
export interface SimulatedConnector {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly scope: readonly string[];
  readonly auto: boolean;
  readonly autoUpdate: boolean;
  readonly onlyContextual: boolean;
  readonly playbookCompatible: boolean;
  readonly enrichmentResolution: string | null;
  readonly listenCallbackUri: string | null;
  /** `connector_state`: the raw string last pinged (null before any, `''` after a reset). */
  readonly state: string | null;
  /** `connector_state_reset`: set by a UI reset, cleared by the next ping (which is then not stored). */
  readonly stateReset: boolean;
  readonly stateTimestamp: string | null;
  readonly connectorInfo: Readonly<Record<string, unknown>> | null;
  readonly userId: string;
  readonly createdAt: string;
  /** Set by register and by each ping that stores its state. */
  readonly updatedAt: string;
  /** Pinged (updated_at) within the last 5 minutes, as OpenCTI computes it. */
  readonly active: boolean;
  readonly registeredCount: number;
  readonly pingCount: number;
  readonly lastPingAt: string | null;
}

/** What the GraphQL layer needs from the simulator. */
export interface GraphqlEnvironment {
  readonly schema: GraphQLSchema;
  readonly version: string;
  userFor(authorization: string | undefined): SimulatedUser | undefined;
  streamCollection(id: string): Record<string, unknown> | null;
}

export interface GraphqlAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly operationName: string | null;
}

interface ConnectorRecord {
  id: string;
  name: string;
  type: string;
  scope: string[];
  auto: boolean;
  autoUpdate: boolean;
  onlyContextual: boolean;
  playbookCompatible: boolean;
  enrichmentResolution: string | null;
  listenCallbackUri: string | null;
  state: string | null;
  stateReset: boolean;
  stateTimestamp: string | null;
  connectorInfo: Record<string, unknown> | null;
  userId: string;
  createdAt: string;
  updatedAt: string;
  registeredCount: number;
  pingCount: number;
  lastPingAt: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTIVE_WINDOW_MS = 5 * 60_000;

const functionalError = (message: string) => new GraphQLError(message, { extensions: { code: "FUNCTIONAL_ERROR" } });

/** The connector registry and GraphQL endpoint of the simulator. */
export class GraphqlApi {
  private readonly records = new Map<string, ConnectorRecord>();
  private readonly rootResolvers: Record<string, Record<string, GraphQLFieldResolver<unknown, RequestContext>>>;

  constructor(private readonly env: GraphqlEnvironment) {
    this.rootResolvers = {
      Query: {
        about: (_root, _args, ctx) => {
          this.requireUser(ctx);
          return { version: this.env.version, memory: null, dependencies: [], debugStats: null };
        },
        connector: (_root, args, ctx) => {
          this.requireUser(ctx);
          const record = this.records.get(String(args.id));
          return record ? this.toGraphql(record) : null;
        },
        connectors: (_root, _args, ctx) => {
          this.requireUser(ctx);
          return [...this.records.values()].map((r) => this.toGraphql(r));
        },
        streamCollection: (_root, args, ctx) => {
          this.requireUser(ctx);
          return this.env.streamCollection(String(args.id));
        },
      },
      Mutation: {
        registerConnector: (_root, args, ctx) =>
          this.register(this.requireUser(ctx), args.input as Record<string, unknown>),
        pingConnector: (_root, args, ctx) => {
          this.requireUser(ctx);
          return this.ping(String(args.id), args.state as string | null | undefined, args.connectorInfo);
        },
        resetStateConnector: (_root, args, ctx) => {
          this.requireAdmin(ctx);
          const record = this.records.get(String(args.id));
          if (!record) throw functionalError(GRAPHQL_MESSAGES.connectorNotFound);
          this.reset(record);
          return this.toGraphql(record);
        },
        deleteConnector: (_root, args, ctx) => {
          this.requireAdmin(ctx);
          const id = String(args.id);
          if (!this.records.delete(id)) throw functionalError(GRAPHQL_MESSAGES.connectorNotFound);
          return id;
        },
      },
    };
  }

  private requireUser(ctx: RequestContext): SimulatedUser {
    if (!ctx.user) throw new GraphQLError(GRAPHQL_MESSAGES.authRequired, { extensions: { code: "AUTH_REQUIRED" } });
    return ctx.user;
  }

  private requireAdmin(ctx: RequestContext): SimulatedUser {
    const user = this.requireUser(ctx);
    if (!user.admin) throw new GraphQLError(GRAPHQL_MESSAGES.forbidden, { extensions: { code: "FORBIDDEN_ACCESS" } });
    return user;
  }

  private register(user: SimulatedUser, input: Record<string, unknown> | null | undefined): Record<string, unknown> {
    if (!input) throw functionalError("registerConnector needs an input");
    const id = String(input.id);
    if (!UUID.test(id)) {
      throw functionalError(`Invalid connector id ${JSON.stringify(id)}: OpenCTI expects a UUID (v4)`);
    }
    const now = new Date().toISOString();
    const fields = {
      name: String(input.name),
      type: String(input.type),
      scope: Array.isArray(input.scope) ? input.scope.map(String) : [],
      auto: input.auto === true,
      autoUpdate: input.auto_update === true,
      onlyContextual: input.only_contextual === true,
      playbookCompatible: input.playbook_compatible === true,
      enrichmentResolution: typeof input.enrichment_resolution === "string" ? input.enrichment_resolution : null,
      listenCallbackUri: typeof input.listen_callback_uri === "string" ? input.listen_callback_uri : null,
      userId: user.id,
      updatedAt: now,
    };
    let record = this.records.get(id);
    if (record) {
      Object.assign(record, fields);
      record.registeredCount++;
    } else {
      record = {
        id,
        ...fields,
        state: null,
        stateReset: false,
        stateTimestamp: null,
        connectorInfo: null,
        createdAt: now,
        registeredCount: 1,
        pingCount: 0,
        lastPingAt: null,
      };
      this.records.set(id, record);
    }
    return this.toGraphql(record);
  }

  private ping(id: string, state: string | null | undefined, info: unknown): Record<string, unknown> {
    const record = this.records.get(id);
    if (!record) throw functionalError(GRAPHQL_MESSAGES.connectorNotFound);
    const now = new Date().toISOString();
    record.pingCount++;
    record.lastPingAt = now;
    if (record.stateReset) {
      // OpenCTI: the first ping after a UI reset only clears the flag; the sent state is not stored.
      record.stateReset = false;
    } else {
      record.state = state ?? null;
      record.stateTimestamp = now;
      record.updatedAt = now;
      if (info && typeof info === "object") record.connectorInfo = { ...(info as Record<string, unknown>) };
    }
    return this.toGraphql(record);
  }

  private reset(record: ConnectorRecord): void {
    record.state = "";
    record.stateReset = true;
    record.stateTimestamp = new Date().toISOString();
  }

  /** The UI's "reset state" action. Throws for an unknown connector. */
  resetState(id: string): void {
    const record = this.records.get(id);
    if (!record) throw new Error(`no connector ${id} is registered`);
    this.reset(record);
  }

  connectors(): SimulatedConnector[] {
    return [...this.records.values()].map((r) => this.view(r));
  }

  connector(id: string): SimulatedConnector | undefined {
    const record = this.records.get(id);
    return record ? this.view(record) : undefined;
  }

  private view(r: ConnectorRecord): SimulatedConnector {
    return {
      ...r,
      scope: [...r.scope],
      connectorInfo: r.connectorInfo ? { ...r.connectorInfo } : null,
      active: Date.now() - Date.parse(r.updatedAt) < ACTIVE_WINDOW_MS,
    };
  }

  private toGraphql(r: ConnectorRecord): Record<string, unknown> {
    return {
      id: r.id,
      standard_id: `connector--${r.id}`,
      entity_type: "Connector",
      parent_types: ["Basic-Object", "Internal-Object"],
      metrics: null,
      name: r.name,
      title: r.name,
      active: Date.now() - Date.parse(r.updatedAt) < ACTIVE_WINDOW_MS,
      auto: r.auto,
      auto_update: r.autoUpdate,
      enrichment_resolution: r.enrichmentResolution,
      only_contextual: r.onlyContextual,
      playbook_compatible: r.playbookCompatible,
      connector_trigger_filters: null,
      connector_type: r.type,
      connector_scope: [...r.scope],
      connector_state: r.state,
      connector_schema: null,
      connector_schema_ui: null,
      connector_state_reset: r.stateReset,
      connector_state_timestamp: r.stateTimestamp,
      connector_user_id: r.userId,
      connector_user: null,
      connector_queue_details: { messages_number: 0, messages_size: 0 },
      connector_info: r.connectorInfo,
      connector_priority_group: "DEFAULT",
      updated_at: r.updatedAt,
      refreshed_at: r.updatedAt,
      created_at: r.createdAt,
      config: {
        connection: {
          host: "rabbitmq",
          vhost: "/",
          use_ssl: false,
          port: 5672,
          user: "opencti",
          pass: "simulated-rabbitmq-password",
        },
        s3: {
          endpoint: "minio",
          port: 9000,
          use_ssl: false,
          bucket_name: "opencti-bucket",
          bucket_region: "us-east-1",
          access_key: "simulated-access-key",
          secret_key: "simulated-secret-key",
        },
        listen: `listen_${r.id}`,
        listen_routing: `listen_routing_${r.id}`,
        listen_exchange: "amqp.connector.exchange",
        listen_callback_uri: r.listenCallbackUri,
        push: `push_${r.id}`,
        push_routing: `push_routing_${r.id}`,
        push_exchange: "amqp.worker.exchange",
        dead_letter_routing: "amqp.dead_letter_routing",
      },
      works: [],
      is_managed: false,
      built_in: false,
      configurations: null,
    };
  }

  /**
   * One `POST /graphql` body: parse, validate against the schema (400 `GRAPHQL_PARSE_FAILED` /
   * `GRAPHQL_VALIDATION_FAILED`), check `@constraint`s, execute.
   */
  handle(body: unknown, authorization: string | undefined): GraphqlAnswer {
    const request = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof request.query !== "string" || request.query.trim() === "") {
      return badRequest("GraphQL operations must contain a non-empty `query`.", "BAD_REQUEST", null);
    }
    let document: DocumentNode;
    try {
      document = parse(request.query);
    } catch (error) {
      return badRequest((error as GraphQLError).message, "GRAPHQL_PARSE_FAILED", null);
    }
    const requestedName = typeof request.operationName === "string" ? request.operationName : undefined;
    const operation = getOperationAST(document, requestedName);
    const operationName = operation?.name?.value ?? requestedName ?? null;
    const validationErrors = validate(this.env.schema, document);
    if (validationErrors.length > 0) {
      return {
        status: 400,
        operationName,
        body: {
          errors: validationErrors.map((e) => ({
            message: e.message,
            ...(e.locations ? { locations: e.locations } : {}),
            extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
          })),
        },
      };
    }
    const variables =
      typeof request.variables === "object" && request.variables !== null && !Array.isArray(request.variables)
        ? (request.variables as Record<string, unknown>)
        : {};
    const context: RequestContext = { user: this.env.userFor(authorization) };
    const result = execute({
      schema: this.env.schema,
      document,
      variableValues: variables,
      operationName: requestedName,
      contextValue: context,
      fieldResolver: this.fieldResolver,
    }) as ExecutionResult;
    if (!("data" in result) || result.data === undefined) {
      // Variable coercion failed before execution (Apollo answers 400 BAD_USER_INPUT).
      return {
        status: 400,
        operationName,
        body: { errors: (result.errors ?? []).map((e) => withCode(e, "BAD_USER_INPUT")) },
      };
    }
    return {
      status: 200,
      operationName,
      body: result.errors
        ? { errors: result.errors.map((e) => withCode(e, "INTERNAL_SERVER_ERROR")), data: result.data }
        : { data: result.data },
    };
  }

  private readonly fieldResolver: GraphQLFieldResolver<unknown, RequestContext> = (source, args, ctx, info) => {
    const parent = info.parentType.name;
    const isRoot = parent === "Query" || parent === "Mutation" || parent === "Subscription";
    if (!isRoot || info.fieldName.startsWith("__")) return defaultFieldResolver(source, args, ctx, info);
    const resolver = this.rootResolvers[parent]?.[info.fieldName];
    if (!resolver) {
      throw new GraphQLError(`The OpenCTI simulator does not implement ${parent}.${info.fieldName}`, {
        extensions: { code: "UNSUPPORTED_ERROR" },
      });
    }
    for (const arg of info.parentType.getFields()[info.fieldName]?.args ?? []) checkConstraints(arg, args[arg.name]);
    return resolver(source, args, ctx, info);
  };
}

interface RequestContext {
  readonly user: SimulatedUser | undefined;
}

function badRequest(message: string, code: string, operationName: string | null): GraphqlAnswer {
  return { status: 400, operationName, body: { errors: [{ message, extensions: { code } }] } };
}

function withCode(error: GraphQLError, fallback: string): Record<string, unknown> {
  const json = error.toJSON() as unknown as Record<string, unknown>;
  const extensions = (json.extensions ?? {}) as Record<string, unknown>;
  return { ...json, extensions: { ...extensions, code: extensions.code ?? fallback } };
}

/**
 * OpenCTI's `@constraint` directive (graphql-constraint-directive) on input fields: minLength, maxLength,
 * pattern, startsWith, endsWith, notContains and format "not-blank". Violations are BAD_USER_INPUT errors.
 */
function checkConstraints(arg: GraphQLArgument, value: unknown): void {
  checkInput(arg.type, value, arg.name);
}

function checkInput(type: GraphQLInputType, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  if (isNonNullType(type)) {
    checkInput(type.ofType, value, path);
    return;
  }
  if (isListType(type)) {
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) checkInput(type.ofType, item, `${path}.${i}`);
    }
    return;
  }
  const named = getNamedType(type);
  if (!isInputObjectType(named) || typeof value !== "object") return;
  for (const field of Object.values(named.getFields())) {
    const fieldValue = (value as Record<string, unknown>)[field.name];
    const fieldPath = `${path}.${field.name}`;
    const directive = field.astNode?.directives?.find((d) => d.name.value === "constraint");
    if (directive && typeof fieldValue === "string") {
      const rules = Object.fromEntries(
        (directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]),
      );
      const problem = constraintProblem(rules, fieldValue);
      if (problem) {
        throw new GraphQLError(`Argument "${path.split(".")[0]}" got invalid value at "${fieldPath}": ${problem}`, {
          extensions: { code: "BAD_USER_INPUT", field: fieldPath },
        });
      }
    }
    checkInput(field.type, fieldValue, fieldPath);
  }
}

function constraintProblem(rules: Record<string, unknown>, value: string): string | undefined {
  if (typeof rules.minLength === "number" && value.length < rules.minLength) {
    return `Must be at least ${rules.minLength} characters in length`;
  }
  if (typeof rules.maxLength === "number" && value.length > rules.maxLength) {
    return `Must be no more than ${rules.maxLength} characters in length`;
  }
  if (typeof rules.startsWith === "string" && !value.startsWith(rules.startsWith)) {
    return `Must start with ${rules.startsWith}`;
  }
  if (typeof rules.endsWith === "string" && !value.endsWith(rules.endsWith)) return `Must end with ${rules.endsWith}`;
  if (typeof rules.notContains === "string" && value.includes(rules.notContains)) {
    return `Must not contain ${rules.notContains}`;
  }
  if (typeof rules.pattern === "string" && !new RegExp(rules.pattern).test(value)) {
    return `Must match ${rules.pattern}`;
  }
  if (rules.format === "not-blank" && value.trim() === "") return "Must be in not-blank format";
  return undefined;
}
