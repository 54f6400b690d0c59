#!/usr/bin/env node
// Writes the three load traces bench/autoscale ships (seconds,rps, one line a
// minute), from a seeded generator so they are the same on every run:
//   diurnal.csv      24 h: 150 rps at night, about 900 in the afternoon, noise of ±5%
//   flash-spike.csv  2 h: 200 rps, then x8 (1,600 rps) within one minute at 0:30:00,
//                    held 10 minutes, back to 200 over 20 minutes
//   slow-ramp.csv    3 h: 100 rps rising evenly to 1,500 over 2 h, then flat
//   node bench/autoscale/make-traces.mjs
import { writeFileSync } from 'node:fs'
import { seededRandom } from '../seeded-random.mjs'

const random = seededRandom(12)
const noise = (value, share) => Math.max(0, Math.round(value * (1 + (random() * 2 - 1) * share)))

function write(name, comment, rpsAt, minutes) {
  const lines = [`# ${comment}`, 'seconds,rps']
  for (let minute = 0; minute < minutes; minute++) lines.push(`${minute * 60},${rpsAt(minute)}`)
  writeFileSync(new URL(`traces/${name}.csv`, import.meta.url), `${lines.join('\n')}\n`)
}

write('diurnal', '24 h, one line a minute: night 150 rps, afternoon peak about 900', (minute) => {
  const day = 0.5 - 0.5 * Math.cos(((minute - 240) / 1440) * 2 * Math.PI)
  return noise(150 + 750 * day ** 1.5, 0.05)
}, 1440)

write('flash-spike', '2 h, one line a minute: 200 rps, x8 within one minute at 0:30:00 for 10 minutes, back over 20', (minute) => {
  if (minute < 30) return noise(200, 0.03)
  if (minute < 40) return noise(1600, 0.03)
  if (minute < 60) return noise(1600 - ((minute - 39) / 20) * 1400, 0.03)
  return noise(200, 0.03)
}, 120)

write('slow-ramp', '3 h, one line a minute: 100 rps rising evenly to 1,500 over 2 h, then flat', (minute) => noise(100 + Math.min(1, minute / 120) * 1400, 0.02), 180)
