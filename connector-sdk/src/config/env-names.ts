/** `sentinelone_intel` + `api_key` → `SENTINELONE_INTEL_API_KEY` (pycti / connectors-sdk naming). */
export function envName(namespace: string, key: string): string {
  return `${namespace}_${key}`.toUpperCase().replace(/-/g, "_");
}

export function yamlPath(namespace: string, key: string): string {
  return `${namespace}.${key}`;
}
