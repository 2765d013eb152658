/// One lock's worth of an ``ExactCache``: a dictionary into a slab of nodes threaded on three
/// intrusive LRU lists (window, probation, protected), plus the frequency sketch.
///
/// Not thread-safe; ``ExactCache`` keeps each shard behind its own mutex. Links are slab
/// indices rather than references, so nodes cost no reference counting and no allocation once
/// the slab has grown.
@usableFromInline
struct CacheShard<Key: Hashable, Value> {
    @usableFromInline enum Region: UInt8, Sendable { case window, probation, protected }

    @usableFromInline struct Node {
        @usableFromInline var key: Key?
        @usableFromInline var value: Value?
        @usableFromInline var hash: Int
        @usableFromInline var weight: Int
        @usableFromInline var expiresAt: Int64
        @usableFromInline var region: Region
        @usableFromInline var previous: Int
        @usableFromInline var next: Int

        @inlinable
        init(
            key: Key? = nil, value: Value? = nil, hash: Int = 0, weight: Int = 0, expiresAt: Int64 = .max,
            previous: Int = 0, next: Int = 0
        ) {
            self.key = key
            self.value = value
            self.hash = hash
            self.weight = weight
            self.expiresAt = expiresAt
            self.region = .window
            self.previous = previous
            self.next = next
        }
    }

    // Slots 0, 1 and 2 are the sentinels of the window, probation and protected lists: each list
    // is circular, `next` of a sentinel is its least recently used node, `previous` its most.
    @usableFromInline var nodes: [Node]
    @usableFromInline var freeSlots: [Int] = []
    @usableFromInline var slots: [Key: Int] = [:]
    @usableFromInline var sketch: FrequencySketch?
    @usableFromInline let maximumWeight: Int
    @usableFromInline let windowMaximum: Int
    @usableFromInline let protectedMaximum: Int
    @usableFromInline var regionWeight: [Int] = [0, 0, 0]
    @usableFromInline var totalWeight = 0
    @usableFromInline var statistics = CacheStatistics()

    @usableFromInline init(maximumWeight: Int, policy: EvictionPolicy) {
        self.maximumWeight = maximumWeight
        nodes = (0..<3).map { Node(previous: $0, next: $0) }
        switch policy {
        case .windowTinyLFU:
            // Caffeine's static split: a 1% window, and 80% of the main space protected.
            windowMaximum = max(1, maximumWeight / 100)
            protectedMaximum = (maximumWeight - windowMaximum) * 4 / 5
            sketch = FrequencySketch(capacity: maximumWeight)
        case .leastRecentlyUsed:
            windowMaximum = maximumWeight
            protectedMaximum = 0
            sketch = nil
        }
    }

    @inlinable var count: Int { slots.count }

    /// The live value for `key`, recording the access.
    @inlinable mutating func value(forKey key: Key, hash: Int, now: Int64) -> Value? {
        sketch?.increment(hash)
        guard let slot = slots[key] else {
            statistics.misses += 1
            return nil
        }
        if nodes[slot].expiresAt <= now {
            remove(slot: slot)
            statistics.expirations += 1
            statistics.misses += 1
            return nil
        }
        statistics.hits += 1
        touch(slot)
        return nodes[slot].value
    }

    /// The live value for `key`, without recording an access.
    @inlinable func peek(_ key: Key, now: Int64) -> Value? {
        guard let slot = slots[key], nodes[slot].expiresAt > now else { return nil }
        return nodes[slot].value
    }

    /// Stores `value`, evicting as needed; returns false when the entry is too heavy to store
    /// (any previous value for the key is removed then, so a stale value is never served).
    @discardableResult
    @inlinable mutating func setValue(_ value: Value, forKey key: Key, hash: Int, weight: Int, expiresAt: Int64, now: Int64) -> Bool {
        guard weight <= maximumWeight else {
            if let slot = slots[key] { remove(slot: slot) }
            statistics.rejections += 1
            return false
        }
        sketch?.increment(hash)
        if let slot = slots[key] {
            nodes[slot].value = value
            nodes[slot].expiresAt = expiresAt
            let change = weight - nodes[slot].weight
            nodes[slot].weight = weight
            regionWeight[Int(nodes[slot].region.rawValue)] += change
            totalWeight += change
            touch(slot)
        } else {
            let slot = allocate(Node(key: key, value: value, hash: hash, weight: weight, expiresAt: expiresAt))
            slots[key] = slot
            link(slot, into: .window)
            totalWeight += weight
        }
        evictIfNeeded(now: now)
        return true
    }

    /// Removes and returns the value for `key`, expired or not.
    @inlinable mutating func removeValue(forKey key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        let value = nodes[slot].value
        remove(slot: slot)
        return value
    }

    /// Removes every entry whose time to live has passed; returns how many.
    @inlinable mutating func removeExpired(now: Int64) -> Int {
        var removed = 0
        for slot in 3..<nodes.count where nodes[slot].key != nil && nodes[slot].expiresAt <= now {
            remove(slot: slot)
            removed += 1
        }
        statistics.expirations += removed
        return removed
    }

