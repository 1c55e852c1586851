/**
 * The roles a party plays towards a ship or a company, as registry extracts and the lists name them. `counts` says
 * whether the role is an equity holding that the OFAC 50 % rule adds up (ownership); the others are control
 * without equity (management, operation) that make a ship exposed but are not summed.
 */
export const ROLES = [
  { role: 'registered owner', counts: true, aliases: ['registered owner', 'owner', 'registeredowner', 'shipowner'] },
  {
    role: 'beneficial owner',
    counts: true,
    aliases: ['beneficial owner', 'group beneficial owner', 'beneficialowner'],
  },
  { role: 'shareholder', counts: true, aliases: ['shareholder', 'ownership', 'parent'] },
  { role: 'ship manager', counts: false, aliases: ['ship manager', 'manager', 'technical manager', 'shipmanager'] },
  { role: 'ISM/DOC company', counts: false, aliases: ['ism/doc company', 'ism manager', 'doc company', 'ism'] },
  { role: 'operator', counts: false, aliases: ['operator', 'vessel operator'] },
  { role: 'commercial manager', counts: false, aliases: ['commercial manager', 'charterer'] },
  { role: 'P&I club', counts: false, aliases: ['p&i club', 'p&i', 'pandi', 'insurer'] },
  { role: 'classification society', counts: false, aliases: ['classification society', 'class', 'class society'] },
  { role: 'director', counts: false, aliases: ['director', 'directorship'] },
  { role: 'representative', counts: false, aliases: ['representative', 'agent', 'representation'] },
  { role: 'linked to', counts: false, aliases: ['linked to'] },
] as const;

export type Role = (typeof ROLES)[number]['role'];

const BY_ALIAS = new Map<string, Role>();
for (const r of ROLES) for (const a of r.aliases) BY_ALIAS.set(a, r.role);

/** The role a free-text label names ("Registered Owner", "ISM Manager", "Linked To"), or undefined. */
export function parseRole(label: string): Role | undefined {
  return BY_ALIAS.get(label.trim().toLowerCase().replace(/\s+/g, ' '));
}

/** Equity roles: summed by the 50 % rule. */
export function isOwnershipRole(role: Role): boolean {
  return ROLES.find((r) => r.role === role)?.counts === true;
}

/** Roles that make a ship exposed when the party is listed or blocked (owner, manager, operator). */
export const EXPOSING_ROLES: ReadonlySet<Role> = new Set<Role>([
  'registered owner',
  'beneficial owner',
  'shareholder',
  'ship manager',
  'ISM/DOC company',
  'operator',
  'commercial manager',
  'linked to',
]);
