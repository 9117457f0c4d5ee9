import { Injectable } from '@nestjs/common';

/** The time source of everything that decides by time; tests swap it for a fake. */
@Injectable()
export class Clock {
  /** Epoch milliseconds. */
  now(): number {
    return Date.now();
  }
}
