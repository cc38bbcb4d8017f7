/**
 * A consent's match code: four short words shown on the page where the sign-in started, which
 * the person types into their Vial tab to approve it. Someone who starts a sign-in in their own
 * browser cannot get it approved in the person's tab without the person reading this page.
 * About 130 words, four of them: 28 bits, and a consent is denied after three wrong codes.
 */
import { hash, randomInt, timingSafeEqual } from 'node:crypto';

const WORDS = (
  'acid aunt baby bank barn bell bird boat bone book bowl cake calm card cave chef city clay coal coat code ' +
  'coin cord corn crab crow cube dawn deer desk dial dove drum duck dune dust east echo edge fawn fern figs ' +
  'film fire fish flag foam fork frog gate gift goat gold gust hail hare harp hawk herb hill hive horn iris ' +
  'iron jade jazz kale kelp kite knot lake lamb lamp leaf lime lion loom lynx mango maple mint mist moon moss ' +
  'moth nest note oak oats opal oven owl palm pear pine plum pond quay rain reed reef ring road robe rope rose ' +
  'ruby sage sail salt sand seal seed ship silk snow sock star swan tide tree tulip vase vine wave whale wolf ' +
  'wren yarn yoga zinc'
).split(' ');

export function newMatchCode(): string {
  return Array.from({ length: 4 }, () => WORDS[randomInt(WORDS.length)]).join(' ');
}

/** Spacing and case do not matter; the comparison takes the same time whatever was typed. */
export function matchCodeEquals(typed: string, expected: string): boolean {
  const canonical = (text: string) => hash('sha256', text.trim().toLowerCase().split(/\s+/).join(' '), 'buffer');
  return timingSafeEqual(canonical(typed), canonical(expected));
}
