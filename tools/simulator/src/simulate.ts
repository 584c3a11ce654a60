import type { ServiceUrls } from './client';
import { Expectations } from './expect';
import { SimulatorRunner, type Keys } from './runner';
import { buildScenario, type Scenario, type ScenarioOptions, type World } from './scenario';

export interface SimulationResult {
  runner: SimulatorRunner;
  world: World;
  scenario: Scenario;
  expectations: Expectations;
  /** The keys the portals used (a district's key reads its own subtree). */
  keys: Keys;
  seconds: number;
}

/**
 * One whole campaign against a running system: reference data, the scenario's own units and keys,
 * then every day's reports, rosters, sessions, activities and checks. `onDay` runs after each day
 * (the fault tests kill and restart services there).
 */
export async function runSimulation(
  urls: ServiceUrls,
  adminKey: string,
  options: ScenarioOptions,
  settings: { concurrency?: number; quiet?: boolean; onDay?: (day: string) => Promise<void> } = {},
): Promise<SimulationResult> {
  const started = Date.now();
  const runner = new SimulatorRunner(urls, adminKey, settings.concurrency ?? 8, settings.quiet ?? false);
  await runner.ensureReferenceData();
  const world = await runner.discoverWorld();
  const scenario = buildScenario(world, options);
  const keys = await runner.prepare(world, scenario);
  const links = await runner.treeLinks();
  await runner.run(world, scenario, keys, settings.onDay);
  return {
    runner,
    world,
    scenario,
    expectations: new Expectations(scenario, links),
    keys,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}
