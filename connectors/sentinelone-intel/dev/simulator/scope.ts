/** Token model and scope semantics (spec §6; all rules [INF] unless marked). */
import { forbiddenBody, HttpFailure, MULTI_SCOPE_BODY } from "./errors.js";
import type { IocScope, SimulatorTopology, TokenDefinition } from "./types.js";
import type { PostScopeFilter } from "./validate.js";

export const DEFAULT_API_TOKEN = "s1-test-api-key";
export const DEFAULT_ACCOUNT_ID = "1000000000000000001";
export const DEFAULT_SITE_ID = "2000000000000000001";
export const DEFAULT_GROUP_ID = "3000000000000000001";
export const DEFAULT_USER = "connector@example.com";

/** The default token set: one account-scoped token that also knows the default site and group. */
export const DEFAULT_TOKENS: Readonly<Record<string, TokenDefinition>> = Object.freeze({
  [DEFAULT_API_TOKEN]: Object.freeze({
    user: DEFAULT_USER,
    scope: "account",
    accountIds: [DEFAULT_ACCOUNT_ID],
    siteIds: [DEFAULT_SITE_ID],
    groupIds: [DEFAULT_GROUP_ID],
  }) as TokenDefinition,
});

/** Where a record lives: the public scope fields plus the owning account / site used by filters and visibility. */
export interface ScopeTarget {
  scope: IocScope;
  scopeId: string | null;
  parentScopeId: string | null;
  accountId: string | null;
  siteId: string | null;
}

export interface ResolvedToken {
  token: string;
  def: TokenDefinition;
  accounts: ReadonlySet<string>;
  sites: ReadonlySet<string>;
  groups: ReadonlySet<string>;
}

export class ScopeModel {
  private readonly tokens = new Map<string, ResolvedToken>();
  private readonly siteToAccount = new Map<string, string>();
  private readonly groupToSite = new Map<string, string>();

  constructor(tokens: Record<string, TokenDefinition>, topology: SimulatorTopology | undefined) {
    for (const [token, def] of Object.entries(tokens)) {
      this.tokens.set(token, {
        token,
        def,
        accounts: new Set(def.accountIds ?? []),
        sites: new Set(def.siteIds ?? []),
        groups: new Set(def.groupIds ?? []),
      });
      // Derived topology: a token pinned to one account owns its sites; pinned to one site, its groups.
      if (def.accountIds?.length === 1)
        for (const s of def.siteIds ?? []) this.siteToAccount.set(s, def.accountIds[0]!);
      if (def.siteIds?.length === 1) for (const g of def.groupIds ?? []) this.groupToSite.set(g, def.siteIds[0]!);
    }
    for (const [s, a] of Object.entries(topology?.sites ?? {})) this.siteToAccount.set(s, a);
    for (const [g, s] of Object.entries(topology?.groups ?? {})) this.groupToSite.set(g, s);
  }

  lookup(token: string): ResolvedToken | undefined {
    return this.tokens.get(token);
  }

  /** 403 4030010 for multi-account users on every TI method [OBS]. */
  assertSingleScope(t: ResolvedToken): void {
    if (t.def.scope === "multi") throw new HttpFailure(403, MULTI_SCOPE_BODY);
  }

  accountOfSite(siteId: string | null): string | null {
    return siteId === null ? null : (this.siteToAccount.get(siteId) ?? null);
  }

  siteOfGroup(groupId: string): string | null {
    return this.groupToSite.get(groupId) ?? null;
  }

  canSeeAccount(t: ResolvedToken, id: string): boolean {
    return t.def.scope === "global" || (t.def.scope === "account" && t.accounts.has(id));
  }

  canSeeSite(t: ResolvedToken, id: string): boolean {
    if (t.def.scope === "global" || t.sites.has(id)) return true;
    const account = this.siteToAccount.get(id);
    return t.def.scope === "account" && account !== undefined && t.accounts.has(account);
  }

  canSeeGroup(t: ResolvedToken, id: string): boolean {
    if (t.def.scope === "global" || t.groups.has(id)) return true;
    const site = this.groupToSite.get(id);
    return site !== undefined && this.canSeeSite(t, site);
  }

  /** Can the token read / delete a record owned by (accountId, siteId)? */
  canSeeRecord(t: ResolvedToken, accountId: string | null, siteId: string | null): boolean {
    switch (t.def.scope) {
      case "global":
        return true;
      case "account":
        return accountId !== null && t.accounts.has(accountId);
      case "site":
        return siteId !== null && t.sites.has(siteId);
      default:
        return false;
    }
  }

  assertTenantAllowed(t: ResolvedToken): void {
    if (t.def.scope !== "global") throw new HttpFailure(403, forbiddenBody("Tenant scope requires a global user."));
  }

  /** GET / DELETE scope filters: every id must be visible to the token. */
  assertVisible(t: ResolvedToken, accountIds: readonly string[], siteIds: readonly string[]): void {
    for (const id of accountIds) {
      if (!this.canSeeAccount(t, id)) throw new HttpFailure(403, forbiddenBody(`accountIds: ${id}: Not accessible.`));
    }
    for (const id of siteIds) {
      if (!this.canSeeSite(t, id)) throw new HttpFailure(403, forbiddenBody(`siteIds: ${id}: Not accessible.`));
    }
  }

  /**
   * POST / STIX: one target per scope id, by precedence groupIds > siteIds > accountIds > tenant.
   * Returns `null` when there is no usable scope (the caller answers 500, or 400 if so configured).
   */
  resolvePostTargets(t: ResolvedToken, f: PostScopeFilter, enforceVisibility: boolean): ScopeTarget[] | null {
    if (f.tenant === true) this.assertTenantAllowed(t);
    if (enforceVisibility) {
      this.assertVisible(t, f.accountIds ?? [], f.siteIds ?? []);
      for (const id of f.groupIds ?? []) {
        if (!this.canSeeGroup(t, id)) throw new HttpFailure(403, forbiddenBody(`groupIds: ${id}: Not accessible.`));
      }
    }
    const unique = (ids: string[]) => [...new Set(ids)];
    if (f.groupIds !== undefined) {
      return unique(f.groupIds).map((g) => {
        const siteId = this.siteOfGroup(g);
        const accountId = this.accountOfSite(siteId);
        return { scope: "group", scopeId: g, parentScopeId: accountId, accountId, siteId };
      });
    }
    if (f.siteIds !== undefined) {
      return unique(f.siteIds).map((s) => {
        const accountId = this.accountOfSite(s);
        return { scope: "site", scopeId: s, parentScopeId: accountId, accountId, siteId: s };
      });
    }
    if (f.accountIds !== undefined) {
      return unique(f.accountIds).map((a) => ({
        scope: "account",
        scopeId: a,
        parentScopeId: null,
        accountId: a,
        siteId: null,
      }));
    }
    if (f.tenant === true) {
      return [{ scope: "global", scopeId: null, parentScopeId: null, accountId: null, siteId: null }];
    }
    return null;
  }
}
