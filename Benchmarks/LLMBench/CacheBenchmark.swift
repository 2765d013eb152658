import Foundation
import LLMCache
import LLMTesting

/// `llm-bench cache --trace zipf|zipf-scan --alpha 1.0 --keys 100000 --capacity-percent 1
///  [--requests N] [--threads 1,2] [--seed S] [--json]`
///
/// Replays a seeded key trace through `ExactCache` with our policy (Window TinyLFU, reported as
/// library "ours") and with plain LRU (library "lru"), same sharding and code paths, the standard
/// way a cache is used: look up, and on a miss store the key. Reports the hit ratio over the
/// whole trace and the lookups+stores per second on each thread count (the trace is split
/// between the threads, which share one cache).
///
/// Traces: `zipf` draws keys 0..<keys with probability ∝ 1/rank^alpha. `zipf-scan` interleaves
/// bursts of 5×capacity Zipf requests with scans of 2×capacity keys never seen before (a batch
/// job or a crawler walking the key space), the pattern that flushes an LRU.
func runCacheBenchmark(_ arguments: inout Arguments) throws {
    let json = arguments.flag("json")
    let traceName = try arguments.string("trace") ?? "zipf"
    guard let alpha = Double(try arguments.string("alpha") ?? "1.0"), alpha > 0 else {
        throw Arguments.Problem(description: "--alpha takes a positive number")
    }
    let keys = try arguments.int("keys", default: 100_000)
    guard let capacityPercent = Double(try arguments.string("capacity-percent") ?? "1"), capacityPercent > 0 else {
        throw Arguments.Problem(description: "--capacity-percent takes a positive number")
    }
    let requests = try arguments.int("requests", default: 20 * keys)
    let threadCounts = try arguments.ints("threads", default: [1, 2])
    let seed = UInt64(try arguments.int("seed", default: 7))
    let capacity = max(1, Int((Double(keys) * capacityPercent / 100).rounded()))
    let trace: [Int]
    switch traceName {
    case "zipf": trace = zipfTrace(keys: keys, alpha: alpha, count: requests, seed: seed)
    case "zipf-scan": trace = zipfScanTrace(keys: keys, alpha: alpha, count: requests, capacity: capacity, seed: seed)
    default: throw Arguments.Problem(description: "--trace is zipf or zipf-scan, not \(traceName)")
    }

    var report = Report(json: json)
    for (library, policy) in [("ours", EvictionPolicy.windowTinyLFU), ("lru", .leastRecentlyUsed)] {
        for threads in threadCounts {
            // Best of three passes for speed; the hit ratio is the first pass's (single-threaded
            // passes are deterministic; with two threads it varies a little with interleaving).
            var best = 0.0
            var hitRatio = 0.0
            for pass in 0..<3 {
                let cache = try ExactCache<Int, Int>(maximumCount: capacity, policy: policy)
                let seconds = replay(trace, on: cache, threads: threads)
                best = max(best, Double(trace.count) / seconds)
                if pass == 0 { hitRatio = cache.statistics.hitRatio }
            }
            report.add(Measurement(fields: [
                ("bench", .text("cache")), ("library", .text(library)), ("trace", .text(traceName)),
                ("alpha", .number(alpha)), ("keys", .integer(keys)), ("capacity_percent", .number(capacityPercent)),
                ("capacity", .integer(capacity)), ("requests", .integer(trace.count)), ("threads", .integer(threads)),
                ("hit_ratio", .number(hitRatio)), ("ops_per_s", .number(best)),
            ]))
        }
    }
    report.printTable()
}

/// Replays the trace (look up; store on a miss) split over `threads` threads; returns seconds.
private func replay(_ trace: [Int], on cache: ExactCache<Int, Int>, threads: Int) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: threads) { part in
        let range = (trace.count * part / threads)..<(trace.count * (part + 1) / threads)
        trace.withUnsafeBufferPointer { keys in
            for index in range {
                let key = keys[index]
                if cache.value(forKey: key) == nil { cache.setValue(key, forKey: key) }
            }
        }
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Keys 0..<keys drawn with probability ∝ 1/(rank+1)^alpha, by inverse-CDF lookup.
private func zipfTrace(keys: Int, alpha: Double, count: Int, seed: UInt64) -> [Int] {
    var cumulative = [Double](repeating: 0, count: keys)
    var total = 0.0
    for rank in 0..<keys {
        total += 1 / pow(Double(rank + 1), alpha)
        cumulative[rank] = total
    }
    var generator = SeededRandomNumberGenerator(seed: seed)
    return (0..<count).map { _ in
        let target = Double.random(in: 0..<total, using: &generator)
        var low = 0
        var high = keys - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] <= target { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// Bursts of 5×capacity Zipf requests alternating with scans of 2×capacity fresh keys.
private func zipfScanTrace(keys: Int, alpha: Double, count: Int, capacity: Int, seed: UInt64) -> [Int] {
    let zipf = zipfTrace(keys: keys, alpha: alpha, count: count, seed: seed)
    var trace: [Int] = []
    trace.reserveCapacity(count)
    var zipfIndex = 0
    var nextFreshKey = keys
    while trace.count < count {
        for _ in 0..<(5 * capacity) where trace.count < count {
            trace.append(zipf[zipfIndex])
            zipfIndex += 1
        }
        for _ in 0..<(2 * capacity) where trace.count < count {
            trace.append(nextFreshKey)
            nextFreshKey += 1
        }
    }
    return trace
}
