/**
 * The attacks of bench/lib/attacks.ts in a process of their own, so the
 * process that measures deliveries is not slowed by its own attackers.
 * Targets come as JSON in ATTACK_TARGETS; a `stop` message ends the attacks
 * and the outcomes come back over IPC.
 */
import { type AttackTargets, startAttacks } from './lib/attacks.ts';
import { serveAttackPages } from './lib/attacks-exhaustion.ts';

const targets = JSON.parse(process.env.ATTACK_TARGETS ?? '{}') as AttackTargets;
const pages = await serveAttackPages(targets.pagesPort);
const attacks = startAttacks(targets);
process.send?.({ started: true });
process.on('message', async (message: { stop?: boolean }) => {
  if (!message.stop) return;
  const outcomes = await attacks.stop();
  pages.closeAllConnections();
  pages.close();
  process.send?.({ outcomes }, () => process.exit(0));
});
