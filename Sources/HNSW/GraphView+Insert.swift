extension GraphView {
    /// Picks up to `limit` neighbours from `candidates` (sorted closest first) with the
    /// heuristic of Malkov & Yashunin's Algorithm 4: a candidate is kept only if it is
    /// closer to the base than to every neighbour already kept, which spreads links in
    /// different directions and keeps clusters connected.
    func selectNeighbors(_ candidates: inout [Neighbor], limit: Int) {
        guard candidates.count > limit else { return }
        var kept = 0
        for index in candidates.indices {
            if kept == limit { break }
            let candidate = candidates[index]
            var isDiverse = true
            for keptIndex in 0..<kept where distance(between: candidate.slot, and: candidates[keptIndex].slot) < candidate.distance {
                isDiverse = false
                break
            }
            if isDiverse {
                candidates[kept] = candidate
                kept += 1
            }
        }
        candidates.removeLast(candidates.count - kept)
    }

    /// Links `slot` (whose vector is in place) into the graph at levels `0...level`, starting
    /// from the graph's entry point, and adds the reverse links. Works for fresh slots and
    /// for relinking a slot whose vector changed (its old links are replaced).
    ///
    /// Returns whether the slot became the new entry point.
    func link(
        slot: UInt32, level: Int, entryPoint: UInt32, maxLevel: Int, efConstruction: Int,
        scratch: SearchScratch, stripes: LockStripes?
    ) {
        let query = UnsafePointer(vector(slot))
        var current = entryPoint
        var currentDistance = distance(query, current)
        if maxLevel > level {
            for upper in stride(from: maxLevel, to: level, by: -1) {
                (current, currentDistance) = greedyClosest(
                    query: query, from: current, distance: currentDistance, level: upper, stripes: stripes)
            }
        }
        let acceptance = Acceptance(excluded: slot)
        for layer in stride(from: min(level, maxLevel), through: 0, by: -1) {
            searchLayer(
                query: query, entry: current, ef: efConstruction, level: layer, acceptance: acceptance,
                scratch: scratch, stripes: stripes)
            var neighbors = Array(scratch.results.unordered)
            neighbors.sort { $0.distance < $1.distance }
            selectNeighbors(&neighbors, limit: m)
            writeLinks(neighbors, of: slot, level: layer, stripes: stripes)
            for neighbor in neighbors {
                addLink(from: neighbor.slot, to: slot, distance: neighbor.distance, level: layer, stripes: stripes)
            }
            if let closest = neighbors.first {
                current = closest.slot
                currentDistance = closest.distance
            }
        }
    }

    private func writeLinks(_ neighbors: [Neighbor], of slot: UInt32, level: Int, stripes: LockStripes?) {
        let (list, capacity) = links(of: slot, level: level)
        let write = {
            for index in 0..<capacity {
                list[index] = index < neighbors.count ? neighbors[index].slot : HNSWGraph.noLink
            }
        }
        if let stripes { stripes.withLock(slot, write) } else { write() }
    }

    /// Adds `target` to the link list of `source` at `level`; a full list is re-chosen by the
    /// heuristic from its links plus the new one.
    private func addLink(from source: UInt32, to target: UInt32, distance targetDistance: Float, level: Int, stripes: LockStripes?) {
        let (list, capacity) = links(of: source, level: level)
        let update = {
            let count = Self.linkCount(list, capacity: capacity)
            for index in 0..<count where list[index] == target { return }
            if count < capacity {
                list[count] = target
                return
            }
            var candidates = [Neighbor(distance: targetDistance, slot: target)]
            candidates.reserveCapacity(capacity + 1)
            for index in 0..<count {
                candidates.append(Neighbor(distance: distance(between: source, and: list[index]), slot: list[index]))
            }
            candidates.sort { $0.distance < $1.distance }
            selectNeighbors(&candidates, limit: capacity)
            for index in 0..<capacity {
                list[index] = index < candidates.count ? candidates[index].slot : HNSWGraph.noLink
            }
        }
        if let stripes { stripes.withLock(source, update) } else { update() }
    }
}
