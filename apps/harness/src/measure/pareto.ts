/**
 * Indices of the Pareto-optimal points when both coordinates are better
 * higher: no other point is at least as good in both and better in one.
 */
export function paretoFront(points: readonly (readonly [number, number])[]): Set<number> {
  const front = new Set<number>()
  points.forEach(([x, y], i) => {
    const dominated = points.some(([x2, y2], j) => j !== i && x2 >= x && y2 >= y && (x2 > x || y2 > y))
    if (!dominated) front.add(i)
  })
  return front
}
