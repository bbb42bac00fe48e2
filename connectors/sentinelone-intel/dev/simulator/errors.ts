/** SentinelOne's error envelope (spec §7.1) and the bodies the simulator answers with. */

export interface S1Error {
  code: number;
  title: string;
  detail: string | null;
}

export interface S1ErrorEnvelope {
  errors: S1Error[];
}

export const VALIDATION_ERROR_CODE = 4000010;
export const VALIDATION_ERROR_TITLE = "Validation Error";

/** [OBS] 401 body. */
export const AUTH_FAILED_BODY: S1ErrorEnvelope = {
  errors: [{ code: 4010010, detail: null, title: "Authentication Failed" }],
};

/** [OBS] 403 body on every TI method for a token spanning several accounts. */
export const MULTI_SCOPE_BODY: S1ErrorEnvelope = {
  errors: [{ code: 4030010, detail: null, title: "This page doesn't support multi-scopes users yet" }],
};

/** [OBS] title seen with 4030010 elsewhere; used for scope ids the token cannot see and tenant=true by non-global tokens. */
export function forbiddenBody(detail: string | null): S1ErrorEnvelope {
  return { errors: [{ code: 4030010, detail, title: "Insufficient permissions" }] };
}

/** [INF] (invented, per spec §6) body of the 500 for a POST without scope. */
export const NO_SCOPE_500_BODY: S1ErrorEnvelope = {
  errors: [{ code: 5000010, detail: null, title: "Server Error" }],
};

/** [INF] (invented) JSON 429 body. */
export const RATE_LIMIT_JSON_BODY: S1ErrorEnvelope = {
  errors: [{ code: 4290010, title: "Too Many Requests", detail: null }],
};

/** [OBS] nginx's 429 page, byte for byte as recorded in spec §7.1. */
export const NGINX_429_HTML =
  "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n" +
  "<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>";

const STATUS_TEXT: Record<number, string> = {
  413: "Request Entity Too Large",
  414: "Request-URI Too Large",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};

/** nginx-style error page for other statuses (413, 5xx fault injection). */
export function nginxHtml(status: number): string {
  const text = `${status} ${STATUS_TEXT[status] ?? "Error"}`;
  return (
    `<html>\r\n<head><title>${text}</title></head>\r\n<body>\r\n` +
    `<center><h1>${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>`
  );
}

/** [INF] JSON body of an injected 5xx. */
export function faultJsonBody(status: number): S1ErrorEnvelope {
  return {
    errors: [
      {
        code: status * 10000 + 10,
        detail: status === 500 ? "Server could not process the request." : null,
        title: STATUS_TEXT[status] ?? "Server Error",
      },
    ],
  };
}

export function validationEnvelope(details: string[]): S1ErrorEnvelope {
  return {
    errors: details.map((detail) => ({ code: VALIDATION_ERROR_CODE, detail, title: VALIDATION_ERROR_TITLE })),
  };
}

export const NOT_FOUND_BODY: S1ErrorEnvelope = { errors: [{ code: 4040010, detail: null, title: "Not Found" }] };
export const METHOD_NOT_ALLOWED_BODY: S1ErrorEnvelope = {
  errors: [{ code: 4050010, detail: null, title: "Method Not Allowed" }],
};

/** Thrown by parsers; the server turns it into `400 {"errors":[...]}` (one entry per detail). */
export class ValidationFailure extends Error {
  readonly details: string[];
  constructor(details: string[]) {
    super(details.join("; "));
    this.name = "ValidationFailure";
    this.details = details;
  }
}

/** Thrown by handlers to answer with a fixed status + envelope. */
export class HttpFailure extends Error {
  readonly status: number;
  readonly body: S1ErrorEnvelope;
  constructor(status: number, body: S1ErrorEnvelope) {
    super(`${status} ${body.errors[0]?.title ?? ""}`);
    this.name = "HttpFailure";
    this.status = status;
    this.body = body;
  }
}
