import { useEffect, useState } from 'preact/hooks';
import { FleetSnapshot, FleetStore } from '../fleet-store';

/** The fleet's current snapshot, re-rendering on each change. */
export function useFleet(fleet: FleetStore): FleetSnapshot {
  const [snapshot, setSnapshot] = useState(fleet.current);
  useEffect(() => {
    setSnapshot(fleet.current);
    return fleet.subscribe(() => setSnapshot(fleet.current));
  }, [fleet]);
  return snapshot;
}

/** The time now, once a second: for the time in a state and the countdowns. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
