import { Injectable } from '@nestjs/common';
import { BreakerCommands, CommandsOutcome } from './breaker-commands.service';
import { MAX_BATCH_SIZE } from './dto/breaker.args';
import { BreakerCommand } from './run-commands';

/** The most commands one group transaction takes; a single batch larger than this still goes alone. */
export const MAX_GROUP_COMMANDS = 2 * MAX_BATCH_SIZE;

interface Waiting {
  readonly commands: readonly BreakerCommand[];
  resolve(outcome: CommandsOutcome): void;
  reject(error: unknown): void;
}

/**
 * Writes outcome batches with group commit. One transaction at a time per instance: the batches
 * that arrive while it runs wait, then go together in the next one, in arrival order, through
 * `BreakerCommands.applyGroup`. Each caller still gets exactly its own answer, and only once it
 * has committed; but a group pays for one lock, one write per table and one commit.
 *
 * Batches from many reporters mostly touch the same breakers, so their transactions would queue
 * on the same row locks anyway; grouping them turns that queue into throughput.
 */
@Injectable()
export class OutcomeWriter {
  private readonly waiting: Waiting[] = [];
  private writing = false;

  constructor(private readonly commands: BreakerCommands) {}

  /** Applies the commands, all or nothing, once the transaction that carries them commits. */
  write(commands: readonly BreakerCommand[]): Promise<CommandsOutcome> {
    return new Promise<CommandsOutcome>((resolve, reject) => {
      this.waiting.push({ commands, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) await this.writeGroup(this.takeGroup());
    } finally {
      this.writing = false;
    }
  }

  /** The oldest waiting batches, as many as fit in MAX_GROUP_COMMANDS (always at least one). */
  private takeGroup(): Waiting[] {
    let size = this.waiting[0].commands.length;
    let count = 1;
    while (count < this.waiting.length && size + this.waiting[count].commands.length <= MAX_GROUP_COMMANDS) {
      size += this.waiting[count].commands.length;
      count++;
    }
    return this.waiting.splice(0, count);
  }

  private async writeGroup(group: readonly Waiting[]): Promise<void> {
    try {
      const members = await this.commands.applyGroup(group.map((w) => w.commands));
      members.forEach((member, i) => (member.ok ? group[i].resolve(member.outcome) : group[i].reject(member.error)));
    } catch (error) {
      for (const w of group) w.reject(error);
    }
  }
}