    /// Every entry, expired ones included.
    @inlinable func entries() -> [(Key, Value)] {
        nodes[3...].compactMap { node in node.key.flatMap { key in node.value.map { (key, $0) } } }
    }

    /// Removes every entry, keeping the statistics.
    @inlinable mutating func removeAllEntries() {
        let statistics = statistics
        self = CacheShard(maximumWeight: maximumWeight, policy: sketch == nil ? .leastRecentlyUsed : .windowTinyLFU)
        self.statistics = statistics
    }

    /// The keys of live entries.
    @inlinable func keys(now: Int64) -> [Key] {
        nodes[3...].compactMap { $0.expiresAt > now ? $0.key : nil }
    }

    @inlinable mutating func resetStatistics() { statistics = CacheStatistics() }

    // MARK: Policy

    /// Records a hit: window and protected entries move to their list's fresh end; a probation
    /// entry is promoted to protected, demoting protected's stalest entries if it overflows.
    @inlinable mutating func touch(_ slot: Int) {
        switch nodes[slot].region {
        case .window:
            unlink(slot)
            link(slot, into: .window)
        case .protected:
            unlink(slot)
            link(slot, into: .protected)
        case .probation:
            unlink(slot)
            link(slot, into: .protected)
            while regionWeight[Int(Region.protected.rawValue)] > protectedMaximum,
                let demoted = leastRecent(.protected), demoted != slot
            {
                unlink(demoted)
                link(demoted, into: .probation)
            }
        }
    }

    @inlinable mutating func evictIfNeeded(now: Int64) {
        guard sketch != nil else {
            while totalWeight > maximumWeight, let stalest = leastRecent(.window) { evict(stalest, now: now) }
            return
        }
        // Entries leaving the window are candidates for the main space; when it is full, each
        // must be more frequent than the victim it would displace, or it is the one evicted.
        while regionWeight[Int(Region.window.rawValue)] > windowMaximum, let candidate = leastRecent(.window) {
            unlink(candidate)
            link(candidate, into: .probation)
            while totalWeight > maximumWeight {
                guard let victim = mainVictim(sparing: candidate) else {
                    evict(candidate, now: now)
                    break
                }
                if nodes[victim].expiresAt <= now || admits(candidate, over: victim) {
                    evict(victim, now: now)
                } else {
                    evict(candidate, now: now)
                    break
                }
            }
        }
        // Growth of an existing entry's weight can still leave the cache over its bound.
        while totalWeight > maximumWeight,
            let stalest = leastRecent(.probation) ?? leastRecent(.protected) ?? leastRecent(.window)
        {
            evict(stalest, now: now)
        }
    }

    @inlinable func admits(_ candidate: Int, over victim: Int) -> Bool {
        guard let sketch else { return true }
        return sketch.frequency(of: nodes[candidate].hash) > sketch.frequency(of: nodes[victim].hash)
    }

    @inlinable func mainVictim(sparing candidate: Int) -> Int? {
        if let victim = leastRecent(.probation), victim != candidate { return victim }
        return leastRecent(.protected)
    }

    @inlinable mutating func evict(_ slot: Int, now: Int64) {
        if nodes[slot].expiresAt <= now { statistics.expirations += 1 } else { statistics.evictions += 1 }
        remove(slot: slot)
    }

    // MARK: Lists and slab

    @inlinable func leastRecent(_ region: Region) -> Int? {
        let sentinel = Int(region.rawValue)
        let first = nodes[sentinel].next
        return first == sentinel ? nil : first
    }

    @inlinable mutating func link(_ slot: Int, into region: Region) {
        let sentinel = Int(region.rawValue)
        let last = nodes[sentinel].previous
        nodes[slot].region = region
        nodes[slot].previous = last
        nodes[slot].next = sentinel
        nodes[last].next = slot
        nodes[sentinel].previous = slot
        regionWeight[sentinel] += nodes[slot].weight
    }

    @inlinable mutating func unlink(_ slot: Int) {
        let previous = nodes[slot].previous
        let next = nodes[slot].next
        nodes[previous].next = next
        nodes[next].previous = previous
        regionWeight[Int(nodes[slot].region.rawValue)] -= nodes[slot].weight
    }

    @inlinable mutating func allocate(_ node: Node) -> Int {
        if let slot = freeSlots.popLast() {
            nodes[slot] = node
            return slot
        }
        nodes.append(node)
        return nodes.count - 1
    }

    @inlinable mutating func remove(slot: Int) {
        unlink(slot)
        totalWeight -= nodes[slot].weight
        if let key = nodes[slot].key { slots[key] = nil }
        nodes[slot] = Node()
        freeSlots.append(slot)
    }
}

extension CacheShard: Sendable where Key: Sendable, Value: Sendable {}
extension CacheShard.Node: Sendable where Key: Sendable, Value: Sendable {}
