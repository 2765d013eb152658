import CVectorKernels

/// The graph's buffers as plain `let` pointers, so the search and insert loops read them
/// without class property accesses, reference counting or dynamic dispatch.
///
/// A view is valid while the graph's storage does not grow: for the length of one search
/// (under the index's read lock) or one insert or batch (under its write lock, with
/// storage reserved up front).
struct GraphView: @unchecked Sendable {
    let nodes: UnsafeMutableRawPointer
    let nodeUnits: Int
    let linkUnits: Int
    let levels: UnsafeMutablePointer<UInt8>
    let deleted: UnsafeMutablePointer<Bool>
    let upperOffsets: UnsafeMutablePointer<Int>
    let upperLinks: UnsafeMutablePointer<UInt32>
    let dimension: Int
    let vectorStride: Int
    let m: Int
    let m0: Int
    let kernel: vk_pair_kernel
    let usesInnerProduct: Bool
    let slotCount: Int

    @inline(__always)
    func vector(_ slot: UInt32) -> UnsafeMutablePointer<Float> {
        (nodes + (Int(slot) &* nodeUnits &+ linkUnits) &* 4).assumingMemoryBound(to: Float.self)
    }

    @inline(__always)
    func level0Links(_ slot: UInt32) -> UnsafeMutablePointer<UInt32> {
        (nodes + Int(slot) &* nodeUnits &* 4).assumingMemoryBound(to: UInt32.self)
    }

    /// The distance from a query (in stored form) to a slot's vector.
    @inline(__always)
    func distance(_ query: UnsafePointer<Float>, _ slot: UInt32) -> Float {
        let raw = kernel(query, vector(slot), dimension)
        return usesInnerProduct ? 1 - raw : raw
    }

    @inline(__always)
    func distance(between a: UInt32, and b: UInt32) -> Float {
        distance(UnsafePointer(vector(a)), b)
    }

    /// The link block of `slot` at `level`, and how many entries it can hold.
    @inline(__always)
    func links(of slot: UInt32, level: Int) -> (list: UnsafeMutablePointer<UInt32>, capacity: Int) {
        if level == 0 { return (level0Links(slot), m0) }
        return (upperLinks + upperOffsets[Int(slot)] + (level - 1) * m, m)
    }

    @inline(__always)
    static func linkCount(_ list: UnsafeMutablePointer<UInt32>, capacity: Int) -> Int {
        var count = 0
        while count < capacity, list[count] != HNSWGraph.noLink { count += 1 }
        return count
    }

    /// What a layer search may return: live slots, minus one excluded slot, passing an optional filter.
    struct Acceptance {
        var excluded: UInt32 = HNSWGraph.noLink
        var filter: ((UInt32) -> Bool)?
    }

    @inline(__always)
    func accepts(_ slot: UInt32, _ acceptance: Acceptance) -> Bool {
        if deleted[Int(slot)] || slot == acceptance.excluded { return false }
        if let filter = acceptance.filter { return filter(slot) }
        return true
    }

    // MARK: - Greedy descent through the upper levels

    /// Walks from `entry` towards the query at `level`, always moving to the closest neighbour.
    func greedyClosest(
        query: UnsafePointer<Float>, from entry: UInt32, distance entryDistance: Float, level: Int,
        stripes: LockStripes?
    ) -> (slot: UInt32, distance: Float) {
        var current = entry
        var currentDistance = entryDistance
        var changed = true
        var buffer = (0..<m0).map { _ in HNSWGraph.noLink }
        while changed {
            changed = false
            let count = copyLinks(of: current, level: level, into: &buffer, stripes: stripes)
            for index in 0..<count {
                let candidate = buffer[index]
                let candidateDistance = distance(query, candidate)
                if candidateDistance < currentDistance {
                    currentDistance = candidateDistance
                    current = candidate
                    changed = true
                }
            }
        }
        return (current, currentDistance)
    }

