/**
 * The attacks of bench/lib/attacks.ts in a process of their own, so the
 * process that measures deliveries is not slowed by its own attackers.
 * Targets come as JSON in ATTACK_TARGETS; a `stop` message ends the attacks
 * and the outcomes come back over IPC.
 */
import { type AttackTargets, startAttacks } from './lib/attacks.ts';

const attacks = startAttacks(JSON.parse(process.env.ATTACK_TARGETS ?? '{}') as AttackTargets);
process.send?.({ started: true });
process.on('message', async (message: { stop?: boolean }) => {
  if (!message.stop) return;
  const outcomes = await attacks.stop();
  process.send?.({ outcomes }, () => process.exit(0));
});
