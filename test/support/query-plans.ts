/** A node of PostgreSQL's EXPLAIN (FORMAT JSON) plan: what the plan tests look at. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  Plans?: PlanNode[];
}

/** EXPLAIN (ANALYZE, FORMAT JSON)'s answer, as the driver returns it. */
export type Explained = Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>;

/** Every node of a plan, the root first. */
export function planNodes(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(planNodes)];
}

/** The nodes of an explained statement's plan. */
export function explainedNodes(explained: Explained): PlanNode[] {
  return planNodes(explained[0]['QUERY PLAN'][0].Plan);
}