    /// Copies a link list (under its stripe lock when building in parallel).
    @inline(__always)
    func copyLinks(of slot: UInt32, level: Int, into buffer: inout [UInt32], stripes: LockStripes?) -> Int {
        let (list, capacity) = links(of: slot, level: level)
        func copy(into buffer: inout [UInt32]) -> Int {
            var count = 0
            while count < capacity, list[count] != HNSWGraph.noLink {
                buffer[count] = list[count]
                count += 1
            }
            return count
        }
        if let stripes { return stripes.withLock(slot) { copy(into: &buffer) } }
        return copy(into: &buffer)
    }

    // MARK: - Best-first search of one layer

    /// Searches `level` from `entry`, leaving up to `ef` accepted slots closest to the query
    /// in `scratch.results`. Slots that are not accepted still guide the search, so a
    /// filter or deletions never disconnect the graph.
    func searchLayer(
        query: UnsafePointer<Float>, entry: UInt32, ef: Int, level: Int, acceptance: Acceptance,
        scratch: SearchScratch, stripes: LockStripes?
    ) {
        let generation = scratch.beginSearch(slots: slotCount)
        let visited = scratch.visited
        var candidates = scratch.candidates
        var results = scratch.results
        defer {
            scratch.candidates = candidates
            scratch.results = results
        }

        let entryDistance = distance(query, entry)
        visited[Int(entry)] = generation
        candidates.push(Neighbor(distance: entryDistance, slot: entry))
        var bound = Float.infinity
        if accepts(entry, acceptance) {
            results.push(Neighbor(distance: entryDistance, slot: entry))
            bound = entryDistance
        }

        var buffer = level == 0 && stripes == nil ? [] : (0..<m0).map { _ in HNSWGraph.noLink }
        while !candidates.isEmpty {
            let current = candidates.top
            if current.distance > bound && results.count >= ef { break }
            candidates.pop()
            // The next candidate's links are probably cold: start fetching them while this one is expanded.
            if !candidates.isEmpty, level == 0 {
                let next = level0Links(candidates.top.slot)
                vk_prefetch(next)
                vk_prefetch(next + 16)
            }

            if level == 0 && stripes == nil {
                // The query path: read the block in place, prefetching a step ahead.
                let list = level0Links(current.slot)
                if list[0] != HNSWGraph.noLink {
                    vk_prefetch(vector(list[0]))
                    vk_prefetch(visited + Int(list[0]))
                }
                var index = 0
                while index < m0 {
                    let neighbor = list[index]
                    if neighbor == HNSWGraph.noLink { break }
                    index += 1
                    if index < m0, list[index] != HNSWGraph.noLink {
                        vk_prefetch(vector(list[index]))
                        vk_prefetch(visited + Int(list[index]))
                    }
                    if visited[Int(neighbor)] == generation { continue }
                    visited[Int(neighbor)] = generation
                    consider(neighbor)
                }
            } else {
                let count = copyLinks(of: current.slot, level: level, into: &buffer, stripes: stripes)
                for index in 0..<count {
                    let neighbor = buffer[index]
                    if visited[Int(neighbor)] == generation { continue }
                    visited[Int(neighbor)] = generation
                    consider(neighbor)
                }
            }
        }

        @inline(__always)
        func consider(_ neighbor: UInt32) {
            let neighborDistance = distance(query, neighbor)
            guard results.count < ef || neighborDistance < bound else { return }
            // Its links will be read if it is expanded; fetch them while its vector is still hot.
            vk_prefetch(level0Links(neighbor))
            candidates.push(Neighbor(distance: neighborDistance, slot: neighbor))
            if accepts(neighbor, acceptance) {
                results.push(Neighbor(distance: neighborDistance, slot: neighbor))
                if results.count > ef { results.pop() }
            }
            if !results.isEmpty { bound = results.top.distance }
        }
    }
}
